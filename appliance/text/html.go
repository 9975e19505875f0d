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
// Images are kept when they travel with the content (data: URLs) or are
// Préau's own, served under MediaPath: a remote image would tell its
// sender who read their mail, and when, and any other path of Préau's
// would have the reader's browser ask for a page.
var policy = func() *bluemonday.Policy {
	p := bluemonday.UGCPolicy()
	p.RequireNoReferrerOnLinks(true)
	p.AddTargetBlankToFullyQualifiedLinks(true)
	p.AllowURLSchemes("http", "https", "mailto")
	p.AllowDataURIImages()
	p.RewriteSrc(func(u *url.URL) {
		if u.Scheme != "data" && !IsMedia(u) {
			*u = url.URL{} // a remote image, or one of Préau's own pages: no source
		}
	})
	return p
}()

// MediaPath is where features serve the images people put in what they
// write (a forum post's, a blog post's): GET only, each checking who asks.
// Only these, of Préau's own addresses, may be an image's source in
// people's HTML.
const MediaPath = "/media/"

// IsMedia reports whether u is one of Préau's media, on this server.
func IsMedia(u *url.URL) bool {
	return u.Scheme == "" && u.Host == "" && u.Opaque == "" && strings.HasPrefix(u.Path, MediaPath) &&
		!strings.Contains(u.Path, "..") && u.RawQuery == ""
}

// remoteImage is an <img> whose source is fetched from elsewhere.
var remoteImage = regexp.MustCompile(`(?is)<img\b[^>]*\bsrc\s*=\s*["']?\s*(?:https?:)?//`)

// SafeHTML is people's HTML made safe to show inside a Préau page; blocked
// reports whether remote images were left out.
func SafeHTML(s string) (safe string, blocked bool) {
	safe = policy.Sanitize(s)
	if strings.Contains(safe, `src=""`) {
		// A source the policy blanked is left as an empty attribute,
		// which the policy drops when it reads it again: drop it now, so
		// that HTML cleaned once (a class page's, kept) is clean as it is.
		safe = policy.Sanitize(safe)
	}
	return safe, remoteImage.MatchString(s)
}

var strict = bluemonday.StrictPolicy()

// HTMLText is the text of people's HTML, without its markup, for a list's
// excerpt or the search.
func HTMLText(s string) string {
	return strings.TrimSpace(html.UnescapeString(strict.Sanitize(strings.NewReplacer("<br", "\n<br", "<p", "\n<p", "<div", "\n<div").Replace(s))))
}
