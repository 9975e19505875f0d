package documents

import (
	"context"

	"preau/appliance/feature"
)

// maxSearchText is how much of a document's text the search keeps.
const maxSearchText = 64 << 10

// searchSource: documents are found by their name, folder and text; their
// class reads them.
var searchSource = feature.SearchSource{Kind: "documents", Icon: "documents", Table: "documents", Entries: searchEntries}

func searchEntries(env *feature.Env, ctx context.Context, ids []string) ([]feature.SearchEntry, error) {
	ds, err := byIDs(ctx, env.DB, ids)
	if err != nil {
		return nil, err
	}
	out := make([]feature.SearchEntry, 0, len(ds))
	for _, d := range ds {
		e := feature.SearchEntry{ID: d.ID, Title: d.Name, Body: d.Folder, URL: Path + "/" + d.ID + "/fichier",
			Audiences: []string{feature.ClassAudience(d.ClassID)}}
		if d.City() {
			e.URL, e.Audiences = LibraryPath+"/"+d.ID+"/fichier", []string{feature.DSIAudience}
			schools := d.Schools
			if len(schools) == 0 {
				schools = feature.Targets{feature.Global}
			}
			for _, school := range schools {
				e.Audiences = append(e.Audiences, feature.SchoolAudience(school))
			}
		}
		if f, err := env.DB.Blobs().Open(d.Blob); err == nil {
			e.Body += " " + extractText(f, d.Size, d.Type, d.Name, maxSearchText)
			f.Close()
		}
		out = append(out, e)
	}
	return out, nil
}
