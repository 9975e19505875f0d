package appliance_test

import (
	"net/http"
	"testing"

	"preau/appliance/apptest"
	"preau/appliance/auth"
	"preau/appliance/mail"
)

// The mail's routes. Everyone has a mailbox; a message and a folder are
// one person's: {mail} is the demo parent's copy of the teacher's welcome
// (with a file), {mail_folder} a folder of the demo parent's. Anyone
// else asking for them finds nothing.
func init() {
	mine := func(ok, anon int) map[auth.Profile]int {
		m := expect(http.StatusNotFound, anon, loggedIn...)
		m[auth.Parent] = ok
		return m
	}
	moderators := []auth.Profile{auth.Teacher, auth.Director}
	unknownHeld := func(anon int) map[auth.Profile]int {
		return expect(http.StatusNotFound, anon, moderators...)
	}
	matrix = append(matrix,
		authzCase{Route: "GET /messagerie", Path: "/messagerie", Expect: page(loggedIn...)},
		authzCase{Route: "GET /messagerie/ecrire", Path: "/messagerie/ecrire", Expect: page(loggedIn...)},
		authzCase{Route: "POST /messagerie/envoyer", Path: "/messagerie/envoyer", Body: "a=enseignant&objet=Question&texte=Bonjour", Expect: form(loggedIn...)},
		authzCase{Route: "POST /messagerie/brouillon", Path: "/messagerie/brouillon", Body: "objet=Brouillon&texte=A+finir", Expect: form(loggedIn...)},
		authzCase{Route: "POST /messagerie/actions", Path: "/messagerie/actions", Body: "ids={mail}&action=non-lu", Expect: mine(http.StatusSeeOther, http.StatusUnauthorized)},
		authzCase{Route: "POST /messagerie/corbeille/vider", Path: "/messagerie/corbeille/vider", Expect: form(loggedIn...)},
		authzCase{Route: "POST /messagerie/dossiers", Path: "/messagerie/dossiers", Body: "nom=Sorties", Expect: form(loggedIn...)},
		authzCase{Route: "POST /messagerie/dossiers/{id}/renommer", Path: "/messagerie/dossiers/{mail_folder}/renommer", Body: "nom=Sorties+scolaires",
			Expect: mine(http.StatusSeeOther, http.StatusUnauthorized)},
		authzCase{Route: "POST /messagerie/dossiers/{id}/supprimer", Path: "/messagerie/dossiers/{mail_folder}/supprimer",
			Expect: mine(http.StatusSeeOther, http.StatusUnauthorized)},
		authzCase{Route: "GET /messagerie/validation", Path: "/messagerie/validation", Expect: page(moderators...)},
		authzCase{Route: "POST /messagerie/validation/{id}/accepter", Path: "/messagerie/validation/inconnu/accepter", Expect: unknownHeld(http.StatusUnauthorized)},
		authzCase{Route: "POST /messagerie/validation/{id}/rendre", Path: "/messagerie/validation/inconnu/rendre", Body: "raison=Non",
			Expect: unknownHeld(http.StatusUnauthorized)},
		authzCase{Route: "GET /messagerie/reglages", Path: "/messagerie/reglages", Expect: page(auth.Director)},
		authzCase{Route: "POST /messagerie/reglages", Path: "/messagerie/reglages", Body: "eleves=teachers&validation=1", Expect: form(auth.Director)},
		authzCase{Route: "GET /messagerie/{id}", Path: "/messagerie/{mail}", Expect: mine(http.StatusOK, http.StatusSeeOther)},
		authzCase{Route: "GET /messagerie/{id}/pj/{n}", Path: "/messagerie/{mail}/pj/0", Expect: mine(http.StatusOK, http.StatusSeeOther)},
		authzCase{Route: "GET /messagerie/{id}/source", Path: "/messagerie/{mail}/source", Expect: mine(http.StatusOK, http.StatusSeeOther)},

		authzCase{Route: "GET /api/v1/mail/folders", Path: "/api/v1/mail/folders", Expect: api(http.StatusOK, loggedIn...)},
		authzCase{Route: "GET /api/v1/mail/messages", Path: "/api/v1/mail/messages?folder=inbox", Expect: api(http.StatusOK, loggedIn...)},
		authzCase{Route: "POST /api/v1/mail/messages", Path: "/api/v1/mail/messages", Body: `{"to":["enseignant@preau.local"],"subject":"Question","text":"Bonjour"}`,
			Expect: api(http.StatusCreated, loggedIn...)},
		authzCase{Route: "GET /api/v1/mail/messages/{id}", Path: "/api/v1/mail/messages/{mail}", Expect: mine(http.StatusOK, http.StatusUnauthorized)},
		authzCase{Route: "PATCH /api/v1/mail/messages/{id}", Path: "/api/v1/mail/messages/{mail}", Body: `{"flagged":true}`,
			Expect: mine(http.StatusOK, http.StatusUnauthorized)},
		authzCase{Route: "DELETE /api/v1/mail/messages/{id}", Path: "/api/v1/mail/messages/{mail}", Expect: mine(http.StatusNoContent, http.StatusUnauthorized)},
		authzCase{Route: "GET /api/v1/mail/messages/{id}/attachments/{n}", Path: "/api/v1/mail/messages/{mail}/attachments/0",
			Expect: mine(http.StatusOK, http.StatusUnauthorized)},
		authzCase{Route: "POST /api/v1/mail/drafts", Path: "/api/v1/mail/drafts", Body: `{"subject":"Brouillon","text":"A finir"}`,
			Expect: api(http.StatusCreated, loggedIn...)},
		authzCase{Route: "GET /api/v1/mail/directory", Path: "/api/v1/mail/directory?q=a", Expect: api(http.StatusOK, loggedIn...)},
		authzCase{Route: "GET /api/v1/mail/held", Path: "/api/v1/mail/held", Expect: api(http.StatusOK, moderators...)},
		authzCase{Route: "POST /api/v1/mail/held/{id}/approve", Path: "/api/v1/mail/held/inconnu/approve", Expect: unknownHeld(http.StatusUnauthorized)},
		authzCase{Route: "POST /api/v1/mail/held/{id}/return", Path: "/api/v1/mail/held/inconnu/return", Body: `{"reason":"Non"}`,
			Expect: unknownHeld(http.StatusUnauthorized)},
		authzCase{Route: "GET /api/v1/mail/settings", Path: "/api/v1/mail/settings", Expect: api(http.StatusOK, auth.Director)},
		authzCase{Route: "PUT /api/v1/mail/settings", Path: "/api/v1/mail/settings", Body: `{"pupils":"teachers","moderate":true}`,
			Expect: api(http.StatusOK, auth.Director)},
	)
}

// mailFixture is the demo parent's copy of the teacher's welcome and a
// folder of theirs ("" on central, whose demo school has no mail).
func mailFixture(t *testing.T, a *apptest.App) (copyID, folderID string) {
	t.Helper()
	s := mail.Of(a.Env).S
	parent := a.User("parent")
	inbox, err := s.List(t.Context(), parent, mail.Inbox, 0, 1)
	if err != nil {
		t.Fatal(err)
	}
	if len(inbox.Items) > 0 {
		copyID = inbox.Items[0].CopyID
	}
	f, err := s.CreateFolder(t.Context(), parent, "Classe")
	if err != nil {
		t.Fatal(err)
	}
	return copyID, f.ID
}
