package auth

import (
	"fmt"

	"preau/appliance/apperr"
	"preau/appliance/text"
)

// ValidSchoolID checks a school id: it is also a scope and appears in URLs
// and configuration, so lowercase letters, digits, - and _ only.
func ValidSchoolID(id string) error {
	if id == "" || len(id) > 64 || id == GlobalScope {
		return fmt.Errorf("%w : identifiant d'école %q invalide (1 à 64 caractères, pas « global »)", apperr.ErrInvalid, text.Short(id))
	}
	for _, r := range id {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-' || r == '_') {
			return fmt.Errorf("%w : identifiant d'école %q invalide : lettres minuscules, chiffres, - et _ seulement", apperr.ErrInvalid, text.Short(id))
		}
	}
	return nil
}
