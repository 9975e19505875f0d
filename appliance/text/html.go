package text

import (
	"html"
	"net/url"
	"regexp"
	"strings"

	"github.com/microcosm-cc/bluemonday"
)

// HTML written by people (a mail from outside, a class page) is shown only
// through SafeHTML: one policy for the whole product, so that what one page
// allows no other page forgets to refuse.

// policy keeps the formatting of user-generated content (paragraphs, lists,
// tables, links, emphasis) and drops scripts, styles, forms and frames.
// Links open outside Préau without telling the site where they came from.
// Images are kept only when they travel with the content (data: URLs):
// a remote image would tell its sender who read their mail, and when.
var policy = func() *bluemonday.Policy {
	p := bluemonday.UGCPolicy()
	p.RequireNoReferrerOnLinks(true)
	p.AddTargetBlankToFullyQualifiedLinks(true)
	p.AllowURLSchemes("http", "https", "mailto")
	p.AllowDataURIImages()
	p.RewriteSrc(func(u *url.URL) {
		if u.Scheme != "data" {
			*u = url.URL{} // a remote image, or one of Préau's own pages: no source
		}
	})
	return p
}()

// remoteImage is an <img> whose source is fetched from elsewhere.
var remoteImage = regexp.MustCompile(`(?is)<img\b[^>]*\bsrc\s*=\s*["']?\s*(?:https?:)?//`)

// SafeHTML is people's HTML made safe to show inside a Préau page; blocked
// reports whether remote images were left out.
func SafeHTML(s string) (safe string, blocked bool) {
	return policy.Sanitize(s), remoteImage.MatchString(s)
}

var strict = bluemonday.StrictPolicy()

// HTMLText is the text of people's HTML, without its markup, for a list's
// excerpt or the search.
func HTMLText(s string) string {
	return strings.TrimSpace(html.UnescapeString(strict.Sanitize(strings.NewReplacer("<br", "\n<br", "<p", "\n<p", "<div", "\n<div").Replace(s))))
}
