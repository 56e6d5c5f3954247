package platform_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/salesseat/terraform-provider-salesseat/internal/sandbox/platform"
	"github.com/salesseat/terraform-provider-salesseat/internal/sfid"
)

func TestRecycleBinRestoreAndPurge(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, envOptions{seatLimit: 1, platformUsers: []platform.PlatformUserSeed{{ID: "pu_ann", Email: "ann@acme.example"}}})
	e.mapProfile(t, profSalesRep, platform.RoleSales)
	annID := e.org.addUser(10, "ann@acme.example", "ann@acme.example", "Ann", "E", true, profSalesRep)
	bobID := e.org.addUser(11, "bob@acme.example", "bob@acme.example", "Bob", "E", true, profSalesRep)
	ann := e.importUser(t, annID)

	if err := e.p.DeleteSalesUser(ann.ID); err != nil {
		t.Fatal(err)
	}
	if acc := e.p.Account(); acc.SeatsUsed != 0 {
		t.Fatalf("seats_used %d after delete, want 0", acc.SeatsUsed)
	}
	if _, err := e.p.GetSalesUser(ann.ID); !platform.IsCode(err, platform.CodeNotFound) {
		t.Errorf("GetSalesUser of a deleted user: %v, want not_found", err)
	}
	bin, err := e.p.ListRecycleBin(e.conn.ID, platform.PageRequest{})
	if err != nil || len(bin.Items) != 1 || bin.Items[0].DeletedAt == nil {
		t.Fatalf("recycle bin = %+v, %v", bin, err)
	}
	// The deleted user still holds its username.
	_, err = e.p.CreateSalesUser(ctx, platform.SalesUserInput{ConnectionID: e.conn.ID, CRMUserID: annID})
	requireProblem(t, err, platform.CodeCRMUsernameMapped, map[string]any{"in_recycle_bin": true, "conflicting_sales_user_id": ann.ID})

	// Restoring needs a free seat.
	bob := e.importUser(t, bobID)
	_, err = e.p.RestoreSalesUser(ctx, ann.ID, platform.RestoreInput{})
	full := requireProblem(t, err, platform.CodeSeatLimitReached, map[string]any{"seats_used": 1, "seat_limit": 1, "seats_requested": 1})
	if !strings.Contains(full.Detail, "restoring sales user "+ann.ID) || !strings.Contains(full.Detail, "vendor") {
		t.Errorf("detail %q does not say that restoring %s needs a seat and how to get one", full.Detail, ann.ID)
	}
	if err := e.p.DeleteSalesUser(bob.ID); err != nil {
		t.Fatal(err)
	}
	// Restoring re-checks the rules against the CRM user as it is now.
	e.org.setActive(annID, false)
	_, err = e.p.RestoreSalesUser(ctx, ann.ID, platform.RestoreInput{})
	requireProblem(t, err, platform.CodeCRMUserInactive, nil)
	e.org.setActive(annID, true)
	restored, err := e.p.RestoreSalesUser(ctx, ann.ID, platform.RestoreInput{})
	if err != nil {
		t.Fatal(err)
	}
	if restored.DeletedAt != nil || restored.PlatformUserID != "pu_ann" || restored.Version <= ann.Version {
		t.Errorf("restored = %+v", restored)
	}
	if _, err := e.p.RestoreSalesUser(ctx, ann.ID, platform.RestoreInput{}); !platform.IsCode(err, platform.CodeNotFound) {
		t.Errorf("restoring a live user: %v, want not_found", err)
	}

	// Purging frees the username for good; the platform user created by the
	// import goes, an adopted one stays.
	if err := e.p.PurgeSalesUser(bob.ID); err != nil {
		t.Fatal(err)
	}
	if err := e.p.PurgeSalesUser(bob.ID); !platform.IsCode(err, platform.CodeNotFound) {
		t.Errorf("second purge: %v, want not_found", err)
	}
	if err := e.p.DeleteSalesUser(ann.ID); err != nil {
		t.Fatal(err)
	}
	if err := e.p.PurgeSalesUser(ann.ID); err != nil {
		t.Fatal(err)
	}
	var emails []string
	for _, pu := range e.p.PlatformUsers() {
		emails = append(emails, pu.Email)
	}
	if !slices.Equal(emails, []string{"ann@acme.example"}) {
		t.Errorf("platform users after purges: %v, want only the adopted ann@acme.example", emails)
	}
	again := e.importUser(t, bobID)
	if again.ID == bob.ID {
		t.Error("re-import after purge reused the purged ID")
	}
}

func TestRestoreSeededRecycleBinEntryThroughAConnection(t *testing.T) {
	e := newEnv(t, envOptions{recycleBin: []platform.RecycleBinSeed{{
		ID: "su_riley", CRMUserID: sfid.FromSeq("005", "5A", 10)[:15], CRMUsername: "riley@acme.example", Email: "riley@acme.example",
	}}})
	e.org.addUser(10, "riley@acme.example", "riley@acme.example", "Riley", "Brooks", true, profSalesRep)
	e.mapProfile(t, profSalesRep, platform.RoleSales)
	su, err := e.p.RestoreSalesUser(context.Background(), "su_riley", platform.RestoreInput{})
	if err != nil {
		t.Fatal(err)
	}
	if su.ConnectionID != e.conn.ID || su.Role != platform.RoleSales || su.LastName != "Brooks" {
		t.Errorf("restored = %+v", su)
	}
}

