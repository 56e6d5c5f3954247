package platform_test

import (
	"context"
	"fmt"
	"maps"
	"testing"

	"github.com/salesseat/terraform-provider-salesseat/internal/sandbox/platform"
	"github.com/salesseat/terraform-provider-salesseat/internal/sfid"
)

func TestAutomaticSync(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, envOptions{seatLimit: 3, noConnection: true})
	for i := range 5 {
		e.org.addUser(10+i, fmt.Sprintf("rep%d@acme.example", i), fmt.Sprintf("rep%d@acme.example", i), "Rep", "X", true, profSalesRep)
	}
	e.org.addUser(20, "off@acme.example", "off@acme.example", "O", "Ff", false, profSalesRep)
	e.org.addUser(21, "mkt@acme.example", "mkt@acme.example", "M", "Kt", true, profMarketing)

	e.conn = e.connect(t, nil, true)
	if rep, err := e.p.RunAutomaticSync(ctx, e.conn.ID); err != nil || rep.Created != 0 {
		t.Errorf("sync without mappings: %+v, %v", rep, err)
	}
	e.mapProfile(t, profSalesRep, platform.RoleSales)
	rep, err := e.p.RunAutomaticSync(ctx, e.conn.ID)
	if err != nil || rep.Created != 3 {
		t.Fatalf("sync: created %d, %v; want 3 (the seat limit)", rep.Created, err)
	}
	// The two users past the seat limit are reported, not dropped.
	if len(rep.Problems) != 2 || rep.Problems[0].Code != platform.CodeSeatLimitReached {
		t.Errorf("sync problems %+v, want 2 seat_limit_reached", rep.Problems)
	}
	page, _ := e.p.ListSalesUsers(platform.SalesUserFilter{ConnectionID: e.conn.ID}, platform.PageRequest{})
	for _, su := range page.Items {
		if su.CreatedBy != platform.CreatedByAutomaticSync || su.CRMUsername == svcUsername || !su.CRMActive || su.CRMProfileID != profSalesRep {
			t.Errorf("synced %+v", su)
		}
	}
	if acc := e.p.Account(); acc.SeatsUsed != 3 {
		t.Errorf("seats_used %d", acc.SeatsUsed)
	}

	// More seats and a CRM change: the rest arrives.
	if _, err := e.p.SetSeatLimit(10); err != nil {
		t.Fatal(err)
	}
	e.org.addUser(22, "new@acme.example", "new@acme.example", "N", "Ew", true, profSalesRep)
	e.p.NotifyCRMChange(ctx, e.conn.OrganizationID)
	if acc := e.p.Account(); acc.SeatsUsed != 6 {
		t.Errorf("seats_used %d after NotifyCRMChange, want 6", acc.SeatsUsed)
	}

	// With the setting off nothing is imported.
	off, err := e.p.UpdateConnection(ctx, e.conn.ID, platform.ConnectionPatch{AutomaticUserSync: ptr(false)}, 0)
	if err != nil || off.AutomaticUserSync {
		t.Fatal(err)
	}
	e.org.addUser(23, "later@acme.example", "later@acme.example", "L", "Ater", true, profSalesRep)
	e.p.NotifyCRMChange(ctx, e.conn.OrganizationID)
	if rep, _ := e.p.RunAutomaticSync(ctx, e.conn.ID); rep.Created != 0 {
		t.Errorf("sync with the setting off created %d", rep.Created)
	}
	// Turning it on syncs at once.
	if _, err := e.p.UpdateConnection(ctx, e.conn.ID, platform.ConnectionPatch{AutomaticUserSync: ptr(true)}, 0); err != nil {
		t.Fatal(err)
	}
	if acc := e.p.Account(); acc.SeatsUsed != 7 {
		t.Errorf("seats_used %d after turning sync on, want 7", acc.SeatsUsed)
	}
}

