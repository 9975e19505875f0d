package forum

import (
	"context"

	"preau/appliance/feature"
)

// searchSource: the published posts, found by their text and their
// thread's title, for their forum's readers.
var searchSource = feature.SearchSource{Kind: "forum", Icon: "bulle", Table: "forum_posts",
	Entries: func(env *feature.Env, ctx context.Context, ids []string) ([]feature.SearchEntry, error) {
		return searchEntries(ctx, newService(env), ids)
	}}

// audiences are who reads a forum, as the search writes them (see
// reader.sees).
func (s *Service) audiences(ctx context.Context, f Forum) ([]string, error) {
	switch f.Audience {
	case Class:
		return []string{feature.ClassAudience(f.ClassID)}, nil
	case Parents:
		pupils, err := s.reg.ClassPupils(ctx, f.ClassID)
		if err != nil {
			return nil, err
		}
		ids := make([]string, len(pupils))
		for i, p := range pupils {
			ids[i] = p.ID
		}
		parents, err := feature.ParentIDs(ctx, s.reg, ids)
		if err != nil {
			return nil, err
		}
		out := []string{feature.ClassStaffAudience(f.ClassID)}
		for _, id := range parents {
			out = append(out, feature.PersonAudience(id))
		}
		return out, nil
	case School:
		return []string{feature.SchoolAudience(f.SchoolID)}, nil
	case Staff:
		return []string{feature.SchoolStaffAudience(f.SchoolID)}, nil
	}
	return []string{feature.SchoolStaffAudience(feature.Global), feature.DSIAudience}, nil
}
