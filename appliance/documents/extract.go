package documents

import (
	"archive/zip"
	"encoding/xml"
	"io"
	"path"
	"slices"
	"strings"

	"github.com/ledongthuc/pdf"
)

// The search finds documents by their text where a pure-Go reader gets it
// out: PDFs (github.com/ledongthuc/pdf), and office files, which are zips
// of XML (Word, OpenDocument, PowerPoint, Excel's shared strings). Other
// files are found by their name only.

const (
	maxExtractFile = 32 << 20 // a larger file is found by its name only
	maxPDFPages    = 300
)

// officeParts are the XML parts of an office file that hold its text.
func officePart(name string) bool {
	switch {
	case name == "word/document.xml", name == "content.xml", name == "xl/sharedStrings.xml":
		return true
	case strings.HasPrefix(name, "ppt/slides/slide") && path.Ext(name) == ".xml":
		return true
	}
	return false
}

// extractText is the text of a file of the given type and name, at most
// max bytes; "" when none can be read. A malformed file is no error: it is
// found by its name.
func extractText(r io.ReaderAt, size int64, mediaType, name string, max int) (text string) {
	if size <= 0 || size > maxExtractFile {
		return ""
	}
	defer func() {
		if recover() != nil { // a reader tripped on a malformed file
			text = ""
		}
	}()
	var b strings.Builder
	switch ext := strings.ToLower(path.Ext(name)); {
	case mediaType == "application/pdf" || ext == ".pdf":
		pdfText(&b, r, size, max)
	case slices.Contains([]string{".docx", ".odt", ".pptx", ".odp", ".xlsx", ".ods"}, ext):
		officeText(&b, r, size, max)
	}
	return strings.Join(strings.Fields(b.String()), " ")
}

func pdfText(b *strings.Builder, r io.ReaderAt, size int64, max int) {
	doc, err := pdf.NewReader(r, size)
	if err != nil {
		return
	}
	for i := 1; i <= min(doc.NumPage(), maxPDFPages) && b.Len() < max; i++ {
		t, err := doc.Page(i).GetPlainText(nil)
		if err != nil {
			continue
		}
		b.WriteString(limit(t, max-b.Len()))
		b.WriteByte(' ')
	}
}

func officeText(b *strings.Builder, r io.ReaderAt, size int64, max int) {
	z, err := zip.NewReader(r, size)
	if err != nil {
		return
	}
	for _, f := range z.File {
		if !officePart(f.Name) || b.Len() >= max {
			continue
		}
		rc, err := f.Open()
		if err != nil {
			continue
		}
		xmlText(b, io.LimitReader(rc, 64<<20), max)
		rc.Close()
	}
}

// breaks are the elements of office XML that end a run of words:
// paragraphs, headings, cells, shared strings, tabs and line breaks. Word
// cuts a paragraph into runs anywhere, even inside a word, so the others
// join without a space.
var breaks = map[string]bool{"p": true, "h": true, "tc": true, "table-cell": true, "si": true, "tab": true, "br": true, "line-break": true}

// xmlText writes the character data of an XML part, a space after each
// element that ends a run of words.
func xmlText(b *strings.Builder, r io.Reader, max int) {
	dec := xml.NewDecoder(r)
	for b.Len() < max {
		tok, err := dec.Token()
		if err != nil {
			return
		}
		switch t := tok.(type) {
		case xml.CharData:
			b.WriteString(limit(string(t), max-b.Len()))
		case xml.EndElement:
			if breaks[t.Name.Local] {
				b.WriteByte(' ')
			}
		}
	}
}

// limit cuts s to at most n bytes.
func limit(s string, n int) string {
	if n <= 0 {
		return ""
	}
	if len(s) > n {
		return strings.ToValidUTF8(s[:n], "")
	}
	return s
}
