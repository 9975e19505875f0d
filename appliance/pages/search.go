package pages

import (
	"context"

	"preau/appliance/feature"
	"preau/appliance/store"
	"preau/appliance/text"
)

// searchSource: the class pages, found by their title and text, for
// their class.
var searchSource = feature.SearchSource{Kind: "pages", Icon: "crayon", Table: "pages",
	Entries: func(env *feature.Env, ctx context.Context, ids []string) ([]feature.SearchEntry, error) {
		list, args := store.In(ids)
		return store.Query(ctx, env.DB.Reader(), func(r store.Scanner) (feature.SearchEntry, error) {
			var e feature.SearchEntry
			var classID, html string
			err := r.Scan(&e.ID, &classID, &e.Title, &html)
			e.Body, e.URL = text.HTMLText(html), Path+"/"+e.ID
			e.Audiences = []string{feature.ClassAudience(classID)}
			return e, err
		}, "SELECT id, class_id, title, html FROM pages WHERE deleted = 0 AND owner_id = '' AND id IN ("+list+")", args...)
	}}
