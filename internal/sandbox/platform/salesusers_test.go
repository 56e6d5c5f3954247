package platform_test

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/salesseat/terraform-provider-salesseat/internal/sandbox/platform"
	"github.com/salesseat/terraform-provider-salesseat/internal/sfid"
)

func ptr[T any](v T) *T { return &v }

// TestCreateSalesUserRules covers every mapping rule of the product, in the
// contract's rule order, plus the cases that must succeed.
func TestCreateSalesUserRules(t *testing.T) {
	ctx := context.Background()
	type setup func(t *testing.T, e *env) platform.SalesUserInput
	byID := func(seq int, username, email string, active bool, profileID string) setup {
		return func(t *testing.T, e *env) platform.SalesUserInput {
			id := e.org.addUser(seq, username, email, "Ann", "Example", active, profileID)
			return platform.SalesUserInput{ConnectionID: e.conn.ID, CRMUserID: id}
		}
	}
	cases := map[string]struct {
		opts     envOptions
		setup    setup
		code     string
		status   int
		ext      map[string]any
		detail   []string
		check    func(t *testing.T, e *env, su platform.SalesUser)
		seatsUse int
	}{
		"imports an active user with a mapped profile": {
			setup: byID(10, "ann@acme.example", "ann@acme.example", true, profSalesRep),
			check: func(t *testing.T, e *env, su platform.SalesUser) {
				if su.Role != platform.RoleSales || su.RoleSource != platform.RoleSourceProfileMapping || su.Status != platform.SalesUserActive ||
					su.AdoptedExistingUser || su.CreatedBy != platform.CreatedByAPI || su.Version != 1 || su.HiddenComponents == nil {
					t.Errorf("unexpected sales user %+v", su)
				}
			},
			seatsUse: 1,
		},
		"imports by CRM username, case-insensitively": {
			setup: func(t *testing.T, e *env) platform.SalesUserInput {
				e.org.addUser(10, "ann@acme.example", "ann@acme.example", "Ann", "Example", true, profSalesRep)
				return platform.SalesUserInput{ConnectionID: e.conn.ID, CRMUsername: "ANN@acme.example"}
			},
			check: func(t *testing.T, e *env, su platform.SalesUser) {
				if su.CRMUserID != sfid.FromSeq("005", "5A", 10) || su.CRMUsername != "ann@acme.example" {
					t.Errorf("got %s %s", su.CRMUserID, su.CRMUsername)
				}
			},
			seatsUse: 1,
		},
		"accepts a 15-character CRM user ID and stores 18": {
			setup: func(t *testing.T, e *env) platform.SalesUserInput {
				id := e.org.addUser(10, "ann@acme.example", "ann@acme.example", "Ann", "Example", true, profSalesRep)
				return platform.SalesUserInput{ConnectionID: e.conn.ID, CRMUserID: id[:15]}
			},
			check: func(t *testing.T, e *env, su platform.SalesUser) {
				if len(su.CRMUserID) != 18 {
					t.Errorf("crm_user_id %q is not 18 characters", su.CRMUserID)
				}
			},
			seatsUse: 1,
		},
		"explicit role wins over the mapping; hidden components sorted and de-duplicated": {
			setup: func(t *testing.T, e *env) platform.SalesUserInput {
				in := byID(10, "ann@acme.example", "ann@acme.example", true, profSalesRep)(t, e)
				in.Role, in.Team = platform.RoleSalesManager, "West"
				in.HiddenComponents = []string{"website_visitors", "hot_prospects", "website_visitors"}
				return in
			},
			check: func(t *testing.T, e *env, su platform.SalesUser) {
				if su.Role != platform.RoleSalesManager || su.RoleSource != platform.RoleSourceExplicit || su.Team != "West" ||
					!slices.Equal(su.HiddenComponents, []string{"hot_prospects", "website_visitors"}) {
					t.Errorf("unexpected sales user %+v", su)
				}
			},
			seatsUse: 1,
		},
		"adopts an unmapped platform user with the same email": {
			opts:  envOptions{platformUsers: []platform.PlatformUserSeed{{ID: "pu_sam", Email: "Sam.Taylor@acme.example", FirstName: "Sam", LastName: "Taylor"}}},
			setup: byID(10, "staylor@acme.example", "sam.taylor@acme.example", true, profSalesRep),
			check: func(t *testing.T, e *env, su platform.SalesUser) {
				if !su.AdoptedExistingUser || su.PlatformUserID != "pu_sam" {
					t.Errorf("adopted=%v platform_user_id=%s, want adoption of pu_sam", su.AdoptedExistingUser, su.PlatformUserID)
				}
			},
			seatsUse: 1,
		},
		"username equal to an email that is also the user's own email adopts instead of reserving": {
			opts:     envOptions{platformUsers: []platform.PlatformUserSeed{{ID: "pu_sam", Email: "sam@acme.example"}}},
			setup:    byID(10, "sam@acme.example", "sam@acme.example", true, profSalesRep),
			check:    func(t *testing.T, e *env, su platform.SalesUser) { _ = su },
			seatsUse: 1,
		},
		"user sync off: no mapping and no role is allowed, role empty": {
			opts:  envOptions{userSync: ptr(false)},
			setup: byID(10, "ann@acme.example", "ann@acme.example", true, profMarketing),
			check: func(t *testing.T, e *env, su platform.SalesUser) {
				if su.Role != "" || su.RoleSource != platform.RoleSourceProfileMapping {
					t.Errorf("role=%q source=%q, want empty role from the (missing) mapping", su.Role, su.RoleSource)
				}
			},
			seatsUse: 1,
		},
		"explicit role satisfies user sync without a mapping": {
			setup: func(t *testing.T, e *env) platform.SalesUserInput {
				in := byID(10, "ann@acme.example", "ann@acme.example", true, profMarketing)(t, e)
				in.Role = platform.RoleMarketing
				return in
			},
			check:    func(t *testing.T, e *env, su platform.SalesUser) { _ = su },
			seatsUse: 1,
		},
		"rule 4: the service account": {
			setup: func(t *testing.T, e *env) platform.SalesUserInput {
				return platform.SalesUserInput{ConnectionID: e.conn.ID, CRMUsername: svcUsername}
			},
			code: platform.CodeServiceAccountNotAllowed, status: 422,
			ext:    map[string]any{"crm_username": svcUsername, "crm_user_id": sfid.FromSeq("005", "5A", 1)},
			detail: []string{"service account"},
		},
		"rule 4: an inactive user": {
			setup: byID(10, "gone@acme.example", "gone@acme.example", false, profSalesRep),
			code:  platform.CodeCRMUserInactive, status: 422,
			ext:    map[string]any{"crm_username": "gone@acme.example", "crm_user_id": sfid.FromSeq("005", "5A", 10)},
			detail: []string{"inactive", "Reactivate"},
		},
		"rule order: inactive is reported before the username conflict": {
			setup: func(t *testing.T, e *env) platform.SalesUserInput {
				id := e.org.addUser(10, "ann@acme.example", "ann@acme.example", "Ann", "Example", true, profSalesRep)
				e.importUser(t, id)
				e.org.setActive(id, false)
				return platform.SalesUserInput{ConnectionID: e.conn.ID, CRMUserID: id}
			},
			code: platform.CodeCRMUserInactive, status: 422,
		},
		"rule 1: username already mapped to a live sales user": {
			setup: func(t *testing.T, e *env) platform.SalesUserInput {
				id := e.org.addUser(10, "ann@acme.example", "ann@acme.example", "Ann", "Example", true, profSalesRep)
				e.importUser(t, id)
				return platform.SalesUserInput{ConnectionID: e.conn.ID, CRMUserID: id}
			},
			code: platform.CodeCRMUsernameMapped, status: 409,
			ext:    map[string]any{"crm_username": "ann@acme.example", "in_recycle_bin": false, "conflicting_user_email": "ann@acme.example", "conflicting_user_name": "Ann Example"},
			detail: []string{"import { to = salesseat_sales_user.x, id = \"su_"},
		},
		"rule 1: username held by a sales user in the recycle bin": {
			opts: envOptions{recycleBin: []platform.RecycleBinSeed{{
				ID: "su_riley", CRMUserID: sfid.FromSeq("005", "5A", 10), CRMUsername: "riley@acme.example",
				Email: "riley@acme.example", FirstName: "Riley", LastName: "Brooks",
			}}},
			setup: byID(10, "riley@acme.example", "riley@acme.example", true, profSalesRep),
			code:  platform.CodeCRMUsernameMapped, status: 409,
			ext: map[string]any{
				"conflicting_sales_user_id": "su_riley", "in_recycle_bin": true,
				"conflicting_user_email": "riley@acme.example", "conflicting_user_name": "Riley Brooks",
			},
			detail: []string{"recycle bin", "DELETE /api/v1/recycle-bin/su_riley", "POST /api/v1/recycle-bin/su_riley/restore"},
		},
		"rule 2: username reserved for a different unmapped platform user": {
			opts:  envOptions{platformUsers: []platform.PlatformUserSeed{{ID: "pu_sam", Email: "sam.taylor@acme.example", FirstName: "Sam", LastName: "Taylor"}}},
			setup: byID(10, "sam.taylor@acme.example", "samantha.taylor@acme.example", true, profSalesRep),
			code:  platform.CodeCRMUsernameReserved, status: 409,
			ext: map[string]any{
				"crm_username": "sam.taylor@acme.example", "platform_user_id": "pu_sam",
				"platform_user_email": "sam.taylor@acme.example", "platform_user_name": "Sam Taylor",
			},
			detail: []string{"pu_sam"},
		},
		"rule 2 does not apply once that platform user is mapped": {
			opts: envOptions{platformUsers: []platform.PlatformUserSeed{{ID: "pu_sam", Email: "sam.taylor@acme.example", FirstName: "Sam", LastName: "Taylor"}}},
			setup: func(t *testing.T, e *env) platform.SalesUserInput {
				adopter := e.org.addUser(11, "staylor@acme.example", "sam.taylor@acme.example", "Sam", "Taylor", true, profSalesRep)
				if su := e.importUser(t, adopter); !su.AdoptedExistingUser {
					t.Fatal("expected adoption")
				}
				return byID(10, "sam.taylor@acme.example", "samantha.taylor@acme.example", true, profSalesRep)(t, e)
			},
			check: func(t *testing.T, e *env, su platform.SalesUser) {
				if su.AdoptedExistingUser {
					t.Error("the reserved-username user must not adopt Sam's platform user")
				}
			},
			seatsUse: 2,
		},
		"rule 3: user sync on, profile without mapping, no explicit role": {
			setup: byID(10, "mara@acme.example", "mara@acme.example", true, profMarketing),
			code:  platform.CodeProfileNotMapped, status: 422,
			ext:    map[string]any{"crm_profile_id": profMarketing, "crm_profile_name": "Marketing User"},
			detail: []string{"salesseat_profile_role_mapping", "Marketing User", "set role explicitly"},
		},
		"seat limit reached": {
			opts: envOptions{seatLimit: 1},
			setup: func(t *testing.T, e *env) platform.SalesUserInput {
				e.importUser(t, e.org.addUser(11, "first@acme.example", "first@acme.example", "F", "Irst", true, profSalesRep))
				return byID(10, "ann@acme.example", "ann@acme.example", true, profSalesRep)(t, e)
			},
			code: platform.CodeSeatLimitReached, status: 409,
			ext:    map[string]any{"seats_used": 1, "seat_limit": 1, "seats_requested": 1},
			detail: []string{"uses 1 of 1 seats", "ask your vendor", "cannot be changed through the API or Terraform"},
		},
		"unknown CRM user": {
			setup: func(t *testing.T, e *env) platform.SalesUserInput {
				return platform.SalesUserInput{ConnectionID: e.conn.ID, CRMUserID: sfid.FromSeq("005", "5A", 99)}
			},
			code: platform.CodeNotFound, status: 404, ext: map[string]any{"resource": platform.ResourceCRMUser},
		},
		"unknown connection": {
			setup: func(t *testing.T, e *env) platform.SalesUserInput {
				return platform.SalesUserInput{ConnectionID: "conn_nope", CRMUserID: sfid.FromSeq("005", "5A", 1)}
			},
			code: platform.CodeNotFound, status: 404, ext: map[string]any{"resource": platform.ResourceConnection},
		},
		"malformed CRM user ID": {
			setup: func(t *testing.T, e *env) platform.SalesUserInput {
				return platform.SalesUserInput{ConnectionID: e.conn.ID, CRMUserID: "005xyz"}
			},
			code: platform.CodeValidationFailed, status: 422, detail: []string{"crm_user_id", "15 or 18"},
		},
		"both CRM user ID and username": {
			setup: func(t *testing.T, e *env) platform.SalesUserInput {
				return platform.SalesUserInput{ConnectionID: e.conn.ID, CRMUserID: sfid.FromSeq("005", "5A", 1), CRMUsername: svcUsername}
			},
			code: platform.CodeValidationFailed, status: 422, detail: []string{"not both"},
		},
		"unknown role and hidden component": {
			setup: func(t *testing.T, e *env) platform.SalesUserInput {
				return platform.SalesUserInput{ConnectionID: e.conn.ID, CRMUserID: sfid.FromSeq("005", "5A", 1), Role: "boss", HiddenComponents: []string{"dashboards"}}
			},
			code: platform.CodeValidationFailed, status: 422, detail: []string{"\"sales_manager\"", "hot_prospects"},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			e := newEnv(t, tc.opts)
			e.mapProfile(t, profSalesRep, platform.RoleSales)
			e.mapProfile(t, profSalesMgr, platform.RoleSalesManager)
			in := tc.setup(t, e)
			before := e.p.Account().SeatsUsed
			su, err := e.p.CreateSalesUser(ctx, in)
			if tc.code != "" {
				prob := requireProblem(t, err, tc.code, tc.status, tc.ext)
				for _, s := range tc.detail {
					if !strings.Contains(prob.Detail, s) {
						t.Errorf("detail %q does not mention %q", prob.Detail, s)
					}
				}
				if got := e.p.Account().SeatsUsed; got != before {
					t.Errorf("a failed import changed seats_used from %d to %d", before, got)
				}
				return
			}
			if err != nil {
				t.Fatalf("CreateSalesUser: %v", err)
			}
			tc.check(t, e, su)
			if got := e.p.Account().SeatsUsed; got != tc.seatsUse {
				t.Errorf("seats_used = %d, want %d", got, tc.seatsUse)
			}
			got, err := e.p.GetSalesUser(su.ID)
			if err != nil || got.ID != su.ID {
				t.Errorf("GetSalesUser(%s) = %v, %v", su.ID, got.ID, err)
			}
		})
	}
}

