package text

import (
	"strings"
	"testing"
)

func TestSafeHTML(t *testing.T) {
	in := `<p onclick="x()">Bonjour <b>à tous</b><script>alert(1)</script>
<img src="https://tracker.example/p.gif"><img src="data:image/png;base64,iVBORw0KGgo=">
<a href="javascript:alert(1)">piège</a> <a href="https://ecole.example/">site</a><iframe src="https://x"></iframe><style>p{}</style></p>`
	out, blocked := SafeHTML(in)
	if !blocked {
		t.Error("the remote image was not reported")
	}
	for _, bad := range []string{"onclick", "<script", "alert", "tracker.example", "javascript:", "<iframe", "<style"} {
		if strings.Contains(out, bad) {
			t.Errorf("%q kept in %s", bad, out)
		}
	}
	for _, good := range []string{"<b>à tous</b>", "data:image/png", `href="https://ecole.example/"`, "noreferrer", `target="_blank"`} {
		if !strings.Contains(out, good) {
			t.Errorf("%q lost in %s", good, out)
		}
	}
	if _, blocked := SafeHTML("<p>rien</p>"); blocked {
		t.Error("nothing to block, yet blocked")
	}
	if got := HTMLText("<p>Un&nbsp;mot</p><p>deux <b>mots</b></p>"); !strings.Contains(got, "deux mots") || strings.Contains(got, "<") {
		t.Errorf("HTMLText = %q", got)
	}
}

// Markdown keeps what people format and refuses what they could smuggle:
// typed HTML is left out, javascript: links go, only Préau's media are
// images.
func TestMarkdown(t *testing.T) {
	out := Markdown("# Sortie\n**Bravo** à tous\nligne deux\n\n<script>alert(1)</script>\n[piège](javascript:alert(1)) " +
		"![photo](/media/forum/1a2b) ![pisteur](https://tracker.example/p.gif) ![page](/deconnexion) ![remonte](/media/../deconnexion)\n\n" +
		"| a | b |\n|---|---|\n| 1 | 2 |\n\nhttps://ecole.example/")
	for _, good := range []string{"<h1", "<strong>Bravo</strong>", "<br", "<table>", `src="/media/forum/1a2b"`, `href="https://ecole.example/"`} {
		if !strings.Contains(out, good) {
			t.Errorf("%q lost in %s", good, out)
		}
	}
	for _, bad := range []string{"<script", "javascript:", "tracker.example", `src="/deconnexion"`, "/media/.."} {
		if strings.Contains(out, bad) {
			t.Errorf("%q kept in %s", bad, out)
		}
	}
}
