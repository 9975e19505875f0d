package apperr

import (
	"errors"
	"fmt"
	"testing"
)

func TestKinds(t *testing.T) {
	taken := New(ErrConflict, "cet identifiant est déjà utilisé")
	wrapped := fmt.Errorf("%w : marie", taken)
	for _, tc := range []struct {
		err  error
		kind error
		text string
	}{
		{taken, ErrConflict, "cet identifiant est déjà utilisé"},
		{wrapped, ErrConflict, "cet identifiant est déjà utilisé : marie"},
		{fmt.Errorf("%w : classe inconnue", ErrInvalid), ErrInvalid, "données invalides : classe inconnue"},
	} {
		if !errors.Is(tc.err, tc.kind) || tc.err.Error() != tc.text {
			t.Errorf("%q: kind %v, want %v and %q", tc.err, errors.Is(tc.err, tc.kind), tc.kind, tc.text)
		}
		for _, other := range []error{ErrNotFound, ErrForbidden, ErrInvalid, ErrConflict} {
			if other != tc.kind && errors.Is(tc.err, other) {
				t.Errorf("%q is also %v", tc.err, other)
			}
		}
	}
	if !errors.Is(wrapped, taken) {
		t.Error("a wrapped error of a kind is no longer itself")
	}
}
