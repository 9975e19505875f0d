package feature

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"

	"preau/appliance/apperr"
	"preau/appliance/auth"
	"preau/appliance/i18n"
)

// A demo school makes `make run` show a living appliance. Each feature
// brings its part of it through its Demo; the root seeds every feature's
// part of a school once per node, and marks it done (appliance.SeedDemo).
//
// Several demo schools make a demo city: the school "demo" (the default
// school.id, which central's --demo seeds too) has the logins the README
// lists; another school's logins carry its id (DemoLogin), so that no two
// schools of a city share a login and sync renames none.

// Demo is a feature's part of a demo school.
type Demo struct {
	// Seed writes the feature's demo data at school. It runs once per
	// school and node, after the features before it in the root's list:
	// whatever became of what it wrote, it is not called again.
	Seed func(ctx context.Context, env *Env, school DemoSchool) error
	// Accounts lists the logins to try at school, for the login page and
	// the start-up banner.
	Accounts func(school DemoSchool) []DemoAccount
}

// DemoSchool is a demo school to seed.
type DemoSchool struct {
	ID, Name string
	Central  bool // central's own demo school: seeding it brings the city's DSI account
}

// DemoAccount is a demo login to try.
type DemoAccount struct {
	Login string
	Who   i18n.Message // who the account is, said in the reader's language
	// Pictures is the picture password of a pupil who logs in with
	// pictures, shown on the login page.
	Pictures []int
}

// DemoPassword is every demo account's password.
const DemoPassword = "demo"

// DemoSchoolID is the school whose demo accounts have bare logins: the
// default school.id.
const DemoSchoolID = "demo"

// DemoLogin is the login of a demo account at a school, base being its
// login at the school "demo": "directeur" there, "directeur.ecole-a" at the
// school ecole-a. A school id too long for the login is cut and ends with a
// hash of it, so that two schools still differ.
func DemoLogin(schoolID, base string) string {
	if schoolID == DemoSchoolID {
		return base
	}
	suffix := schoolID
	if room := auth.MaxLogin - len(base) - 1; len(suffix) > room {
		sum := sha256.Sum256([]byte(schoolID))
		suffix = suffix[:room-9] + "-" + hex.EncodeToString(sum[:4])
	}
	return base + "." + suffix
}

// DemoClass is the demo school's teacher ("enseignant") and their first
// class, which the features' demo data is about; ok is false when the
// school has none (not a demo school, or its teacher renamed since).
func (e *Env) DemoClass(ctx context.Context, school DemoSchool) (teacher auth.User, class auth.Class, ok bool, err error) {
	teacher, err = e.Auth.UserByLogin(ctx, DemoLogin(school.ID, "enseignant"))
	if errors.Is(err, apperr.ErrNotFound) {
		return teacher, class, false, nil
	}
	if err != nil {
		return teacher, class, false, fmt.Errorf("demo teacher: %w", err)
	}
	classes, err := e.Register.UserClasses(ctx, teacher.ID)
	if err != nil || len(classes) == 0 {
		return teacher, class, false, err
	}
	return teacher, classes[0], true, nil
}
