package platform_test

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/salesseat/terraform-provider-salesseat/internal/sandbox/platform"
)

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
				prob := requireProblem(t, err, tc.code, nil)
				if tc.code == platform.CodePreconditionFailed && (prob.Stale == nil || prob.Stale.Version != before.Version) {
					t.Errorf("stale %+v, want version %d", prob.Stale, before.Version)
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
