package text

import (
	"strings"
	"testing"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// FuzzSafeHTML: whatever HTML people send (a mail from outside, a class
// page's HTML posted by an editing client), what SafeHTML keeps runs
// nothing, and cleaning it again changes nothing.
func FuzzSafeHTML(f *testing.F) {
	for _, s := range []string{
		`<p>Bonjour <b>à tous</b></p>`,
		`<p onclick="x()">a</p><script>alert(1)</script>`,
		`<a href="javascript:alert(1)">x</a><a href=" jAvAsCrIpT&colon;alert(1)">y</a>`,
		`<img src="data:image/png;base64,iVBORw0KGgo="><img src="https://tracker.example/p.gif">`,
		`<svg><script>alert(1)</script></svg><math><style><img src=x onerror=alert(1)></style></math>`,
		`<table><tr><td>1</td></tr></table><iframe src="https://x"></iframe>`,
		`<noscript><p title="</noscript><img src=x onerror=alert(1)>">`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		out, _ := SafeHTML(in)
		assertInert(t, out)
		if again, _ := SafeHTML(out); again != out {
			t.Errorf("cleaning twice changes it:\n once %q\ntwice %q", out, again)
		}
	})
}

// FuzzMarkdown: whatever Markdown people type, the HTML it becomes runs
// nothing, and is already clean for SafeHTML.
func FuzzMarkdown(f *testing.F) {
	for _, s := range []string{
		"# Sortie\n**Bravo** à tous\nligne deux",
		"<script>alert(1)</script>\n\n[piège](javascript:alert(1))",
		"![photo](/media/forum/1a2b) ![pisteur](https://tracker.example/p.gif) ![remonte](/media/../deconnexion)",
		"| a | b |\n|---|---|\n| 1 | 2 |\n\nhttps://ecole.example/",
		"[x](<javascript:alert(1)>) [y](java\tscript:alert(1)) <javascript:alert(1)>",
		"- [ ] tâche\n- [x] faite\n\n~~barré~~ `code <b>` \n\n    bloc <i>",
		"<a href='x' onmouseover='alert(1)'>survol</a>",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		out := Markdown(in)
		assertInert(t, out)
		if again, _ := SafeHTML(out); again != out {
			t.Errorf("Markdown's HTML is not clean for SafeHTML:\n markdown %q\n cleaned  %q", out, again)
		}
	})
}

// assertInert fails when html, as a browser parses it, holds a script,
// a style or a frame, an event handler, or a URL that runs: what a
// sanitizer exists to leave out.
func assertInert(t *testing.T, s string) {
	t.Helper()
	nodes, err := html.ParseFragment(strings.NewReader(s), &html.Node{Type: html.ElementNode, Data: "div", DataAtom: atom.Div})
	if err != nil {
		t.Fatalf("unparsable output %q: %v", s, err)
	}
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode {
			switch strings.ToLower(n.Data) {
			case "script", "style", "iframe", "frame", "object", "embed", "form", "base", "meta", "link", "svg", "math":
				t.Errorf("<%s> kept in %q", n.Data, s)
			}
			for _, a := range n.Attr {
				key := strings.ToLower(a.Key)
				if strings.HasPrefix(key, "on") || key == "style" || key == "srcdoc" || key == "formaction" {
					t.Errorf("attribute %s kept in %q", a.Key, s)
				}
				if (key == "href" || key == "src" || key == "action" || key == "xlink:href") && runs(a.Val) {
					t.Errorf("%s=%q runs, in %q", a.Key, a.Val, s)
				}
				if key == "src" && n.Data == "img" && !strings.HasPrefix(a.Val, "data:") && !strings.HasPrefix(a.Val, MediaPath) {
					t.Errorf("image source %q is neither carried along nor Préau's media, in %q", a.Val, s)
				}
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	for _, n := range nodes {
		walk(n)
	}
}

// runs reports whether a URL, read as a browser reads it (entities
// already decoded by the parser; tabs, newlines and leading controls
// ignored), has a scheme that executes.
func runs(u string) bool {
	u = strings.Map(func(r rune) rune {
		if r == '\t' || r == '\n' || r == '\r' {
			return -1
		}
		return r
	}, u)
	u = strings.ToLower(strings.TrimLeft(u, "\x00\x01\x02\x03\x04\x05\x06\x07\x08\x0b\x0c\x0e\x0f\x10\x11\x12\x13\x14\x15\x16\x17\x18\x19\x1a\x1b\x1c\x1d\x1e\x1f "))
	for _, scheme := range []string{"javascript:", "vbscript:", "data:text/html", "data:image/svg"} {
		if strings.HasPrefix(u, scheme) {
			return true
		}
	}
	return false
}
