package platform_test

import (
	"testing"

	"github.com/salesseat/terraform-provider-salesseat/internal/sandbox/platform"
)

// TestAdoptionPicksTheLowestIDPlatformUserWithTheEmail builds platform users
// that share an email address (imports create such duplicates; a seed or a
// state file can hold them) and checks that every path that adopts a
// platform user by email picks the same one: the seeded recycle bin, an
// import, and an import after the state was restored. Map iteration order
// must not decide it, so each path runs several times.
func TestAdoptionPicksTheLowestIDPlatformUserWithTheEmail(t *testing.T) {
	const email = "dup@acme.example"
	shared := []platform.PlatformUserSeed{
		{ID: "pu_c", Email: email}, {ID: "pu_a", Email: "Dup@Acme.example"}, {ID: "pu_d", Email: email}, {ID: "pu_b", Email: email},
	}
	const want = "pu_a"
	for range 10 {
		seeded := newEnv(t, envOptions{noConnection: true, platformUsers: shared, recycleBin: []platform.RecycleBinSeed{
			{ID: "su_rb", CRMUserID: "005000000000001", CRMUsername: "rb@acme.example", Email: "DUP@acme.example"},
		}})
		bin, err := seeded.p.ListRecycleBin("", platform.PageRequest{})
		if err != nil || len(bin.Items) != 1 {
			t.Fatalf("recycle bin = %+v, %v", bin, err)
		}
		if got := bin.Items[0]; got.PlatformUserID != want || !got.AdoptedExistingUser {
			t.Fatalf("the seeded recycle bin entry adopted %s (adopted %v), want %s", got.PlatformUserID, got.AdoptedExistingUser, want)
		}

		e := newEnv(t, envOptions{platformUsers: shared})
		e.mapProfile(t, profSalesRep, platform.RoleSales)
		id := e.org.addUser(10, "dup.user@acme.example", email, "Dana", "Up", true, profSalesRep)
		if su := e.importUser(t, id); su.PlatformUserID != want || !su.AdoptedExistingUser {
			t.Fatalf("the import adopted %s (adopted %v), want %s", su.PlatformUserID, su.AdoptedExistingUser, want)
		}

		restored := newEnv(t, envOptions{platformUsers: shared})
		restored.mapProfile(t, profSalesRep, platform.RoleSales)
		if err := restored.p.Restore(restored.p.Snapshot()); err != nil {
			t.Fatal(err)
		}
		id = restored.org.addUser(10, "dup.user@acme.example", email, "Dana", "Up", true, profSalesRep)
		if su := restored.importUser(t, id); su.PlatformUserID != want {
			t.Fatalf("the import after a state restore adopted %s, want %s", su.PlatformUserID, want)
		}
	}
}
