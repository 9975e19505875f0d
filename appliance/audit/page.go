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
	Pager   web.Pager
}

// journalForm is the page's filters as the form sends them.
type journalForm struct {
	From, To, Action, School string
}

// url is the journal's address with these filters, at a page; page 1
// and empty filters are left out, as in the other paged lists.
func (f journalForm) url(page int) string {
	v := url.Values{}
	for k, s := range map[string]string{"du": f.From, "au": f.To, "action": f.Action, "ecole": f.School} {
		if s != "" {
			v.Set(k, s)
		}
	}
	if page > 1 {
		v.Set("page", strconv.Itoa(page))
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
	f, err := filterFrom(form.From, form.To)
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	f.Action, f.School = form.Action, form.School
	total, err := h.s.Count(r.Context(), u, f)
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	p := journalPage{DSI: u.Profile == auth.DSI, Actions: Actions, Form: form,
		Pager: web.Paginate(total, PageSize, q.Get("page"), form.url)}
	f.Offset, _ = p.Pager.Window()
	if p.Entries, err = h.s.List(r.Context(), u, f); err != nil {
		h.Fail(w, r, err)
		return
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

// filterFrom reads a period, days in the schools' zone, both included,
// as the API and the page both give it.
func filterFrom(from, to string) (Filter, error) {
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
