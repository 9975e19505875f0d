package text

import (
	"bytes"
	"strings"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/extension"
	"github.com/yuin/goldmark/renderer/html"
)

// What people write in Préau's forums, blog posts and the like is Markdown:
// a line break is a line break (children and parents do not know that
// Markdown wants two), tables, struck text and bare links work, and any
// HTML typed in is left out. What goldmark renders then goes through
// the one policy (SafeHTML), so that Markdown is no way around it.

var markdown = goldmark.New(
	goldmark.WithExtensions(extension.GFM),
	goldmark.WithRendererOptions(html.WithHardWraps()),
)

// Markdown is people's Markdown as safe HTML.
func Markdown(src string) string {
	var buf bytes.Buffer
	if err := markdown.Convert([]byte(src), &buf); err != nil {
		// goldmark fails only when writing to buf does: never
		return "<p>" + escape(src) + "</p>"
	}
	safe, _ := SafeHTML(buf.String())
	return safe
}

func escape(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&#34;").Replace(s)
}
