// Package forum is the forums: a class's, the school's, the staff's, the
// parents' of a class and the city's, with categories, threads and posts
// in Markdown (shown through the one sanitizer policy), images and
// attachments, pinned and locked threads, what each person has not read
// yet, quotes, new posts told live through the notification hub, and
// moderation: pupils' posts held for approval where a forum wants it,
// reports of a post queued for the class's teacher or the director.
//
// It imports auth, store, text, notify, web and feature (the register
// through feature.Register); no other feature.
package forum

import (
	"net/http"

	"preau/appliance/auth"
	"preau/appliance/config"
	"preau/appliance/feature"
	"preau/appliance/text"
	"preau/appliance/web"
)

// Feature is the forums.
var Feature = feature.Feature{Name: "forum", Schema: Schema, Routes: routes, Tiles: tiles, Search: []feature.SearchSource{searchSource},
	Demo: feature.Demo{Seed: demo}, Personal: feature.Personal{Export: personalExport, Erase: erase}}

// Paths of the forums' pages.
const (
	Path           = "/forum"
	ModerationPath = Path + "/moderation"
	postsPath      = Path + "/messages/"
	settingsPath   = Path + "/reglages/"
	reportsPath    = Path + "/signalements/"
	// MediaPath is where a post's images and attachments are served, under
	// the one policy's media path so that a post may show its images.
	MediaPath = text.MediaPath + "forum/"
)

// ForumPath is a forum's page.
func ForumPath(forumID string) string { return Path + "/" + forumID }

// ThreadPath is a thread's page.
func ThreadPath(forumID, threadID string) string { return Path + "/" + forumID + "/" + threadID }

var (
	readers    = web.Only(auth.Pupil, auth.Parent, auth.Teacher, auth.Director, auth.DSI)
	openers    = web.Only(Openers...)
	moderators = web.Only(auth.Teacher, auth.Director, auth.DSI)
)

func newService(env *feature.Env) *Service {
	return NewService(env.DB, env.Register, env.Auth, env.Notify, env.Log, env.Config.Role == config.RoleCentral, env.Config.SchoolID)
}

type handlers struct {
	*feature.Env
	s *Service
}

func routes(env *feature.Env) {
	h := &handlers{Env: env, s: newService(env)}
	env.Handle("GET "+Path, readers, h.list)
	env.Handle("GET "+Path+"/nouveau", openers, h.newForumPage)
	env.Handle("POST "+Path, openers, h.createForum)
	env.Handle("GET "+ModerationPath, moderators, h.moderation)
	env.Handle("GET "+settingsPath+"{id}", moderators, h.settings)
	env.Handle("POST "+settingsPath+"{id}", moderators, h.saveSettings)
	env.Handle("GET "+Path+"/{id}", readers, h.forum)
	env.Handle("POST "+Path+"/{id}", readers, h.newThread)
	env.Handle("GET "+Path+"/{id}/{thread}", readers, h.thread)
	env.Handle("POST "+Path+"/{id}/{thread}", readers, h.reply)
	env.Handle("POST "+Path+"/{id}/{thread}/epingler", moderators, h.pin)
	env.Handle("POST "+Path+"/{id}/{thread}/verrouiller", moderators, h.lock)
	env.Handle("GET "+postsPath+"{id}/modifier", readers, h.editPage)
	env.Handle("POST "+postsPath+"{id}", readers, h.save)
	env.Handle("POST "+postsPath+"{id}/supprimer", readers, h.remove)
	env.Handle("POST "+postsPath+"{id}/signaler", readers, h.report)
	env.Handle("POST "+postsPath+"{id}/accepter", moderators, h.approve)
	env.Handle("POST "+postsPath+"{id}/refuser", moderators, h.refuse)
	env.Handle("POST "+reportsPath+"{id}/classer", moderators, h.keep)
	env.Handle("POST "+reportsPath+"{id}/retirer", moderators, h.takeDown)
	env.Handle("GET "+MediaPath+"{id}", readers, h.media)
	for _, p := range []string{"POST " + Path + "/{id}", "POST " + Path + "/{id}/{thread}"} {
		env.AllowBody(p, maxFiles*MaxFile+1<<20)
	}

	env.Handle("GET /api/v1/forums", readers, h.apiForums)
	env.Handle("PATCH /api/v1/forums/{id}", moderators, h.apiUpdateForum)
	env.Handle("GET /api/v1/forums/{id}/threads", readers, h.apiThreads)
	env.Handle("POST /api/v1/forums/{id}/threads", readers, h.apiNewThread)
	env.Handle("GET /api/v1/threads/{id}", readers, h.apiThread)
	env.Handle("POST /api/v1/threads/{id}/posts", readers, h.apiReply)
	env.Handle("PATCH /api/v1/posts/{id}", readers, h.apiEdit)
	env.Handle("DELETE /api/v1/posts/{id}", readers, h.apiDelete)
	env.Handle("POST /api/v1/posts/{id}/reports", readers, h.apiReport)
}

// tiles: everyone's forums, counting the threads with something new; the
// pupil's with its picture.
func tiles(env *feature.Env) []web.Tile {
	s := newService(env)
	unread := func(r *http.Request) (string, error) {
		n, err := s.Unread(r.Context(), web.CurrentUser(r))
		if err != nil || n == 0 {
			return "", err
		}
		return web.N(r, "forum.badge.unread", n), nil
	}
	return []web.Tile{
		{Profile: auth.Pupil, Label: "forum.tile.pupil", Href: Path, Icon: "bulle", Picture: "icons/bulle", Order: 35, Badge: unread},
		{Profile: auth.Parent, Label: "forum.tile.title", Href: Path, Icon: "bulle", Order: 35, Hint: "forum.tile.parent_hint", Badge: unread},
		{Profile: auth.Teacher, Label: "forum.tile.title", Href: Path, Icon: "bulle", Order: 45, Hint: "forum.tile.staff_hint", Badge: unread},
		{Profile: auth.Director, Label: "forum.tile.title", Href: Path, Icon: "bulle", Order: 55, Hint: "forum.tile.staff_hint", Badge: unread},
		{Profile: auth.DSI, Label: "forum.tile.title", Href: Path, Icon: "bulle", Order: 45, Hint: "forum.tile.dsi_hint", Badge: unread},
	}
}
