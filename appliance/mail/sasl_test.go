package mail

import (
	"errors"
	"testing"

	"github.com/emersion/go-sasl"
)

func TestLoginServer(t *testing.T) {
	wrong := errors.New("wrong")
	check := func(user, pass string) error {
		if user == "enseignant" && pass == "secret" {
			return nil
		}
		return wrong
	}
	type step struct {
		response  []byte
		challenge string
		done      bool
		err       error
	}
	for name, steps := range map[string][]step{
		"challenged":       {{nil, "Username:", false, nil}, {[]byte("enseignant"), "Password:", false, nil}, {[]byte("secret"), "", true, nil}},
		"initial response": {{[]byte("enseignant"), "Password:", false, nil}, {[]byte("secret"), "", true, nil}},
		"wrong password":   {{[]byte("enseignant"), "Password:", false, nil}, {[]byte("faux"), "", true, wrong}},
		"empty username":   {{[]byte{}, "Password:", false, nil}, {[]byte("secret"), "", true, wrong}},
		"one too many": {{[]byte("enseignant"), "Password:", false, nil}, {[]byte("secret"), "", true, nil},
			{[]byte("encore"), "", false, sasl.ErrUnexpectedClientResponse}},
	} {
		s := newLoginServer(check)
		for i, st := range steps {
			challenge, done, err := s.Next(st.response)
			if string(challenge) != st.challenge || done != st.done || !errors.Is(err, st.err) {
				t.Errorf("%s, step %d: %q %v %v, want %q %v %v", name, i, challenge, done, err, st.challenge, st.done, st.err)
			}
		}
	}
}

// go-sasl's LOGIN client is what go-smtp's users and many clients speak.
func TestLoginServerWithClient(t *testing.T) {
	var got [2]string
	s := newLoginServer(func(user, pass string) error { got = [2]string{user, pass}; return nil })
	c := sasl.NewLoginClient("parent@preau.local", "mot de passe")
	_, ir, _ := c.Start()
	challenge, done, err := s.Next(ir)
	for !done && err == nil {
		var response []byte
		if response, err = c.Next(challenge); err == nil {
			challenge, done, err = s.Next(response)
		}
	}
	if err != nil || got != [2]string{"parent@preau.local", "mot de passe"} {
		t.Fatalf("%v %q", err, got)
	}
}
