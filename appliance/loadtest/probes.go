package loadtest

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"strings"
	"testing/fstest"
	"time"

	"preau/appliance/store"
)

// The sync benchmarks' backlog lives in a replicated table of their own,
// as the sync tests' probes do, until features store rows and files: notes
// of a few hundred bytes, some of which reference a file.

const probeTable = `CREATE TABLE probes (
	id TEXT PRIMARY KEY, scope TEXT NOT NULL, hlc INTEGER NOT NULL, origin TEXT NOT NULL,
	deleted INTEGER NOT NULL DEFAULT 0, body TEXT NOT NULL, blob TEXT NOT NULL DEFAULT '')`

// ProbeSchema is the replicated probes table, whose blob column references
// a file; register it on every node of a benchmark with DB.Migrate.
var ProbeSchema = store.Schema{
	Name:       "loadtest_probe",
	FS:         fstest.MapFS{"0001_probes.sql": {Data: []byte(probeTable)}},
	Replicated: []string{"probes"},
	PushChecks: map[string]store.PushCheck{"probes": store.ScopeIsEnough},
	Blobs:      map[string]string{"probes": "blob"},
}

// PlainProbeSchema is the same table, not replicated: no change-log
// triggers, the reference for SQLite's own insert rate.
var PlainProbeSchema = store.Schema{
	Name: "loadtest_probe",
	FS:   fstest.MapFS{"0001_probes.sql": {Data: []byte(probeTable)}},
}

// ProbeColumns are the probes table's columns, in InsertProbes' order.
var ProbeColumns = []string{"id", "scope", "hlc", "origin", "deleted", "body", "blob"}

// words is a small French vocabulary: text drawn from it compresses about
// as well as a teacher's notes do (gzip takes it to about a third).
var words = strings.Fields(`le la les un une des et à de du en pour avec sans sur sous dans par
	classe élève élèves maîtresse maître devoir devoirs cahier lecture écriture calcul problème
	sortie musée piscine gymnase cantine récréation goûter photo photos autorisation signature
	parents réunion lundi mardi mercredi jeudi vendredi matin après-midi semaine prochaine
	apporter rendre oublier penser merci bonjour bonne journée chers rappel important trousse
	crayon gomme règle ciseaux colle feutres peinture tablier bottes manteau chaussures sport
	poésie récitation dictée conjugaison géographie histoire sciences anglais chant chorale
	spectacle fête kermesse carnaval bibliothèque livre album emprunter retour vacances
	rentrée trimestre bulletin évaluation progrès bravo félicitations attention retard absence
	malade médecin certificat vaccin allergie repas menu sieste maternelle cour préau portail`)

// ProbeText is French-looking text of about n bytes.
func ProbeText(r *rand.Rand, n int) string {
	var b strings.Builder
	for b.Len() < n {
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(words[r.IntN(len(words))])
	}
	return b.String()
}

// ProbeRows makes n probe rows of scope as written by the node origin, with
// bodies of 100 to 400 bytes (rows of about 250 to 550 bytes as sync's
// JSON), ascending clock values ending now, and no file.
func ProbeRows(n int, scope, origin string, seed uint64) []store.Row {
	r := rand.New(rand.NewPCG(seed, 1))
	hlc := store.MakeHLC(time.Now(), 0) - int64(n)
	rows := make([]store.Row, n)
	for i := range rows {
		rows[i] = store.Row{Table: "probes", Values: map[string]any{
			"id": store.NewID(), "scope": scope, "hlc": hlc + int64(i), "origin": origin, "deleted": int64(0),
			"body": ProbeText(r, 100+r.IntN(300)), "blob": "",
		}}
	}
	return rows
}

// WriteProbes writes rows as local writes of db (the node's own stamps,
// whatever the rows carry), in transactions of 1,000; files[i] is the blob
// the i-th row of every len(rows)/len(files) references, spread evenly.
func WriteProbes(ctx context.Context, db *store.DB, rows []store.Row, files []string) error {
	every := len(rows) + 1
	if len(files) > 0 {
		every = len(rows) / len(files)
	}
	for start := 0; start < len(rows); start += 1000 {
		err := db.Write(ctx, func(tx *store.Tx) error {
			for i := start; i < min(start+1000, len(rows)); i++ {
				blob := ""
				if i%every == 0 && i/every < len(files) {
					blob = files[i/every]
				}
				v := rows[i].Values
				if _, err := tx.ExecContext(ctx, "INSERT INTO probes(id, scope, hlc, origin, body, blob) VALUES (?, ?, ?, ?, ?, ?)",
					v["id"], v["scope"], tx.HLC, tx.Origin, v["body"], blob); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return fmt.Errorf("probes from %d: %w", start, err)
		}
	}
	return nil
}

// PutRandomFiles stores one file of each size with random content (gzip
// cannot shrink it, as it cannot shrink a photo) and returns their hashes.
func PutRandomFiles(db *store.DB, sizes []int64, seed uint64) ([]string, error) {
	src := rand.NewChaCha8([32]byte{byte(seed), byte(seed >> 8), byte(seed >> 16), byte(seed >> 24)})
	hashes := make([]string, len(sizes))
	for i, size := range sizes {
		h, _, err := db.Blobs().Put(io.LimitReader(src, size), size)
		if err != nil {
			return nil, fmt.Errorf("file %d: %w", i, err)
		}
		hashes[i] = h
	}
	return hashes, nil
}
