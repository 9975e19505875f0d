package appliance_test

import (
	"net/http"
	"time"

	"preau/appliance/auth"
)

// The agenda's routes. {event} is the demo CE1's weekly swimming, which
// its pupils and their parents read and its staff write; the DSI reads no
// school's calendar and keeps its own on central only. The feed answers
// its secret, whoever asks; CalDAV asks every request for a login and
// password (tested with a real client in package agenda).
func init() {
	families := []auth.Profile{auth.Pupil, auth.Parent}
	staff := []auth.Profile{auth.Teacher, auth.Director}
	people := append(append([]auth.Profile{}, families...), staff...)
	today := time.Now().Format("2006-01-02")
	classEvent := func(ok, director int) map[auth.Profile]int {
		m := expect(ok, http.StatusUnauthorized, staff...)
		m[auth.Director], m[auth.DSI] = director, http.StatusNotFound
		return m
	}
	read := page(people...)
	read[auth.DSI] = http.StatusNotFound
	matrix = append(matrix,
		authzCase{Route: "GET /agenda", Path: "/agenda", Expect: page(loggedIn...)},
		authzCase{Route: "GET /agenda/nouveau", Path: "/agenda/nouveau", Expect: page(loggedIn...)},
		authzCase{Route: "POST /agenda", Path: "/agenda", Body: "titre=RDV&agenda=personal&jour=" + today + "&debut=10:00&fin=11:00",
			Expect: form(people...)},
		authzCase{Route: "GET /agenda/evenements/{id}", Path: "/agenda/evenements/{event}", Expect: read},
		authzCase{Route: "POST /agenda/evenements/{id}", Path: "/agenda/evenements/{event}", Body: "titre=Piscine&jour=" + today + "&debut=09:30&fin=11:00",
			Expect: classEvent(http.StatusSeeOther, http.StatusSeeOther)},
		authzCase{Route: "POST /agenda/evenements/{id}/sauter", Path: "/agenda/evenements/{event}/sauter",
			Body: "date=" + time.Now().AddDate(0, 0, 21).Format("2006-01-02"), Expect: classEvent(http.StatusSeeOther, http.StatusSeeOther)},
		// The teacher deletes it; the director, asking next, finds it gone.
		authzCase{Route: "POST /agenda/evenements/{id}/supprimer", Path: "/agenda/evenements/{event}/supprimer",
			Expect: classEvent(http.StatusSeeOther, http.StatusNotFound)},
		authzCase{Route: "GET /agenda/abonnement", Path: "/agenda/abonnement", Expect: page(loggedIn...)},
		authzCase{Route: "POST /agenda/abonnement", Path: "/agenda/abonnement", Body: "action=nouveau", Expect: form(loggedIn...)},
		authzCase{Route: "GET /agenda/flux/{file}", Path: "/agenda/flux/jeton-de-test.ics", Expect: everyone(http.StatusOK)},
		authzCase{Route: "GET /api/v1/events", Path: "/api/v1/events", Expect: api(http.StatusOK, loggedIn...)},
		authzCase{Route: "POST /api/v1/events", Path: "/api/v1/events",
			Body:   `{"calendar":"personal","title":"RDV","start":"` + today + `T10:00:00+01:00","end":"` + today + `T11:00:00+01:00"}`,
			Expect: api(http.StatusCreated, people...)},
		authzCase{Route: "GET /api/v1/me/calendar", Path: "/api/v1/me/calendar", Expect: api(http.StatusOK, loggedIn...)},
	)
	for _, m := range []string{"OPTIONS", "PROPFIND", "PROPPATCH", "REPORT", "GET", "PUT", "DELETE", "MKCOL", "MKCALENDAR"} {
		matrix = append(matrix, authzCase{Route: m + " /caldav/", Path: "/caldav/eleve/agendas/", Expect: everyone(http.StatusUnauthorized)})
	}
	matrix = append(matrix,
		authzCase{Route: "GET /.well-known/caldav", Path: "/.well-known/caldav", Expect: everyone(http.StatusUnauthorized)},
		authzCase{Route: "PROPFIND /.well-known/caldav", Path: "/.well-known/caldav", Expect: everyone(http.StatusUnauthorized)},
	)
}
