package search

import (
	"slices"
	"strings"
	"unicode/utf8"
)

// What a query found, in order and in context: the candidates FTS5 gives
// (the newest that match) are ranked here, in Go, rather than by FTS5's
// bm25: ranking every match of a common word took tens of milliseconds over
// a large index, and a school's results are few.

const (
	candidatesPerKind = 200 // the newest matches of a kind that are ranked
	snippetBefore     = 60  // bytes of text shown before the first word found
	snippetLen        = 220 // bytes of text a snippet shows at most
)

// candidate is a match before ranking.
type candidate struct {
	Result
	rowid int64
	score int
}

// rank orders candidates: the more words found in the title, the higher
// (a word FTS5 matched that is not in the title is in the text); the
// newest first among equals (candidates come newest first).
func rank(cs []candidate, folded []string) []candidate {
	for i := range cs {
		title := foldedWords(cs[i].Title)
		for _, t := range folded {
			if slices.ContainsFunc(title, func(w string) bool { return strings.HasPrefix(w, t) }) {
				cs[i].score += 4
			} else {
				cs[i].score++
			}
		}
	}
	slices.SortStableFunc(cs, func(a, b candidate) int { return b.score - a.score })
	return cs
}

func foldedWords(s string) []string {
	ws := words(s)
	for i, w := range ws {
		ws[i] = fold(w)
	}
	return ws
}

// snippet is the piece of text around the first word found, cut at word
// boundaries, with the words found marked; the text's beginning when no
// word of it was found (the title matched).
func snippet(body string, folded []string) []Part {
	spans := wordSpans(body)
	first := -1
	for i, s := range spans {
		if matches(body[s[0]:s[1]], folded) {
			first = i
			break
		}
	}
	start := 0
	if first >= 0 {
		start = spans[first][0]
		for i := first; i >= 0 && spans[first][0]-spans[i][0] <= snippetBefore; i-- {
			start = spans[i][0]
		}
	}
	end := min(len(body), start+snippetLen)
	for end < len(body) && !utf8.RuneStart(body[end]) {
		end--
	}
	var parts []Part
	if start > 0 {
		parts = append(parts, Part{Text: "… "})
	}
	at := start
	for _, s := range spans {
		if s[0] < start || s[1] > end {
			continue
		}
		if matches(body[s[0]:s[1]], folded) {
			parts = appendText(parts, body[at:s[0]])
			parts = append(parts, Part{Text: body[s[0]:s[1]], Found: true})
			at = s[1]
		}
	}
	// The last word cut in half is left out.
	if end < len(body) {
		if i := strings.LastIndexAny(body[at:end], " \n\t"); i >= 0 {
			end = at + i
		}
		parts = appendText(parts, body[at:end])
		return append(parts, Part{Text: " …"})
	}
	return appendText(parts, body[at:end])
}

func appendText(parts []Part, s string) []Part {
	if s == "" {
		return parts
	}
	return append(parts, Part{Text: s})
}

func matches(word string, folded []string) bool {
	w := fold(word)
	return slices.ContainsFunc(folded, func(t string) bool { return strings.HasPrefix(w, t) })
}

// wordSpans are the byte offsets [start, end) of the words of s.
func wordSpans(s string) [][2]int {
	var out [][2]int
	start := -1
	for i, r := range s {
		switch in := wordRune(r); {
		case in && start < 0:
			start = i
		case !in && start >= 0:
			out = append(out, [2]int{start, i})
			start = -1
		}
	}
	if start >= 0 {
		out = append(out, [2]int{start, len(s)})
	}
	return out
}
