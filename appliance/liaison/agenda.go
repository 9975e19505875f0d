package liaison

import (
	"context"

	"preau/appliance/auth"
	"preau/appliance/feature"
)

// agendaFeed shows, on the day a note is about (an outing), the note: in
// the agenda of the pupils it is about and of their parents, and of its
// class's staff.
func agendaFeed(env *feature.Env, ctx context.Context, u auth.User, from, to string) ([]feature.Occurrence, error) {
	s := serviceOf(env)
	var notes []Note
	switch u.Profile {
	case auth.Pupil:
		ns, err := s.PupilNotes(ctx, u.ID)
		if err != nil {
			return nil, err
		}
		notes = ns
	case auth.Parent:
		children, err := env.Register.Children(ctx, u.ID)
		if err != nil {
			return nil, err
		}
		seen := map[string]bool{}
		for _, c := range children {
			ns, err := s.PupilNotes(ctx, c.ID)
			if err != nil {
				return nil, err
			}
			for _, n := range ns {
				if !seen[n.ID] {
					seen[n.ID] = true
					n.PupilID = c.ID
					notes = append(notes, n)
				}
			}
		}
	default:
		classes, err := s.StaffClasses(ctx, u)
		if err != nil {
			return nil, err
		}
		ids := make([]string, len(classes))
		for i, c := range classes {
			ids[i] = c.ID
		}
		if notes, err = s.classNotes(ctx, ids); err != nil {
			return nil, err
		}
	}
	var out []feature.Occurrence
	for _, n := range notes {
		if n.Day == "" || n.Day < from || n.Day >= to {
			continue
		}
		start, err := feature.Day(n.Day)
		if err != nil {
			continue
		}
		url := Path
		switch {
		case u.Profile == auth.Parent:
			url += "?enfant=" + n.PupilID
		case u.Profile != auth.Pupil:
			url += "/" + n.ID
		}
		out = append(out, feature.Occurrence{ID: n.ID, Title: n.Title, Start: start, End: start.AddDate(0, 0, 1), AllDay: true,
			URL: url, Calendar: "liaison"})
	}
	return out, nil
}