// TestConcurrentImportsNeverExceedSeats imports 50 distinct users at once
// with 25 free seats.
func TestConcurrentImportsNeverExceedSeats(t *testing.T) {
	e := newEnv(t, envOptions{seatLimit: 25})
	e.mapProfile(t, profSalesRep, platform.RoleSales)
	ids := make([]string, 50)
	for i := range ids {
		username := "rep" + string(rune('a'+i%26)) + strings.Repeat("x", i/26) + "@acme.example"
		ids[i] = e.org.addUser(100+i, username, username, "Rep", "X", true, profSalesRep)
	}
	var (
		wg         sync.WaitGroup
		mu         sync.Mutex
		ok, full   int
		unexpected []error
	)
	e.org.holdUserCalls(len(ids)) // every import has read the CRM before any takes the lock
	start := make(chan struct{})
	for _, id := range ids {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			_, err := e.p.CreateSalesUser(context.Background(), platform.SalesUserInput{ConnectionID: e.conn.ID, CRMUserID: id})
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil:
				ok++
			case platform.IsCode(err, platform.CodeSeatLimitReached):
				full++
			default:
				unexpected = append(unexpected, err)
			}
		}()
	}
	close(start)
	wg.Wait()
	if len(unexpected) > 0 {
		t.Fatalf("unexpected errors: %v", unexpected)
	}
	acc := e.p.Account()
	if ok != 25 || full != 25 || acc.SeatsUsed != acc.SeatLimit || acc.SeatsAvailable != 0 {
		t.Errorf("ok=%d full=%d account=%+v, want 25/25 and seats_used == seat_limit", ok, full, acc)
	}
}