// TestUserManagementGroup covers a connection that hands user management to
// a Salesforce public group: who the sync imports and removes, what it
// reports, the refusal of imports and restores by hand, and the settings
// that go with the mode.
func TestUserManagementGroup(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, envOptions{seatLimit: 3, noConnection: true})
	rep1 := e.org.addUser(10, "rep1@acme.example", "rep1@acme.example", "Rep", "One", true, profSalesRep)
	rep2 := e.org.addUser(11, "rep2@acme.example", "rep2@acme.example", "Rep", "Two", true, profSalesRep)
	off := e.org.addUser(12, "off@acme.example", "off@acme.example", "O", "Ff", false, profSalesRep)
	mkt := e.org.addUser(13, "mkt@acme.example", "mkt@acme.example", "M", "Kt", true, profMarketing)
	outside := e.org.addUser(14, "outside@acme.example", "outside@acme.example", "Out", "Side", true, profSalesRep)
	svc := sfid.FromSeq("005", "5A", 1)
	groupID := e.org.addGroup(1, "Sales_Team", rep1, rep2, off, mkt, svc)

	e.conn = e.connect(t, nil, false)
	e.mapProfile(t, profSalesRep, platform.RoleSales)
	before := e.importUser(t, outside) // imported by hand before the mode

	// The settings that go with the mode, and an unknown group.
	for name, patch := range map[string]platform.ConnectionPatch{
		"auto import":   {UserManagementGroup: ptr("Sales_Team"), AutomaticUserSync: ptr(true)},
		"no user sync":  {UserManagementGroup: ptr("Sales_Team"), UserSync: ptr(false)},
		"unknown group": {UserManagementGroup: ptr("Nope")},
	} {
		if _, err := e.p.UpdateConnection(ctx, e.conn.ID, patch, 0); !platform.IsCode(err, platform.CodeValidationFailed) {
			t.Errorf("%s: %v, want validation_failed", name, err)
		}
	}

	// Handing it over (by ID, 15 characters) syncs at once.
	conn, err := e.p.UpdateConnection(ctx, e.conn.ID, platform.ConnectionPatch{UserManagementGroup: ptr(groupID[:15])}, 0)
	if err != nil {
		t.Fatal(err)
	}
	if conn.UserManagementGroup != "Sales_Team" || conn.UserManagementGroupID != groupID {
		t.Errorf("group %q (%s)", conn.UserManagementGroup, conn.UserManagementGroupID)
	}
	rep := conn.LastSync
	if rep == nil {
		t.Fatal("no sync report after handing user management over")
	}
	// The sales user outside the group is removed first; rep1 and rep2 are
	// imported; the inactive member is no candidate (skipped); the marketing
	// user (no mapping) and the service account are reported.
	if rep.Created != 2 || rep.Removed != 1 {
		t.Errorf("created %d removed %d, want 2 and 1", rep.Created, rep.Removed)
	}
	codes := problemCodes(*rep)
	want := map[string]string{mkt: platform.CodeProfileNotMapped, svc: platform.CodeServiceAccountNotAllowed}
	if !maps.Equal(codes, want) {
		t.Errorf("problems %v, want %v", codes, want)
	}
	if _, err := e.p.GetSalesUser(before.ID); !platform.IsCode(err, platform.CodeNotFound) {
		t.Errorf("the sales user outside the group: %v, want it in the recycle bin", err)
	}

	// Imports, dry runs and restores by hand are refused.
	_, err = e.p.CreateSalesUser(ctx, platform.SalesUserInput{ConnectionID: e.conn.ID, CRMUserID: outside, Role: platform.RoleSales})
	if prob := platform.AsProblem(err); prob == nil || prob.Code != platform.CodeUserManagementInSalesforce || prob.Ext["user_management_group"] != "Sales_Team" {
		t.Errorf("import by hand: %v", err)
	}
	if _, err := e.p.RestoreSalesUser(ctx, before.ID, platform.RestoreInput{}); !platform.IsCode(err, platform.CodeUserManagementInSalesforce) {
		t.Errorf("restore by hand: %v", err)
	}
	res, err := e.p.Validate(ctx, []platform.ValidateItem{{Action: platform.ActionCreate, ConnectionID: e.conn.ID, CRMUserID: outside}})
	if err != nil || res.Valid || res.Items[0].Problems[0].Code != platform.CodeUserManagementInSalesforce {
		t.Errorf("dry run: %+v, %v", res, err)
	}

	// A seat shortage is reported per member; leaving the group frees the
	// seat at the next sync, and the member waiting for one gets it.
	e.mapProfile(t, profMarketing, platform.RoleMarketing)
	late := e.org.addUser(15, "late@acme.example", "late@acme.example", "La", "Te", true, profSalesRep)
	e.org.setMembers(groupID, rep1, rep2, off, mkt, late)
	rep2nd, err := e.p.RunAutomaticSync(ctx, e.conn.ID)
	if got := problemCodes(rep2nd); err != nil || rep2nd.Created != 1 || !maps.Equal(got, map[string]string{late: platform.CodeSeatLimitReached}) {
		t.Errorf("second sync %+v, %v; want mkt created, late short of a seat", rep2nd, err)
	}
	e.org.setMembers(groupID, rep1, off, mkt, late)
	rep3, err := e.p.RunAutomaticSync(ctx, e.conn.ID)
	if err != nil || rep3.Removed != 1 || rep3.Created != 1 || len(rep3.Problems) != 0 {
		t.Errorf("third sync %+v, %v; want rep2 removed and late created", rep3, err)
	}
	if acc := e.p.Account(); acc.SeatsUsed != 3 {
		t.Errorf("seats used %d, want 3 (rep1, mkt, late)", acc.SeatsUsed)
	}

	// A member who comes back gets its own sales user back from the
	// recycle bin (a new import would clash with the entry's username).
	left, err := e.p.GetSalesUserByCRMUsername("rep2@acme.example")
	if err == nil {
		t.Fatalf("rep2 still holds %s after leaving the group", left.ID)
	}
	e.org.setMembers(groupID, rep1, rep2, off, mkt)
	rep4, err := e.p.RunAutomaticSync(ctx, e.conn.ID)
	if err != nil || rep4.Removed != 1 || rep4.Created != 1 || len(rep4.Problems) != 0 {
		t.Errorf("sync after rep2 came back: %+v, %v; want late removed and rep2 restored", rep4, err)
	}
	if back, err := e.p.GetSalesUserByCRMUsername("rep2@acme.example"); err != nil || back.CRMUserID != rep2 {
		t.Errorf("rep2 after coming back: %+v, %v", back, err)
	}

	// A group deleted in Salesforce empties nothing: the sync refuses.
	used := e.p.Account().SeatsUsed
	e.org.deleteGroup(groupID)
	if _, err := e.p.RunAutomaticSync(ctx, e.conn.ID); !platform.IsCode(err, platform.CodeNotFound) {
		t.Errorf("sync of a deleted group: %v, want not_found", err)
	}
	if got := e.p.Account().SeatsUsed; got != used {
		t.Errorf("seats used %d after syncing a deleted group, want %d", got, used)
	}

	// Taking it back ends the refusal and the report.
	back, err := e.p.UpdateConnection(ctx, e.conn.ID, platform.ConnectionPatch{UserManagementGroup: ptr("")}, 0)
	if err != nil || back.UserManagementGroup != "" || back.LastSync != nil {
		t.Fatalf("taking user management back: %+v, %v", back, err)
	}
	if _, err := e.p.CreateSalesUser(ctx, platform.SalesUserInput{ConnectionID: e.conn.ID, CRMUserID: outside, Role: platform.RoleSales}); !platform.IsCode(err, platform.CodeCRMUsernameMapped) {
		t.Errorf("import after taking it back: %v, want crm_username_mapped (its sales user is in the recycle bin)", err)
	}
}

// problemCodes maps the CRM users a sync reported to their problem codes.
func problemCodes(rep platform.SyncReport) map[string]string {
	codes := map[string]string{}
	for _, p := range rep.Problems {
		codes[p.CRMUserID] = p.Code
	}
	return codes
}
