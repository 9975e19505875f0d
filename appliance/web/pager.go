package web

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"

	"preau/appliance/apperr"
	"preau/appliance/text"
)

// Pager is one page of a long list and the links around it, for the
// "pager" partial (ui/layout/partials.html): the accounts, the DSI's
// queue of requests.
type Pager struct {
	Total       int // rows matching the filters, of which one page shows
	Page, Pages int
	From, To    int    // positions of the first and last rows shown, from 1
	Prev, Next  string // the neighbouring pages, "" at the ends
	Links       []PageLink
}

// PageLink is one numbered link of a pager.
type PageLink struct {
	Number  int
	Href    string
	Current bool
	Gap     bool // pages left out before this one
}

// Paginate picks the page asked for (the last one when past it, the
// first when it is not a number) of total rows, perPage a page, and the
// links around it: the first, the last, and the current one's
// neighbours; href is a page's address.
func Paginate(total, perPage int, asked string, href func(page int) string) Pager {
	p := Pager{Total: total, Pages: max(1, (total+perPage-1)/perPage)}
	p.Page, _ = strconv.Atoi(asked)
	p.Page = min(max(p.Page, 1), p.Pages)
	p.From, p.To = min((p.Page-1)*perPage+1, total), min(p.Page*perPage, total)
	if p.Page > 1 {
		p.Prev = href(p.Page - 1)
	}
	if p.Page < p.Pages {
		p.Next = href(p.Page + 1)
	}
	if p.Pages == 1 {
		return p
	}
	last := 0
	for n := 1; n <= p.Pages; n++ {
		if n != 1 && n != p.Pages && (n < p.Page-1 || n > p.Page+1) {
			continue
		}
		p.Links = append(p.Links, PageLink{Number: n, Href: href(n), Current: n == p.Page, Gap: n > last+1})
		last = n
	}
	return p
}

// Window is the part of a list of Total rows that the page shows: [From-1, To).
func (p Pager) Window() (from, to int) { return max(p.From-1, 0), p.To }

// The JSON API's lists come in windows: ?limit= (1 to MaxLimit,
// DefaultLimit when absent) and ?offset= (from 0).
const (
	DefaultLimit = 100
	MaxLimit     = 500
)

// APIWindow is the part of a long list an API call asks for.
type APIWindow struct{ Limit, Offset int }

// APIWindowOf reads ?limit= and ?offset=; a value that is not one is
// refused with the parameter named.
func APIWindowOf(q url.Values) (APIWindow, error) {
	p := APIWindow{Limit: DefaultLimit}
	var err error
	if v := q.Get("limit"); v != "" {
		if p.Limit, err = strconv.Atoi(v); err != nil || p.Limit < 1 || p.Limit > MaxLimit {
			return p, apperr.New(apperr.ErrInvalid, "pager.err.limit", "Value", text.Short(v), "Max", MaxLimit)
		}
	}
	if v := q.Get("offset"); v != "" {
		if p.Offset, err = strconv.Atoi(v); err != nil || p.Offset < 0 {
			return p, apperr.New(apperr.ErrInvalid, "pager.err.offset", "Value", text.Short(v))
		}
	}
	return p, nil
}

// Announce tells the client how many rows there are in all (the
// X-Total-Count header) and, when some remain, where the next window is
// (a Link header, rel="next", the request's other parameters kept).
func (p APIWindow) Announce(w http.ResponseWriter, r *http.Request, total int) {
	w.Header().Set("X-Total-Count", strconv.Itoa(total))
	if p.Offset+p.Limit >= total {
		return
	}
	q := r.URL.Query()
	q.Set("limit", strconv.Itoa(p.Limit))
	q.Set("offset", strconv.Itoa(p.Offset+p.Limit))
	w.Header().Set("Link", fmt.Sprintf(`<%s?%s>; rel="next"`, r.URL.Path, q.Encode()))
}