func TestDisconnectedConnectionSuspendsAndReauthorizes(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, envOptions{})
	e.mapProfile(t, profSalesRep, platform.RoleSales)
	su := e.importUser(t, e.org.addUser(10, "ann@acme.example", "ann@acme.example", "Ann", "E", true, profSalesRep))
	other := e.org.addUser(11, "bob@acme.example", "bob@acme.example", "Bob", "E", true, profSalesRep)

	e.org.expire(goodToken)
	conn, err := e.p.GetConnection(ctx, e.conn.ID)
	if err != nil {
		t.Fatal(err)
	}
	if conn.Status != platform.StatusDisconnected || conn.StatusReason != "invalid_grant: expired access/refresh token" {
		t.Fatalf("status %q reason %q after the token expired", conn.Status, conn.StatusReason)
	}
	if conn.Version != e.conn.Version+1 {
		t.Errorf("version %d, want %d after the status changed", conn.Version, e.conn.Version+1)
	}
	if got, _ := e.p.GetSalesUser(su.ID); got.Status != platform.SalesUserSuspended {
		t.Errorf("sales user status %q while disconnected, want suspended", got.Status)
	}
	if acc := e.p.Account(); acc.SeatsUsed != 1 {
		t.Errorf("a suspended sales user must keep its seat, seats_used=%d", acc.SeatsUsed)
	}
	_, err = e.p.CreateSalesUser(ctx, platform.SalesUserInput{ConnectionID: e.conn.ID, CRMUserID: other})
	requireProblem(t, err, platform.CodeConnectionDisconnected, 409, map[string]any{
		"connection_id": e.conn.ID, "status_reason": "invalid_grant: expired access/refresh token",
	})
	_, err = e.p.ListCRMUsers(ctx, e.conn.ID, platform.CRMUserFilter{}, platform.PageRequest{})
	requireProblem(t, err, platform.CodeConnectionDisconnected, 409, nil)

	// Re-running the stored (expired) grant fails and keeps it disconnected.
	_, err = e.p.AuthorizeConnection(ctx, e.conn.ID, platform.AuthorizeInput{})
	requireProblem(t, err, platform.CodeCRMAuthorizationFailed, 422, map[string]any{
		"connection_id": e.conn.ID, "crm_error": "invalid_grant", "crm_error_description": "expired access/refresh token",
	})

	// A new refresh token restores the connection and the sales user.
	e.org.tokens["refresh-token-2"] = svcUsername
	conn, err = e.p.AuthorizeConnection(ctx, e.conn.ID, platform.AuthorizeInput{RefreshToken: "refresh-token-2"})
	if err != nil {
		t.Fatal(err)
	}
	if conn.Status != platform.StatusConnected || conn.StatusReason != "" {
		t.Errorf("status %q reason %q after re-authorizing", conn.Status, conn.StatusReason)
	}
	if got, _ := e.p.GetSalesUser(su.ID); got.Status != platform.SalesUserActive {
		t.Errorf("sales user status %q after re-authorizing, want active", got.Status)
	}
	if _, err := e.p.CreateSalesUser(ctx, platform.SalesUserInput{ConnectionID: e.conn.ID, CRMUserID: other}); err != nil {
		t.Errorf("import after re-authorizing: %v", err)
	}

	// Switching to the JWT bearer flow re-authorizes without a refresh token.
	e.org.expire("refresh-token-2")
	if conn, _ = e.p.GetConnection(ctx, e.conn.ID); conn.Status != platform.StatusDisconnected {
		t.Fatalf("status %q after the second token expired", conn.Status)
	}
	conn, err = e.p.AuthorizeConnection(ctx, e.conn.ID, platform.AuthorizeInput{JWTPrivateKey: testKeyPEM(t)})
	if err != nil {
		t.Fatal(err)
	}
	if conn.Status != platform.StatusConnected || conn.AuthMethod != platform.AuthMethodJWTBearer {
		t.Errorf("status %q auth %q, want connected via jwt_bearer", conn.Status, conn.AuthMethod)
	}
	if _, _, err := e.p.ConnectionRefreshToken(e.conn.ID); !platform.IsCode(err, platform.CodeValidationFailed) {
		t.Errorf("ConnectionRefreshToken of a JWT connection: %v, want validation_failed", err)
	}
	if org, err := e.p.ConnectionOrg(e.conn.ID); err != nil || org != conn.OrganizationID || org == "" {
		t.Errorf("ConnectionOrg = %q, %v; want %q", org, err, conn.OrganizationID)
	}
	_, err = e.p.ConnectionOrg("conn_nope")
	requireProblem(t, err, platform.CodeNotFound, 404, map[string]any{"resource": platform.ResourceConnection})
}

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
	requireProblem(t, err, platform.CodeCRMUsernameMapped, 409, map[string]any{"in_recycle_bin": true, "conflicting_sales_user_id": ann.ID})

	// Restoring needs a free seat.
	bob := e.importUser(t, bobID)
	_, err = e.p.RestoreSalesUser(ctx, ann.ID, platform.RestoreInput{})
	full := requireProblem(t, err, platform.CodeSeatLimitReached, 409, map[string]any{"seats_used": 1, "seat_limit": 1, "seats_requested": 1})
	if !strings.Contains(full.Detail, "restoring sales user "+ann.ID) || !strings.Contains(full.Detail, "vendor") {
		t.Errorf("detail %q does not say that restoring %s needs a seat and how to get one", full.Detail, ann.ID)
	}
	if err := e.p.DeleteSalesUser(bob.ID); err != nil {
		t.Fatal(err)
	}
	// Restoring re-checks the rules against the CRM user as it is now.
	e.org.setActive(annID, false)
	_, err = e.p.RestoreSalesUser(ctx, ann.ID, platform.RestoreInput{})
	requireProblem(t, err, platform.CodeCRMUserInactive, 422, nil)
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
				prob := requireProblem(t, err, platform.CodeValidationFailed, 422, nil)
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

