package homework

import (
	"context"

	"preau/appliance/auth"
	"preau/appliance/feature"
)

// agendaFeed shows, in a pupil's agenda, the days their work is due; in a
// parent's, each child's, named; in the staff's, their classes'.
func agendaFeed(env *feature.Env, ctx context.Context, u auth.User, from, to string) ([]feature.Occurrence, error) {
	s := serviceOf(env)
	who := map[string]string{} // class id → the child's first name, for a parent
	var classes []auth.Class
	var err error
	if u.Profile == auth.Parent {
		children, err := env.Register.Children(ctx, u.ID)
		if err != nil {
			return nil, err
		}
		for _, c := range children {
			cs, err := env.Register.UserClasses(ctx, c.ID)
			if err != nil {
				return nil, err
			}
			for _, cl := range cs {
				who[cl.ID] = c.FirstName
				classes = append(classes, cl)
			}
		}
	} else if classes, err = s.ReadableClasses(ctx, u); err != nil {
		return nil, err
	}
	ids := make([]string, len(classes))
	for i, c := range classes {
		ids[i] = c.ID
	}
	es, err := s.entriesBetween(ctx, ids, from, to)
	var out []feature.Occurrence
	for _, e := range es {
		start, err := feature.Day(e.Due)
		if err != nil {
			continue
		}
		title := e.Title
		if name := who[e.ClassID]; name != "" {
			title = name + " · " + title
		}
		out = append(out, feature.Occurrence{ID: e.ID, Title: title, Start: start, End: start.AddDate(0, 0, 1), AllDay: true,
			URL: Path, Calendar: "homework"})
	}
	return out, err
}
