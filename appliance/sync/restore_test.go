package sync_test

import (
	"bytes"
	"testing"

	"preau/appliance/apptest"
	"preau/appliance/auth"
	"preau/appliance/store"
)

// A school restored from an older backup gets a new epoch: it sends all it
// has again (harmless), and central sends it back everything, its own rows
// written after the backup included. Nothing is skipped either way.
func TestSchoolRestoredFromBackup(t *testing.T) {
	p := newPair(t, "ecole-a")
	ctx := t.Context()
	create := func(a *apptest.App, login string) {
		t.Helper()
		if _, err := a.Auth.CreateUser(ctx, auth.NewUser{Login: login, Display: login, Profile: auth.Teacher, SchoolID: "ecole-a"}); err != nil {
			t.Fatal(err)
		}
	}
	create(p.school, "avant.sauvegarde")
	syncOnce(t, p.school)
	var backup bytes.Buffer
	if _, err := p.school.DB.Backup(ctx, &backup, "test"); err != nil {
		t.Fatal(err)
	}
	create(p.school, "apres.sauvegarde") // lost with the disk, but central has it
	syncOnce(t, p.school)
	before := p.school.DB.Node()

	dir := t.TempDir() + "/restauree"
	if _, err := store.Restore(ctx, &backup, dir, false, nil); err != nil {
		t.Fatal(err)
	}
	restored := apptest.New(t, apptest.Options{NoDemo: true, DataDir: dir, Config: map[string]string{"school.id": "ecole-a"}})
	if restored.DB.Node().ID != before.ID || restored.DB.Node().Epoch == before.Epoch {
		t.Fatalf("restore must keep the node and renew its epoch: %+v → %+v", before, restored.DB.Node())
	}
	if _, err := restored.Auth.UserByLogin(ctx, "apres.sauvegarde"); err == nil {
		t.Fatal("test premise: the restored copy should predate this account")
	}
	syncOnce(t, restored)
	if _, err := restored.Auth.UserByLogin(ctx, "apres.sauvegarde"); err != nil {
		t.Fatal("the school's own write after the backup did not come back from central")
	}
	create(restored, "apres.restauration")
	syncOnce(t, restored)
	if _, err := p.central.Auth.UserByLogin(ctx, "apres.restauration"); err != nil {
		t.Fatal("a write after the restore did not reach central")
	}
	assertSameScope(t, p.central, restored, "ecole-a")
}
