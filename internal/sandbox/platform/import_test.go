package platform_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/salesseat/terraform-provider-salesseat/internal/sandbox/platform"
	"github.com/salesseat/terraform-provider-salesseat/internal/sfid"
)

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
			code:   platform.CodeServiceAccountNotAllowed,
			ext:    map[string]any{"crm_username": svcUsername, "crm_user_id": sfid.FromSeq("005", "5A", 1)},
			detail: []string{"service account"},
		},
		"rule 4: an inactive user": {
			setup:  byID(10, "gone@acme.example", "gone@acme.example", false, profSalesRep),
			code:   platform.CodeCRMUserInactive,
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
			code: platform.CodeCRMUserInactive,
		},
		"rule 1: username already mapped to a live sales user": {
			setup: func(t *testing.T, e *env) platform.SalesUserInput {
				id := e.org.addUser(10, "ann@acme.example", "ann@acme.example", "Ann", "Example", true, profSalesRep)
				e.importUser(t, id)
				return platform.SalesUserInput{ConnectionID: e.conn.ID, CRMUserID: id}
			},
			code:   platform.CodeCRMUsernameMapped,
			ext:    map[string]any{"crm_username": "ann@acme.example", "in_recycle_bin": false, "conflicting_user_email": "ann@acme.example", "conflicting_user_name": "Ann Example"},
			detail: []string{"import { to = salesseat_sales_user.x, id = \"su_"},
		},
		"rule 1: username held by a sales user in the recycle bin": {
			opts: envOptions{recycleBin: []platform.RecycleBinSeed{{
				ID: "su_riley", CRMUserID: sfid.FromSeq("005", "5A", 10), CRMUsername: "riley@acme.example",
				Email: "riley@acme.example", FirstName: "Riley", LastName: "Brooks",
			}}},
			setup: byID(10, "riley@acme.example", "riley@acme.example", true, profSalesRep),
			code:  platform.CodeCRMUsernameMapped,
			ext: map[string]any{
				"conflicting_sales_user_id": "su_riley", "in_recycle_bin": true,
				"conflicting_user_email": "riley@acme.example", "conflicting_user_name": "Riley Brooks",
			},
			detail: []string{"recycle bin", "DELETE /api/v1/recycle-bin/su_riley", "POST /api/v1/recycle-bin/su_riley/restore"},
		},
		"rule 2: username reserved for a different unmapped platform user": {
			opts:  envOptions{platformUsers: []platform.PlatformUserSeed{{ID: "pu_sam", Email: "sam.taylor@acme.example", FirstName: "Sam", LastName: "Taylor"}}},
			setup: byID(10, "sam.taylor@acme.example", "samantha.taylor@acme.example", true, profSalesRep),
			code:  platform.CodeCRMUsernameReserved,
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
			setup:  byID(10, "mara@acme.example", "mara@acme.example", true, profMarketing),
			code:   platform.CodeProfileNotMapped,
			ext:    map[string]any{"crm_profile_id": profMarketing, "crm_profile_name": "Marketing User"},
			detail: []string{"salesseat_profile_role_mapping", "Marketing User", "set role explicitly"},
		},
		"seat limit reached": {
			opts: envOptions{seatLimit: 1},
			setup: func(t *testing.T, e *env) platform.SalesUserInput {
				e.importUser(t, e.org.addUser(11, "first@acme.example", "first@acme.example", "F", "Irst", true, profSalesRep))
				return byID(10, "ann@acme.example", "ann@acme.example", true, profSalesRep)(t, e)
			},
			code:   platform.CodeSeatLimitReached,
			ext:    map[string]any{"seats_used": 1, "seat_limit": 1, "seats_requested": 1},
			detail: []string{"uses 1 of 1 seats", "ask your vendor", "cannot be changed through the API or Terraform"},
		},
		"unknown CRM user": {
			setup: func(t *testing.T, e *env) platform.SalesUserInput {
				return platform.SalesUserInput{ConnectionID: e.conn.ID, CRMUserID: sfid.FromSeq("005", "5A", 99)}
			},
			code: platform.CodeNotFound, ext: map[string]any{"resource": platform.ResourceCRMUser},
		},
		"unknown connection": {
			setup: func(t *testing.T, e *env) platform.SalesUserInput {
				return platform.SalesUserInput{ConnectionID: "conn_nope", CRMUserID: sfid.FromSeq("005", "5A", 1)}
			},
			code: platform.CodeNotFound, ext: map[string]any{"resource": platform.ResourceConnection},
		},
		"malformed CRM user ID": {
			setup: func(t *testing.T, e *env) platform.SalesUserInput {
				return platform.SalesUserInput{ConnectionID: e.conn.ID, CRMUserID: "005xyz"}
			},
			code: platform.CodeValidationFailed, detail: []string{"crm_user_id", "15 or 18"},
		},
		"both CRM user ID and username": {
			setup: func(t *testing.T, e *env) platform.SalesUserInput {
				return platform.SalesUserInput{ConnectionID: e.conn.ID, CRMUserID: sfid.FromSeq("005", "5A", 1), CRMUsername: svcUsername}
			},
			code: platform.CodeValidationFailed, detail: []string{"not both"},
		},
		"unknown role and hidden component": {
			setup: func(t *testing.T, e *env) platform.SalesUserInput {
				return platform.SalesUserInput{ConnectionID: e.conn.ID, CRMUserID: sfid.FromSeq("005", "5A", 1), Role: "boss", HiddenComponents: []string{"dashboards"}}
			},
			code: platform.CodeValidationFailed, detail: []string{"\"sales_manager\"", "hot_prospects"},
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
				prob := requireProblem(t, err, tc.code, tc.ext)
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