func TestUpdateSalesUser(t *testing.T) {
	e := newEnv(t, envOptions{})
	e.mapProfile(t, profSalesRep, platform.RoleSales)
	su := e.importUser(t, e.org.addUser(10, "ann@acme.example", "ann@acme.example", "Ann", "E", true, profSalesRep))
	mktID := e.org.addUser(11, "mara@acme.example", "mara@acme.example", "Mara", "E", true, profMarketing)
	mkt, err := e.p.CreateSalesUser(context.Background(), platform.SalesUserInput{ConnectionID: e.conn.ID, CRMUserID: mktID, Role: platform.RoleMarketing})
	if err != nil {
		t.Fatal(err)
	}

	cases := map[string]struct {
		id      string
		patch   platform.SalesUserPatch
		ifMatch func() int
		code    string
		want    func(t *testing.T, got platform.SalesUser)
	}{
		"explicit role": {
			id: su.ID, patch: platform.SalesUserPatch{Role: ptr(platform.RoleAdministrator)},
			want: func(t *testing.T, got platform.SalesUser) {
				if got.Role != platform.RoleAdministrator || got.RoleSource != platform.RoleSourceExplicit {
					t.Errorf("role %q source %q", got.Role, got.RoleSource)
				}
			},
		},
		"back to the mapping": {
			id: su.ID, patch: platform.SalesUserPatch{Role: ptr("")},
			want: func(t *testing.T, got platform.SalesUser) {
				if got.Role != platform.RoleSales || got.RoleSource != platform.RoleSourceProfileMapping {
					t.Errorf("role %q source %q", got.Role, got.RoleSource)
				}
			},
		},
		"following a missing mapping with user sync on": {
			id: mkt.ID, patch: platform.SalesUserPatch{Role: ptr("")}, code: platform.CodeProfileNotMapped,
		},
		"hidden components set, sorted": {
			id: su.ID, patch: platform.SalesUserPatch{HiddenComponents: &[]string{"sent_messages", "hot_prospects"}},
			want: func(t *testing.T, got platform.SalesUser) {
				if !slices.Equal(got.HiddenComponents, []string{"hot_prospects", "sent_messages"}) {
					t.Errorf("hidden components %#v", got.HiddenComponents)
				}
			},
		},
		"hidden components cleared to an empty list": {
			id: su.ID, patch: platform.SalesUserPatch{HiddenComponents: &[]string{}},
			want: func(t *testing.T, got platform.SalesUser) {
				if got.HiddenComponents == nil || len(got.HiddenComponents) != 0 {
					t.Errorf("hidden components %#v", got.HiddenComponents)
				}
			},
		},
		"stale If-Match": {
			id: su.ID, patch: platform.SalesUserPatch{Team: ptr("East")},
			ifMatch: func() int { return 1 }, code: platform.CodePreconditionFailed,
		},
		"current If-Match": {
			id: su.ID, patch: platform.SalesUserPatch{Team: ptr("East")},
			ifMatch: func() int { cur, _ := e.p.GetSalesUser(su.ID); return cur.Version },
			want: func(t *testing.T, got platform.SalesUser) {
				if got.Team != "East" {
					t.Errorf("team %q", got.Team)
				}
			},
		},
		"unknown sales user": {id: "su_nope", patch: platform.SalesUserPatch{}, code: platform.CodeNotFound},
	}
	// Map iteration order is random; run the cases that depend on each other
	// in a fixed order.
	order := []string{"explicit role", "back to the mapping", "following a missing mapping with user sync on",
		"hidden components set, sorted", "hidden components cleared to an empty list", "stale If-Match", "current If-Match", "unknown sales user"}
	for _, name := range order {
		tc := cases[name]
		t.Run(name, func(t *testing.T) {
			ifMatch := 0
			if tc.ifMatch != nil {
				ifMatch = tc.ifMatch()
			}
			before, _ := e.p.GetSalesUser(tc.id)
			got, err := e.p.UpdateSalesUser(tc.id, tc.patch, ifMatch)
			if tc.code != "" {
				prob := requireProblem(t, err, tc.code, platform.AsProblem(err).Status, nil)
				if tc.code == platform.CodePreconditionFailed && prob.Ext["current_etag"] != platform.ETag(before.Version) {
					t.Errorf("current_etag %v, want %s", prob.Ext["current_etag"], platform.ETag(before.Version))
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got.Version != before.Version+1 {
				t.Errorf("version %d, want %d", got.Version, before.Version+1)
			}
			tc.want(t, got)
		})
	}
	if len(order) != len(cases) {
		t.Fatal("a case is missing from order")
	}

	// A patch that changes nothing keeps the version (no perpetual diffs).
	cur, _ := e.p.GetSalesUser(su.ID)
	same, err := e.p.UpdateSalesUser(su.ID, platform.SalesUserPatch{Team: ptr(cur.Team)}, 0)
	if err != nil || same.Version != cur.Version {
		t.Errorf("no-op patch: version %d -> %d, %v", cur.Version, same.Version, err)
	}
}

func TestUpdateFromCRM(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, envOptions{})
	e.mapProfile(t, profSalesRep, platform.RoleSales)
	id := e.org.addUser(10, "ann@acme.example", "ann@acme.example", "Ann", "E", true, profSalesRep)
	su := e.importUser(t, id)
	e.org.addUser(10, "ann@acme.example", "ann.new@acme.example", "Annie", "Example", false, profSalesMgr)

	got, err := e.p.UpdateSalesUserFromCRM(ctx, su.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Email != "ann.new@acme.example" || got.FirstName != "Annie" || got.CRMActive || got.CRMProfileName != "Sales Manager" || got.Version != su.Version+1 {
		t.Errorf("after update from CRM: %+v", got)
	}
	n, err := e.p.UpdateConnectionFromCRM(ctx, e.conn.ID)
	if err != nil || n != 0 {
		t.Errorf("UpdateConnectionFromCRM = %d, %v; want 0 (already fresh)", n, err)
	}
	e.org.setActive(id, true)
	if n, err := e.p.UpdateConnectionFromCRM(ctx, e.conn.ID); err != nil || n != 1 {
		t.Errorf("UpdateConnectionFromCRM = %d, %v; want 1", n, err)
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

func TestSalesUserPatchJSONNullSemantics(t *testing.T) {
	cases := map[string]struct {
		body    string
		role    *string
		team    *string
		hidden  *[]string
		wantErr string
	}{
		"absent":        {body: `{}`},
		"null role":     {body: `{"role":null}`, role: ptr("")},
		"empty role":    {body: `{"role":""}`, role: ptr("")},
		"role":          {body: `{"role":"sales"}`, role: ptr("sales")},
		"null team":     {body: `{"team":null}`, team: ptr("")},
		"null hidden":   {body: `{"hidden_components":null}`, hidden: &[]string{}},
		"hidden":        {body: `{"hidden_components":["hot_prospects"]}`, hidden: &[]string{"hot_prospects"}},
		"unknown field": {body: `{"rol":"sales"}`, wantErr: "unknown field \"rol\""},
		"wrong type":    {body: `{"role":3}`, wantErr: "role must be a string or null"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			var p platform.SalesUserPatch
			err := json.Unmarshal([]byte(tc.body), &p)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("error %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			eq := func(a, b *string) bool { return (a == nil) == (b == nil) && (a == nil || *a == *b) }
			if !eq(p.Role, tc.role) || !eq(p.Team, tc.team) ||
				(p.HiddenComponents == nil) != (tc.hidden == nil) || (tc.hidden != nil && !slices.Equal(*p.HiddenComponents, *tc.hidden)) {
				t.Errorf("decoded %+v", p)
			}
		})
	}
}

func TestSalesUserJSONShape(t *testing.T) {
	e := newEnv(t, envOptions{})
	e.mapProfile(t, profSalesRep, platform.RoleSales)
	su := e.importUser(t, e.org.addUser(10, "ann@acme.example", "ann@acme.example", "Ann", "E", true, profSalesRep))
	raw, err := json.Marshal(su)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	if hc, ok := m["hidden_components"].([]any); !ok || len(hc) != 0 {
		t.Errorf("hidden_components = %#v, want []", m["hidden_components"])
	}
	if v, ok := m["deleted_at"]; !ok || v != nil {
		t.Errorf("deleted_at = %#v, want null", v)
	}
	for _, k := range []string{"id", "connection_id", "crm_user_id", "crm_username", "role_source", "status", "adopted_existing_user", "platform_user_id", "created_by", "version"} {
		if _, ok := m[k]; !ok {
			t.Errorf("missing %s in %s", k, raw)
		}
	}
}