// TestRestoreOnConnection covers the connection_id of a restore: the own
// connection while it exists, else one that reaches the CRM user's org.
func TestRestoreOnConnection(t *testing.T) {
	ctx := context.Background()
	// deletedOn imports Ann on a new connection and deletes her; gone also
	// deletes that connection. It returns the entry and its connection.
	deletedOn := func(t *testing.T, e *env, gone bool) (platform.SalesUser, platform.Connection) {
		t.Helper()
		own := e.connect(t, nil, false)
		annID := e.org.addUser(10, "ann@acme.example", "ann@acme.example", "Ann", "E", true, profSalesRep)
		su, err := e.p.CreateSalesUser(ctx, platform.SalesUserInput{ConnectionID: own.ID, CRMUserID: annID, Role: platform.RoleSales})
		if err != nil {
			t.Fatal(err)
		}
		if err := e.p.DeleteSalesUser(su.ID); err != nil {
			t.Fatal(err)
		}
		if gone {
			if err := e.p.DeleteConnection(ctx, own.ID); err != nil {
				t.Fatal(err)
			}
		}
		return su, own
	}
	cases := map[string]struct {
		ownGone bool
		// connection returns the connection_id to send; want the
		// connection the sales user is restored on ("" for an error).
		connection func(t *testing.T, e *env, own platform.Connection) (send, want string)
		wantMsg    []string
	}{
		"no connection_id: own connection": {
			connection: func(_ *testing.T, _ *env, own platform.Connection) (string, string) { return "", own.ID },
		},
		"own connection named": {
			connection: func(_ *testing.T, _ *env, own platform.Connection) (string, string) { return own.ID, own.ID },
		},
		"own connection exists, another named": {
			connection: func(_ *testing.T, e *env, _ platform.Connection) (string, string) { return e.conn.ID, "" },
			wantMsg:    []string{"still exists", "restored on its own connection", "purge", "import"},
		},
		"named connection does not exist": {
			ownGone:    true,
			connection: func(_ *testing.T, _ *env, _ platform.Connection) (string, string) { return "conn_nope", "" },
			wantMsg:    []string{`connection "conn_nope" does not exist`, "Salesforce org of CRM user"},
		},
		"own connection gone: the named one of two to the org": {
			ownGone: true,
			connection: func(t *testing.T, e *env, _ platform.Connection) (string, string) {
				second := e.connect(t, nil, false)
				named := max(e.conn.ID, second.ID) // not the one the platform picks by itself
				return named, named
			},
		},
		"own connection gone: named connection reaches another org": {
			ownGone: true,
			connection: func(t *testing.T, e *env, _ platform.Connection) (string, string) {
				return e.connectOther(t).ID, ""
			},
			wantMsg: []string{"does not reach CRM user", "to org " + sfid.FromSeq("00D", "5A", 2), "it must reach Salesforce org " + sfid.FromSeq("00D", "5A", 1)},
		},
		"own connection gone, no connection_id: a connection that reaches the CRM user": {
			ownGone: true,
			connection: func(t *testing.T, e *env, _ platform.Connection) (string, string) {
				e.connectOther(t)
				return "", e.conn.ID
			},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			e := newEnv(t, envOptions{})
			entry, own := deletedOn(t, e, tc.ownGone)
			send, want := tc.connection(t, e, own)
			got, err := e.p.RestoreSalesUser(ctx, entry.ID, platform.RestoreInput{ConnectionID: send})
			if want == "" {
				prob := requireProblem(t, err, platform.CodeValidationFailed, nil)
				if !strings.Contains(prob.Detail, "connection_id: ") {
					t.Errorf("detail %q does not name connection_id", prob.Detail)
				}
				for _, w := range tc.wantMsg {
					if !strings.Contains(prob.Detail, w) {
						t.Errorf("detail %q does not contain %q", prob.Detail, w)
					}
				}
				if _, err := e.p.GetSalesUser(entry.ID); !platform.IsCode(err, platform.CodeNotFound) {
					t.Errorf("a refused restore took the sales user out of the recycle bin: %v", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got.ConnectionID != want || got.DeletedAt != nil || got.ID != entry.ID {
				t.Errorf("restored on %s (deleted_at %v), want %s on %s", got.ConnectionID, got.DeletedAt, entry.ID, want)
			}
		})
	}
}

func TestDeleteConnectionRecyclesItsSalesUsers(t *testing.T) {
	e := newEnv(t, envOptions{})
	m := e.mapProfile(t, profSalesRep, platform.RoleSales)
	su := e.importUser(t, e.org.addUser(10, "ann@acme.example", "ann@acme.example", "Ann", "E", true, profSalesRep))
	if err := e.p.DeleteConnection(context.Background(), e.conn.ID); err != nil {
		t.Fatal(err)
	}
	if acc := e.p.Account(); acc.SeatsUsed != 0 {
		t.Errorf("seats_used %d", acc.SeatsUsed)
	}
	if _, err := e.p.GetRoleMapping(m.ID); !platform.IsCode(err, platform.CodeNotFound) {
		t.Errorf("mapping survived: %v", err)
	}
	bin, _ := e.p.ListRecycleBin("", platform.PageRequest{})
	if len(bin.Items) != 1 || bin.Items[0].ID != su.ID {
		t.Errorf("recycle bin %+v", bin.Items)
	}
}
