package appliance_test

import (
	"net/http"
	"time"

	"preau/appliance/auth"
)

// The register's and the absences' routes. {absence} is the demo's: Léa
// (the demo parent's child, {pupil}) absent on the last school day's
// morning; {class} is her CE1.
func init() {
	staff := []auth.Profile{auth.Teacher, auth.Director}
	today, tomorrow := time.Now().Format("2006-01-02"), time.Now().AddDate(0, 0, 1).Format("2006-01-02")
	matrix = append(matrix,
		authzCase{Route: "GET /appel", Path: "/appel", Expect: page(staff...)},
		authzCase{Route: "POST /appel", Path: "/appel", Body: "classe={class}&jour=" + today + "&demi=am", Expect: form(staff...)},
		authzCase{Route: "GET /absences", Path: "/absences", Expect: page(auth.Parent, auth.Teacher, auth.Director)},
		authzCase{Route: "POST /absences/prevenir", Path: "/absences/prevenir", Body: "enfant={pupil}&jour=" + tomorrow + "&motif=illness",
			Expect: form(auth.Parent)},
		authzCase{Route: "POST /absences/{id}/justifier", Path: "/absences/{absence}/justifier", Body: "motif=illness", Expect: form(auth.Parent)},
		authzCase{Route: "GET /api/v1/absences", Path: "/api/v1/absences", Expect: api(http.StatusOK, auth.Parent, auth.Teacher, auth.Director)},
		authzCase{Route: "POST /api/v1/absences", Path: "/api/v1/absences", Body: `{"pupil_id":"{pupil}","date":"` + tomorrow + `","reason":"illness"}`,
			Expect: api(http.StatusCreated, auth.Parent)},
		authzCase{Route: "POST /api/v1/absences/{id}/justify", Path: "/api/v1/absences/{absence}/justify", Body: `{"reason":"medical"}`,
			Expect: api(http.StatusOK, auth.Parent)},
		authzCase{Route: "POST /api/v1/attendance", Path: "/api/v1/attendance", Body: `{"class_id":"{class}","date":"` + today + `","half_day":"am","absent":[]}`,
			Expect: api(http.StatusOK, staff...)},
	)
}
