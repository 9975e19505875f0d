package mail

import "testing"

func TestReplyText(t *testing.T) {
	for _, tc := range []struct {
		in   string
		utf8 bool
		out  string
		ok   bool
	}{
		{"Personne n’a l’adresse « x@preau.local »…", false, `Personne n'a l'adresse " x@preau.local "...`, true},
		{"Vous ne pouvez pas écrire à Zoé\u202f!", false, "Vous ne pouvez pas ecrire a Zoe !", true},
		{"Vous ne pouvez pas écrire à Zoé.", true, "Vous ne pouvez pas écrire à Zoé.", true},
		{"illisible : ligne\r\n250 OK", true, "illisible : ligne  250 OK", true},
		{"لا يمكنك الكتابة إلى زوي", false, "", false},
	} {
		out, ok := replyText(tc.in, tc.utf8)
		if ok != tc.ok || (ok && out != tc.out) {
			t.Errorf("replyText(%q, %v) = %q %v, want %q %v", tc.in, tc.utf8, out, ok, tc.out, tc.ok)
		}
	}
}
