package loadtest

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"preau/appliance/auth"
	"preau/appliance/mail"
)

// The mail the IMAP benchmark seeds: a teacher's INBOX of a term of French
// school mail, the same bytes for every server, generated from the user's
// and the message's numbers so that nothing needs to be stored.

// schoolMailStart is the date of a mailbox's first message; the others
// follow in order over a term, as they arrived.
var schoolMailStart = time.Date(2026, time.September, 1, 7, 45, 0, 0, time.FixedZone("CEST", 2*3600))

// schoolMailTerm is the time the messages of a mailbox are spread over.
const schoolMailTerm = 100 * 24 * time.Hour

// mailDomain is the domain of the benchmark's addresses: Préau's default
// mail.domain.
const mailDomain = "preau.local"

// What school mail says (i18n:data).
var (
	direction    = "Direction de l'école"
	parentOf     = "Parent de "
	periscolaire = "Service périscolaire"
	greeting     = "Bonjour,\n\n"
	days         = []string{"lundi", "mardi", "mercredi", "jeudi", "vendredi"}
	months       = []string{"septembre", "octobre", "novembre", "décembre"}
	places       = []string{"musée", "gymnase", "théâtre", "zoo", "parc", "planétarium", "château"}
	subjects     = []func(r *rand.Rand) string{
		func(r *rand.Rand) string { return "Sortie au " + pick(r, places) + " " + pick(r, days) },
		func(r *rand.Rand) string { return "Réunion parents-professeurs du " + date(r) },
		func(r *rand.Rand) string { return "Absence de " + pick(r, firstNames) },
		func(r *rand.Rand) string { return "Menu de la cantine, semaine du " + date(r) },
		func(r *rand.Rand) string { return "Photos de classe" },
		func(r *rand.Rand) string { return "Kermesse : appel aux bénévoles" },
		func(r *rand.Rand) string { return "Rappel : autorisation de sortie à signer" },
		func(r *rand.Rand) string { return "Re: devoirs de " + pick(r, firstNames) },
		func(r *rand.Rand) string { return "Piscine : bonnets obligatoires" },
		func(r *rand.Rand) string { return "Conseil d'école du " + date(r) },
		func(r *rand.Rand) string { return "Carnaval : déguisements" },
		func(r *rand.Rand) string { return "Certificat médical de " + pick(r, firstNames) },
		func(r *rand.Rand) string { return "Bibliothèque : livres à rendre " + pick(r, days) },
		func(r *rand.Rand) string { return "Retard de " + pick(r, firstNames) + " ce matin" },
	}
	// attachments are the files school mail carries: an authorization, a
	// class photo, a menu; random bytes, which no server can compress, as
	// a scan or a photo.
	attachments = []struct {
		name, typ  string
		min, extra int
	}{
		{"autorisation-sortie.pdf", "application/pdf", 20 << 10, 40 << 10},
		{"photo-classe.jpg", "image/jpeg", 30 << 10, 30 << 10},
		{"menu-cantine.pdf", "application/pdf", 10 << 10, 20 << 10},
	}
)

func pick(r *rand.Rand, from []string) string { return from[r.IntN(len(from))] }

func date(r *rand.Rand) string {
	return fmt.Sprintf("%s %d %s", pick(r, days), 1+r.IntN(28), pick(r, months))
}

// SchoolMail is the i-th of the n messages of the INBOX of the account
// login: a message from the school's director, a colleague, a parent or
// the town's after-school service, with a subject such mail has and a few
// paragraphs of French; one in ten carries a file of 10 to 60 KB. It
// returns the message and the date it arrived.
func SchoolMail(login string, i, n int) ([]byte, time.Time) {
	seed := uint64(i)
	for _, c := range login {
		seed = seed*31 + uint64(c)
	}
	r := rand.New(rand.NewPCG(seed, 12))
	at := schoolMailStart.Add(time.Duration(i)*schoolMailTerm/time.Duration(n) + time.Duration(r.IntN(3600))*time.Second)
	first, last := pick(r, firstNames), pick(r, lastNames)
	var from mail.Address
	switch r.IntN(4) {
	case 0:
		from = mail.Address{Name: direction, Email: "direction@" + mailDomain}
	case 1:
		from = mail.Address{Name: first + " " + last, Email: strings.ToLower(fold(first+"."+last)) + "@" + mailDomain}
	case 2:
		from = mail.Address{Name: parentOf + first + " " + last, Email: "parent." + strings.ToLower(fold(last)) + "@" + mailDomain}
	default:
		from = mail.Address{Name: periscolaire, Email: "periscolaire@" + mailDomain}
	}
	var text strings.Builder
	text.WriteString("Bonjour,\n\n")
	for p := range 2 + r.IntN(3) {
		if p > 0 {
			text.WriteString("\n\n")
		}
		text.WriteString(ProbeText(r, 80+r.IntN(400)))
		text.WriteString(".")
	}
	text.WriteString("\n\nBien cordialement,\n" + from.Name + "\n")
	m := mail.Message{
		MessageID: fmt.Sprintf("%d.%s@%s", i, login, mailDomain),
		Subject:   subjects[r.IntN(len(subjects))](r),
		From:      from,
		To:        []mail.Address{{Email: login + "@" + mailDomain}},
		Date:      at,
		Text:      text.String(),
	}
	if r.IntN(10) == 0 {
		a := attachments[r.IntN(len(attachments))]
		data := make([]byte, a.min+r.IntN(a.extra))
		rand.NewChaCha8([32]byte{byte(seed), byte(seed >> 8), byte(seed >> 16), byte(seed >> 24)}).Read(data)
		m.Attachments = []mail.Attachment{{Name: a.name, Type: a.typ, Data: data}}
	}
	b, err := mail.Compose(m)
	if err != nil {
		panic(fmt.Sprintf("compose message %d of %s: %v", i, login, err)) // the generator's own bug
	}
	return b, at
}

// Draft is a short message a teacher starts writing: what the benchmark's
// clients APPEND to Drafts.
func Draft(login string, r *rand.Rand) []byte {
	b, err := mail.Compose(mail.Message{
		MessageID: fmt.Sprintf("brouillon.%d.%s@%s", r.Uint64(), login, mailDomain),
		Subject:   subjects[r.IntN(len(subjects))](r),
		From:      mail.Address{Email: login + "@" + mailDomain},
		To:        []mail.Address{{Name: direction, Email: "direction@" + mailDomain}},
		Date:      time.Now(),
		Text:      greeting + ProbeText(r, 200+r.IntN(400)) + ".\n",
	})
	if err != nil {
		panic(fmt.Sprintf("compose a draft: %v", err))
	}
	return b
}

// fold writes a name in ASCII, as an address's local part.
func fold(s string) string { return auth.Slug(s) }

// searchWords are what the clients' SEARCH TEXT looks for: words of the
// messages, some with accents, and the odd one found nowhere (i18n:data).
var searchWords = []string{"piscine", "sortie", "cantine", "réunion", "autorisation", "récréation",
	"bibliothèque", "carnaval", "Martin", "Léa", "goûter", "dictée", "certificat", "photos", "bénévoles", "xylophone"}
