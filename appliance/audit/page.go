package audit

import (
	"net/http"
	"net/url"
	"strconv"

	"preau/appliance/apperr"
	"preau/appliance/auth"
	"preau/appliance/config"
	"preau/appliance/feature"
	"preau/appliance/text"
	"preau/appliance/web"
)

// Path is the journal's page.
const Path = "/journal"

// journalPage is what the page shows: a page of entries, newest first,
// under the filters that chose them.
type journalPage struct {
	Entries []Entry
	DSI     bool
	Schools []auth.School     // the DSI's choice of school
	Names   map[string]string // school names by id, for the DSI's column
	Actions []string
	Form    journalForm
	Older   string // the next page's link, "" on the last
	Newer   string // the previous page's link, "" on the first
}

// journalForm is the page's filters as the form sends them.
type journalForm struct {
	From, To, Action, School string
}

// query is the form as a link's query, at position offset.
func (f journalForm) query(offset int) string {
	v := url.Values{}
	for k, s := range map[string]string{"du": f.From, "au": f.To, "action": f.Action, "ecole": f.School} {
		if s != "" {
			v.Set(k, s)
		}
	}
	if offset > 0 {
		v.Set("position", strconv.Itoa(offset))
	}
	if len(v) == 0 {
		return Path
	}
	return Path + "?" + v.Encode()
}

func (h *handlers) page(w http.ResponseWriter, r *http.Request) {
	u := web.CurrentUser(r)
	q := r.URL.Query()
	form := journalForm{From: q.Get("du"), To: q.Get("au"), Action: q.Get("action"), School: q.Get("ecole")}
	f, err := filterFrom(form.From, form.To, q.Get("position"))
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	f.Action, f.School, f.Limit = form.Action, form.School, PageSize+1
	entries, err := h.s.List(r.Context(), u, f)
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	p := journalPage{Entries: entries, DSI: u.Profile == auth.DSI, Actions: Actions, Form: form}
	if len(entries) > PageSize {
		p.Entries, p.Older = entries[:PageSize], form.query(f.Offset+PageSize)
	}
	if f.Offset > 0 {
		p.Newer = form.query(max(f.Offset-PageSize, 0))
	}
	if p.DSI {
		if p.Schools, err = h.Register.Schools(r.Context()); err != nil {
			h.Fail(w, r, err)
			return
		}
		p.Names = make(map[string]string, len(p.Schools))
		for _, sc := range p.Schools {
			p.Names[sc.ID] = sc.Name
		}
	}
	h.Render(w, r, "audit/journal", web.T(r, "audit.title"), p)
}

// filterFrom reads a period (days in the schools' zone, both included)
// and a position in the list, as the API and the page both give them.
func filterFrom(from, to, offset string) (Filter, error) {
	var f Filter
	if from != "" {
		d, err := feature.Day(from)
		if err != nil {
			return f, apperr.New(apperr.ErrInvalid, "audit.err.day", "Value", text.Short(from))
		}
		f.From = d
	}
	if to != "" {
		d, err := feature.Day(to)
		if err != nil {
			return f, apperr.New(apperr.ErrInvalid, "audit.err.day", "Value", text.Short(to))
		}
		f.To = d.AddDate(0, 0, 1)
	}
	if offset != "" {
		n, err := strconv.Atoi(offset)
		if err != nil || n < 0 {
			return f, apperr.New(apperr.ErrInvalid, "audit.err.offset")
		}
		f.Offset = n
	}
	return f, nil
}

// tiles: the director reads their school's journal; the DSI, on central,
// the city's.
func tiles(env *feature.Env) []web.Tile {
	out := []web.Tile{{Profile: auth.Director, Label: "audit.tile.title", Href: Path, Icon: "cadenas", Order: 70,
		Hint: "audit.tile.director_hint"}}
	if env.Config.Role == config.RoleCentral {
		out = append(out, web.Tile{Profile: auth.DSI, Label: "audit.tile.title", Href: Path, Icon: "cadenas", Order: 40,
			Hint: "audit.tile.dsi_hint"})
	}
	return out
}
