package update

import (
	"archive/tar"
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"strings"
)

// RewriteForTest changes a bundle's files through f (nil drops one),
// keeping the tar well formed: how tests make tampered bundles.
func RewriteForTest(data []byte, f func(name string, body []byte) []byte) []byte {
	var out bytes.Buffer
	tw := tar.NewWriter(&out)
	tr := tar.NewReader(bytes.NewReader(data))
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			panic(err)
		}
		body, _ := io.ReadAll(tr)
		if body = f(h.Name, body); body == nil {
			continue
		}
		h.Size = int64(len(body))
		tw.WriteHeader(h)
		tw.Write(body)
	}
	tw.Close()
	return out.Bytes()
}

// UnsignForTest strips every signature off a bundle's metadata.
func UnsignForTest(data []byte) []byte {
	return RewriteForTest(data, func(name string, body []byte) []byte {
		if !strings.HasSuffix(name, ".json") {
			return body
		}
		var m map[string]json.RawMessage
		if json.Unmarshal(body, &m) != nil {
			panic(name)
		}
		m["signatures"] = json.RawMessage("[]")
		out, _ := json.Marshal(m)
		return out
	})
}
