package auth

import (
	"context"
	"errors"
	"strings"
	"testing"

	"preau/appliance/apperr"
)

// Every field typed to make an account has a length and refuses invisible
// characters; the refusal is invalid data (400), it never quotes the whole
// value, and nothing is written. (Classes and schools: roster's tests.)
func TestTypedTextLimits(t *testing.T) {
	ctx := context.Background()
	s := newService(t)
	long := strings.Repeat("x", 101)
	hundred := strings.Repeat("é", 100)
	for _, tc := range []struct {
		name string
		n    NewUser
		want string
	}{
		{"first name of 101", NewUser{FirstName: long, LastName: "Roy"}, "le prénom ne doit pas dépasser 100 caractères"},
		{"last name with an override", NewUser{FirstName: "Léa", LastName: "Mar\u202Enit"}, "le nom contient un caractère invisible"},
		{"display name with an isolate", NewUser{Display: "\u2066Léa Martin"}, "le nom affiché contient un caractère invisible"},
		{"first name with a NUL", NewUser{FirstName: "Lé\x00a", LastName: "Roy"}, "U+0000"},
		{"last name on two lines", NewUser{FirstName: "Léa", LastName: "Roy\nMartin"}, "le nom doit tenir sur une ligne"},
		{"names too long together", NewUser{FirstName: hundred, LastName: "Roy"}, "le nom complet (prénom et nom) ne doit pas dépasser 100"},
		{"e-mail of 255", NewUser{Display: "Léa", Email: strings.Repeat("a", 244) + "@exemple.fr"}, "l'adresse e-mail ne doit pas dépasser 254"},
		{"login of 65", NewUser{Display: "Léa", Login: strings.Repeat("l", 65)}, "l'identifiant ne doit pas dépasser 64"},
		{"login not ASCII", NewUser{Display: "Léa", Login: "léa.martin"}, "identifiant « léa.martin » invalide"},
	} {
		tc.n.Profile, tc.n.SchoolID = Teacher, "ecole-a"
		before, _ := s.AllUsers(ctx)
		_, err := s.CreateUser(ctx, tc.n)
		if !errors.Is(err, apperr.ErrInvalid) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want apperr.ErrInvalid and %q", tc.name, err, tc.want)
		}
		if err != nil && strings.Contains(err.Error(), long[:30]) {
			t.Errorf("%s: the message quotes the value whole: %v", tc.name, err)
		}
		if after, _ := s.AllUsers(ctx); len(after) != len(before) {
			t.Errorf("%s: an account was written", tc.name)
		}
	}

	// What names are made of is kept, composed (NFC) and trimmed.
	u, err := s.CreateUser(ctx, NewUser{FirstName: " Zoe\u0301-Léa ", LastName: "N'Diaye", Profile: Parent, SchoolID: "ecole-a"})
	if err != nil || u.FirstName != "Zoé-Léa" || u.DisplayName != "Zoé-Léa N'Diaye" {
		t.Errorf("accented names: %+v, %v", u, err)
	}
	u, err = s.CreateUser(ctx, NewUser{FirstName: "محمد", LastName: "بن علي", Login: "m.benali", Profile: Parent, SchoolID: "ecole-a"})
	if err != nil || u.DisplayName != "محمد بن علي" {
		t.Errorf("Arabic names: %+v, %v", u, err)
	}
	if _, err := s.CreateUser(ctx, NewUser{FirstName: hundred, Display: hundred, Profile: Parent, SchoolID: "ecole-a"}); err != nil {
		t.Errorf("a name of 100 characters: %v", err)
	}
}

// ChangeUser holds what it sets to the rules of account creation, writes
// only what changes, and keeps a display name made of the names made of
// them.
func TestChangeUser(t *testing.T) {
	ctx := context.Background()
	s := newService(t)
	u, err := s.CreateUser(ctx, NewUser{FirstName: "Léa", LastName: "Martin", Profile: Teacher, SchoolID: "ecole-a"})
	if err != nil {
		t.Fatal(err)
	}
	str := func(v string) *string { return &v }
	hlc := func() int64 {
		var h int64
		if err := s.db.Reader().QueryRowContext(ctx, "SELECT hlc FROM users WHERE id = ?", u.ID).Scan(&h); err != nil {
			t.Fatal(err)
		}
		return h
	}

	got, err := s.ChangeUser(ctx, u.ID, UserChange{LastName: str(" Durand "), Email: str("lea@ecole.example")})
	if err != nil || got.LastName != "Durand" || got.DisplayName != "Léa Durand" || got.Email != "lea@ecole.example" {
		t.Fatalf("names changed: %+v %v", got, err)
	}
	got, err = s.ChangeUser(ctx, u.ID, UserChange{Display: str("Mme Durand")})
	if err != nil || got.DisplayName != "Mme Durand" {
		t.Fatalf("display name: %+v %v", got, err)
	}
	if got, _ = s.ChangeUser(ctx, u.ID, UserChange{FirstName: str("Léna")}); got.DisplayName != "Mme Durand" {
		t.Errorf("a display name of its own followed the names: %q", got.DisplayName)
	}
	if got, _ = s.ChangeUser(ctx, u.ID, UserChange{Display: str("")}); got.DisplayName != "Léna Durand" {
		t.Errorf("an empty display name is not made of the names: %q", got.DisplayName)
	}

	before := hlc()
	same := false
	if _, err := s.ChangeUser(ctx, u.ID, UserChange{FirstName: str("Léna"), Disabled: &same}); err != nil || hlc() != before {
		t.Errorf("a change to the same values wrote the row: %v", err)
	}
	for _, c := range []UserChange{
		{FirstName: str(strings.Repeat("x", 101))},
		{LastName: str("Mar\u202Enit")},
		{Email: str(strings.Repeat("a", 244) + "@exemple.fr")},
		{FirstName: str(""), LastName: str(""), Display: str("")},
	} {
		if _, err := s.ChangeUser(ctx, u.ID, c); !errors.Is(err, apperr.ErrInvalid) {
			t.Errorf("%+v: %v, want apperr.ErrInvalid", c, err)
		}
	}
	if hlc() != before {
		t.Error("a refused change wrote the row")
	}
	if _, err := s.ChangeUser(ctx, "inconnu", UserChange{}); !errors.Is(err, apperr.ErrNotFound) {
		t.Errorf("unknown account: %v", err)
	}
}
