package crashtest

import (
	"context"
	"sync"
	"testing"
	"time"
)

// homeSigner is the parent signing notes at home, on central, as sync
// brings them there: writes the killed school receives only by sync.
type homeSigner struct {
	ids    seeded
	ledger *ledger
}

// run signs until the returned function is called, which waits for it.
func (h *homeSigner) run(t *testing.T, central, centralData string) (stop func()) {
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Go(func() {
		// Failed logins count against the address, which every client of
		// the test shares: the parent signs in once their account arrived.
		for ctx.Err() == nil && !arrived(centralData, "parent.k") {
			sleep(ctx, time.Second)
		}
		parent := &client{base: central, login: "parent.k", password: password}
		for ctx.Err() == nil {
			h.sign(ctx, parent)
			sleep(ctx, 300*time.Millisecond)
		}
	})
	return func() {
		cancel()
		wg.Wait()
		if h.ledger.len() == 0 {
			t.Error("no note reached the parent at home during the whole run: sync did not work under the kills")
		}
	}
}

// sign acknowledges one note the parent has not signed yet.
func (h *homeSigner) sign(ctx context.Context, parent *client) error {
	var notes []struct {
		ID           string
		Signature    bool
		Acknowledged bool
		PupilID      string `json:"pupil_id"`
	}
	if _, err := parent.call(ctx, "GET", "/api/v1/liaison", nil, &notes); err != nil {
		return err
	}
	for _, n := range notes {
		if n.Signature && !n.Acknowledged && n.PupilID == h.ids.pupil {
			if status, _ := parent.call(ctx, "POST", "/api/v1/liaison/"+n.ID+"/ack", map[string]string{"pupil_id": n.PupilID}, nil); status == 200 {
				h.ledger.add(write{kind: "home-ack", table: "liaison_acks", key: n.ID + "|" + n.PupilID})
			}
			return nil
		}
	}
	return nil
}

// arrived reports whether an account with its password reached a node.
func arrived(dataDir, login string) bool {
	db, err := openRO(dataDir)
	if err != nil {
		return false
	}
	defer db.Close()
	var n int
	err = db.QueryRow("SELECT count(*) FROM users WHERE login = ? AND password_hash != '' AND deleted = 0", login).Scan(&n)
	return err == nil && n == 1
}

func sleep(ctx context.Context, d time.Duration) {
	select {
	case <-ctx.Done():
	case <-time.After(d):
	}
}
