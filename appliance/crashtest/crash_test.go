// Package crashtest kills a running school appliance with SIGKILL, hundreds
// of times, while people write through the API and the school syncs with
// central; after each kill, whatever the server acknowledged must be there,
// the database whole and every file intact; at the end the school and
// central hold the same rows.
//
// It is long: it runs only when CRASHTEST_KILLS gives the number of kills
// (`make test-long` gives 300, CI's .ci/run 40). The variable has no PREAU_
// prefix because the server rejects unknown PREAU_* variables, and these
// tests' servers never see it anyway.
package crashtest

import (
	"os"
	"testing"

	"preau/appliance/apptest"
)

func TestMain(m *testing.M) {
	code := m.Run()
	apptest.CleanupBinary()
	os.Exit(code)
}
