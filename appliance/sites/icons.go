package sites

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"slices"
	"strings"
	"syscall"
	"time"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// A site added without a picture gets its own icon, fetched by the server
// from the site: the icon its page names for phones (apple-touch-icon),
// its sharing picture (og:image), its browser icon, or else /favicon.ico.
// The server asks on a teacher's behalf, so the addresses it may reach
// are guarded: never this machine, the school's LAN or a link-local
// address (the cloud's metadata), whatever name resolves to them. A fetch
// that fails is no error: the card shows the title's first letter.

const (
	iconTimeout = 3 * time.Second // the whole search, page and icon
	maxPage     = 512 << 10       // of a page, what is read for its links
	maxIcon     = 1 << 20         // an icon larger is not one
	maxTries    = 4               // icons tried, at most
)

// iconFetcher finds and fetches a site's icon.
type iconFetcher struct {
	timeout  time.Duration
	loopback bool // tests serve their pages on 127.0.0.1
	off      bool // the demo's: nothing fetched
}

// errRefusedAddress is an address the fetcher never dials.
var errRefusedAddress = errors.New("sites: address refused (loopback, private or link-local)")

// allowed reports whether the fetcher may dial ip.
func (f *iconFetcher) allowed(ip netip.Addr) bool {
	ip = ip.Unmap()
	if ip.IsLoopback() {
		return f.loopback
	}
	return ip.IsValid() && !ip.IsPrivate() && !ip.IsLinkLocalUnicast() && !ip.IsLinkLocalMulticast() && !ip.IsUnspecified() &&
		!ip.IsMulticast() && !ip.IsInterfaceLocalMulticast()
}

// client is an HTTP client whose every connection, redirects included,
// goes to an allowed address: the check is made on the address resolved,
// just before dialing. No proxy: a proxy would resolve names itself.
func (f *iconFetcher) client() *http.Client {
	dialer := &net.Dialer{Timeout: f.timeout, Control: func(network, address string, _ syscall.RawConn) error {
		host, _, err := net.SplitHostPort(address)
		if err != nil {
			return err
		}
		ip, err := netip.ParseAddr(host)
		if err != nil || !f.allowed(ip) {
			return errRefusedAddress
		}
		return nil
	}}
	return &http.Client{
		Timeout:   f.timeout,
		Transport: &http.Transport{Proxy: nil, DialContext: dialer.DialContext, TLSHandshakeTimeout: f.timeout, MaxIdleConns: 1},
		CheckRedirect: func(req *http.Request, via []*http.Request) error {
			if len(via) >= 3 || (req.URL.Scheme != "http" && req.URL.Scheme != "https") {
				return http.ErrUseLastResponse
			}
			return nil
		},
	}
}

// fetch is the icon of the site at pageURL, nil when none could be had.
func (f *iconFetcher) fetch(ctx context.Context, pageURL string) []byte {
	if f.off {
		return nil
	}
	ctx, cancel := context.WithTimeout(ctx, f.timeout)
	defer cancel()
	c := f.client()
	defer c.CloseIdleConnections()
	base, err := url.Parse(pageURL)
	if err != nil {
		return nil
	}
	var candidates []string
	if page, final, err := get(ctx, c, pageURL, maxPage, "text/html"); err == nil {
		candidates = iconLinks(page, final)
		base = final
	}
	candidates = append(candidates, base.ResolveReference(&url.URL{Path: "/favicon.ico"}).String())
	for i, u := range candidates {
		if i == maxTries || ctx.Err() != nil {
			break
		}
		if b, _, err := get(ctx, c, u, maxIcon, "image/*"); err == nil && pictureType(b) != "" {
			return b
		}
	}
	return nil
}

// get reads at most limit bytes of what u answers with 200, and the
// address it came from after redirects.
func get(ctx context.Context, c *http.Client, u string, limit int64, accept string) ([]byte, *url.URL, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, nil, err
	}
	req.Header.Set("Accept", accept)
	req.Header.Set("User-Agent", "Preau (ENT; icon of a curated site)")
	resp, err := c.Do(req)
	if err != nil {
		return nil, nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, nil, errors.New(resp.Status)
	}
	b, err := io.ReadAll(io.LimitReader(resp.Body, limit))
	return b, resp.Request.URL, err
}

// iconLinks are the icons a page names in its head, best first: for
// phones, for sharing, for browsers; resolved against the page's address.
func iconLinks(page []byte, base *url.URL) []string {
	var touch, og, icons []string
	z := html.NewTokenizer(bytes.NewReader(page))
	for {
		tt := z.Next()
		if tt == html.ErrorToken {
			break
		}
		if tt != html.StartTagToken && tt != html.SelfClosingTagToken && tt != html.EndTagToken {
			continue
		}
		tok := z.Token()
		if tok.DataAtom == atom.Body || (tt == html.EndTagToken && tok.DataAtom == atom.Head) {
			break // the icons are in the head
		}
		attr := func(name string) string {
			for _, a := range tok.Attr {
				if a.Key == name {
					return strings.TrimSpace(a.Val)
				}
			}
			return ""
		}
		switch tok.DataAtom {
		case atom.Link:
			rels := strings.Fields(strings.ToLower(attr("rel")))
			href := attr("href")
			switch {
			case href == "":
			case slices.Contains(rels, "apple-touch-icon") || slices.Contains(rels, "apple-touch-icon-precomposed"):
				touch = append(touch, href)
			case slices.Contains(rels, "icon") && !strings.Contains(attr("type"), "svg"):
				icons = append(icons, href)
			}
		case atom.Meta:
			if p := attr("property"); (p == "og:image" || p == "og:image:url") && attr("content") != "" {
				og = append(og, attr("content"))
			}
		}
	}
	var out []string
	for _, href := range append(append(touch, og...), icons...) {
		u, err := base.Parse(href)
		if err == nil && (u.Scheme == "http" || u.Scheme == "https") {
			out = append(out, u.String())
		}
	}
	return out
}
