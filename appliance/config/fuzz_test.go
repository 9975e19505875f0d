package config

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"preau/appliance/i18n"
)

// FuzzLoad: whatever a config file holds, Load either refuses it with a
// problem said in each language (never Go's own error, never a panic),
// or gives a configuration whose values are all usable, the same each
// time it is read. Seeds under testdata/fuzz/FuzzLoad: the example
// file's kinds of keys, and typos, wrong types and broken YAML.
func FuzzLoad(f *testing.F) {
	f.Fuzz(func(t *testing.T, body []byte) {
		file := filepath.Join(t.TempDir(), "config.yaml")
		if err := os.WriteFile(file, body, 0o600); err != nil {
			t.Fatal(err)
		}
		c, err := Load(file, nil)
		if err != nil {
			var ce *configError
			if !errors.As(err, &ce) {
				t.Fatalf("refused with %T %v, want a problem in the reader's language", err, err)
			}
			for _, l := range []i18n.Lang{i18n.FR, i18n.EN, i18n.AR} {
				if ce.Localize(l) == "" {
					t.Fatalf("refusal %q says nothing in %s", ce.msg.Key, l)
				}
			}
			return
		}
		if c.Role != RoleSchool && c.Role != RoleCentral {
			t.Errorf("role %q accepted", c.Role)
		}
		if !filepath.IsAbs(c.DataDir) {
			t.Errorf("data_dir %q not absolute", c.DataDir)
		}
		if c.MaxBodySize <= 0 || c.SessionTTL <= 0 || c.HashConcurrency < 1 {
			t.Errorf("unusable limits accepted: max_body %d, session_ttl %v, hash_concurrency %d", c.MaxBodySize, c.SessionTTL, c.HashConcurrency)
		}
		again, err := Load(file, nil)
		if err != nil || !reflect.DeepEqual(again, c) {
			t.Errorf("read again: %v\n%+v\n%+v", err, again, c)
		}
	})
}
