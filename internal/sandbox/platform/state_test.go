package platform_test

import (
	"context"
	"encoding/json"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/salesseat/terraform-provider-salesseat/internal/sandbox/platform"
)

func TestSnapshotRestoreAndOnChange(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, envOptions{platformUsers: []platform.PlatformUserSeed{{Email: "pat@acme.example"}}})
	var changes atomic.Int32
	e.p.OnChange(func() {
		changes.Add(1)
		_ = e.p.Snapshot() // the hook runs without the lock held
	})
	m := e.mapProfile(t, profSalesRep, platform.RoleSales)
	su := e.importUser(t, e.org.addUser(10, "ann@acme.example", "ann@acme.example", "Ann", "E", true, profSalesRep))
	if changes.Load() < 2 {
		t.Errorf("OnChange ran %d times, want one per mutation", changes.Load())
	}

	raw, err := json.Marshal(e.p.Snapshot())
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(raw), goodToken) {
		t.Error("the snapshot must keep the connection's credentials")
	}
	var st platform.State
	if err := json.Unmarshal(raw, &st); err != nil {
		t.Fatal(err)
	}
	q := platform.New(platform.Seed{AccountName: "other"}, e.org.dial, platform.Options{Now: e.clock.Now})
	if err := q.Restore(st); err != nil {
		t.Fatal(err)
	}
	if q.Account() != e.p.Account() {
		t.Errorf("account %+v, want %+v", q.Account(), e.p.Account())
	}
	got, err := q.GetSalesUser(su.ID)
	if err != nil || got.Role != platform.RoleSales || got.Version != su.Version {
		t.Errorf("restored sales user %+v, %v", got, err)
	}
	if _, err := q.GetRoleMapping(m.ID); err != nil {
		t.Error(err)
	}
	// The restored platform re-authorizes with the stored credentials.
	dials := e.org.dialCount()
	conn, err := q.GetConnection(ctx, e.conn.ID)
	if err != nil || conn.Status != platform.StatusConnected || e.org.dialCount() != dials+1 {
		t.Errorf("restored connection %+v, %v (dials %d -> %d)", conn, err, dials, e.org.dialCount())
	}
	// Rules still hold after a restore.
	_, err = q.CreateSalesUser(ctx, platform.SalesUserInput{ConnectionID: e.conn.ID, CRMUserID: su.CRMUserID})
	requireProblem(t, err, platform.CodeCRMUsernameMapped, nil)

	if err := q.Restore(platform.State{}); !platform.IsCode(err, platform.CodeValidationFailed) {
		t.Errorf("restoring an empty state: %v", err)
	}
}
