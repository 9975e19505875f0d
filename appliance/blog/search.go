package blog

import (
	"context"

	"preau/appliance/feature"
)

// searchSource: the published posts, found by their title and text, for
// their class or their school.
var searchSource = feature.SearchSource{Kind: "blog", Icon: "images", Table: "blog_posts",
	Entries: func(env *feature.Env, ctx context.Context, ids []string) ([]feature.SearchEntry, error) {
		return searchEntries(ctx, env.DB, ids)
	}}
