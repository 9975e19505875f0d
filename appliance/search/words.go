package search

import (
	"crypto/sha256"
	"encoding/hex"
	"preau/appliance/text"
	"strings"
	"unicode"
)

// How words enter the index. Each word of an entry is written once for
// each of its audiences, after a key made of the entry's kind and that
// audience: « 3fa9…c1mathématiques ». FTS5 folds the whole token (case,
// accents). A query for « math » by someone holding audiences A and B asks
// for the prefixes key(kind, A)+« math » or key(kind, B)+« math »: the
// only words FTS5 reads are those of the entries the caller may see, of
// one kind, so a query costs what the caller's share of the index holds,
// not what the whole index does. (With the audience as a separate column,
// FTS5 had to walk the long lists of common words across the whole index
// to intersect them: 30 to 110 ms over a million rows, against 1 to 7 ms.)

const keyLen = 16 // hex digits of a key: fixed, so a word starts right after it

// key is the prefix of the words of one kind for one audience.
func key(kind, audience string) string {
	sum := sha256.Sum256([]byte(kind + "\x00" + audience))
	return "k" + hex.EncodeToString(sum[:keyLen/2])[:keyLen-1]
}

// wordRune reports whether r is part of a word: what FTS5's unicode61
// keeps too (letters, digits, and the marks an accent may be written as).
func wordRune(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.IsMark(r) }

// words splits text as the index does.
func words(text string) []string {
	return strings.FieldsFunc(text, func(r rune) bool { return !wordRune(r) })
}

// indexed is what search_words holds of an entry: every distinct word of
// its title and text after the key of each of its audiences.
func indexed(kind string, audiences []string, title, body string) string {
	seen := map[string]bool{}
	var distinct []string
	for _, w := range append(words(title), words(body)...) {
		w = strings.ToLower(w)
		if !seen[w] {
			seen[w] = true
			distinct = append(distinct, w)
		}
	}
	var b strings.Builder
	for _, a := range audiences {
		k := key(kind, a)
		for _, w := range distinct {
			b.WriteString(k)
			b.WriteString(w)
			b.WriteByte(' ')
		}
	}
	return b.String()
}

// fold is a word as compared for ranking and snippets: lower case,
// without accents. Most words are plain ASCII: they only lose their
// capitals.
func fold(s string) string { return text.StripAccents(strings.ToLower(s)) }

// audienceKind is what an audience is of: "class" for a class's readers
// (feature's audiences are written kind:id).
func audienceKind(a string) string { k, _, _ := strings.Cut(a, ":"); return k }
