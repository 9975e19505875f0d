package minisites

import (
	"context"

	"preau/appliance/feature"
	"preau/appliance/store"
	"preau/appliance/text"
)

// searchSource: the published mini-sites, found by their title and the
// text of their pages, by those they were published to. Drafts are the
// group's and their teacher's work, not yet to be found.
var searchSource = feature.SearchSource{Kind: "minisites", Icon: "globe", Table: "minisites", Entries: searchEntries}

// searchRow is a published site as the index reads it.
type searchRow struct {
	entry                       feature.SearchEntry
	schoolID, classID, audience string
}

func searchEntries(env *feature.Env, ctx context.Context, ids []string) ([]feature.SearchEntry, error) {
	list, args := store.In(ids)
	rows, err := store.Query(ctx, env.DB.Reader(), func(r store.Scanner) (searchRow, error) {
		var s searchRow
		var html string
		err := r.Scan(&s.entry.ID, &s.schoolID, &s.classID, &s.entry.Title, &s.audience, &html)
		s.entry.Body, s.entry.URL = text.HTMLText(html), Path+"/"+s.entry.ID+"/lire"
		return s, err
	}, `SELECT s.id, s.school_id, s.class_id, s.title, s.audience,
			coalesce((SELECT group_concat(p.title || ' ' || p.html, ' ') FROM minisite_published p
				WHERE p.site_id = s.id AND p.deleted = 0), '')
		FROM minisites s WHERE s.deleted = 0 AND s.status = 'published' AND s.audience != '' AND s.id IN (`+list+")", args...)
	if err != nil {
		return nil, err
	}
	out := make([]feature.SearchEntry, len(rows))
	for i, r := range rows {
		out[i] = r.entry
		if out[i].Audiences, err = searchAudiences(env, ctx, r.audience, r.schoolID, r.classID); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// searchAudiences are who finds a site published to audience: who may
// read it (see mayReadPublished). A site published to its class is for
// the class's pupils, each by name as the index knows no audience of a
// class's pupils alone, and its staff; a pupil who joins the class finds
// it once the site is indexed again (published again, or the index
// rebuilt).
func searchAudiences(env *feature.Env, ctx context.Context, audience, schoolID, classID string) ([]string, error) {
	switch audience {
	case Public:
		return []string{feature.SchoolAudience(feature.Global)}, nil
	case School:
		return []string{feature.SchoolAudience(schoolID)}, nil
	case Parents:
		return []string{feature.ClassAudience(classID)}, nil
	}
	pupils, err := env.Register.ClassPupils(ctx, classID)
	out := []string{feature.ClassStaffAudience(classID)}
	for _, p := range pupils {
		out = append(out, feature.PersonAudience(p.ID))
	}
	return out, err
}
