package sites

import (
	"context"

	"preau/appliance/feature"
)

// searchSource: the sites, found by their title, comment and address; a
// result opens the site itself.
var searchSource = feature.SearchSource{Kind: "sites", Icon: "globe", Table: "sites",
	Entries: func(env *feature.Env, ctx context.Context, ids []string) ([]feature.SearchEntry, error) {
		return searchEntries(ctx, env.DB, ids)
	}}

// audiences are those who see the site, as the search writes them: a
// school's for its class or level, and all its staff; the city's for the
// schools it is meant for (a level of them, when it names one), and the
// DSI.
func (s Site) audiences() []string {
	if !s.City() {
		out := []string{feature.SchoolStaffAudience(s.SchoolID)}
		if s.ClassID != "" {
			return append(out, feature.ClassAudience(s.ClassID))
		}
		return append(out, feature.LevelAudience(s.SchoolID, s.Level))
	}
	out := []string{feature.DSIAudience}
	schools := s.Schools
	if len(schools) == 0 {
		schools = feature.Targets{feature.Global}
	}
	for _, school := range schools {
		if s.Level == "" {
			out = append(out, feature.SchoolAudience(school))
		} else {
			out = append(out, feature.LevelAudience(school, s.Level), feature.SchoolStaffAudience(school))
		}
	}
	return out
}
