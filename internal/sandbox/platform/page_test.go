package platform_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/salesseat/terraform-provider-salesseat/internal/sandbox/platform"
	"github.com/salesseat/terraform-provider-salesseat/internal/sfid"
)

func TestPagination(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, envOptions{seatLimit: 100})
	e.mapProfile(t, profSalesRep, platform.RoleSales)
	for i := range 9 {
		e.org.addUser(10+i, fmt.Sprintf("u%d@acme.example", i), fmt.Sprintf("u%d@other.example", i%2), "U", "Ser", i != 4, profSalesRep)
	}
	walk := func(t *testing.T, f platform.CRMUserFilter, limit int) []string {
		t.Helper()
		var ids []string
		cursor := ""
		for pages := 0; ; pages++ {
			if pages > 20 {
				t.Fatal("pagination does not end")
			}
			page, err := e.p.ListCRMUsers(ctx, e.conn.ID, f, platform.PageRequest{Limit: limit, Cursor: cursor})
			if err != nil {
				t.Fatal(err)
			}
			if len(page.Items) > limit {
				t.Fatalf("page of %d items with limit %d", len(page.Items), limit)
			}
			for _, u := range page.Items {
				ids = append(ids, u.ID)
			}
			if page.NextCursor == "" {
				return ids
			}
			cursor = page.NextCursor
		}
	}
	imported := e.importUser(t, sfid.FromSeq("005", "5A", 10))

	cases := map[string]struct {
		filter platform.CRMUserFilter
		limit  int
		want   int
	}{
		"all, pages of 2":          {limit: 2, want: 10},
		"all, one page":            {limit: 1000, want: 10},
		"active":                   {filter: platform.CRMUserFilter{Active: ptr(true)}, limit: 3, want: 9},
		"email domain":             {filter: platform.CRMUserFilter{EmailDomain: "@other.example"}, limit: 2, want: 9},
		"search":                   {filter: platform.CRMUserFilter{Search: "U3@"}, limit: 2, want: 1},
		"profile by 15-char ID":    {filter: platform.CRMUserFilter{ProfileIDs: []string{profSalesRep[:15]}}, limit: 4, want: 9},
		"profile by name":          {filter: platform.CRMUserFilter{ProfileNames: []string{"Integration User"}}, limit: 4, want: 1},
		"imported":                 {filter: platform.CRMUserFilter{Imported: ptr(true)}, limit: 4, want: 1},
		"not imported":             {filter: platform.CRMUserFilter{Imported: ptr(false)}, limit: 4, want: 9},
		"not imported and active":  {filter: platform.CRMUserFilter{Imported: ptr(false), Active: ptr(true)}, limit: 4, want: 8},
		"imported with none found": {filter: platform.CRMUserFilter{Imported: ptr(true), Search: "nobody"}, limit: 4, want: 0},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			ids := walk(t, tc.filter, tc.limit)
			if len(ids) != tc.want {
				t.Errorf("%d users, want %d", len(ids), tc.want)
			}
			for i := 1; i < len(ids); i++ {
				if ids[i-1] >= ids[i] {
					t.Errorf("not sorted by ID at %d", i)
				}
			}
		})
	}

	u, err := e.p.GetCRMUser(ctx, e.conn.ID, sfid.FromSeq("005", "5A", 10)[:15])
	if err != nil || u.SalesUserID != imported.ID || u.ProfileName != "Sales Rep" {
		t.Errorf("GetCRMUser = %+v, %v", u, err)
	}
	if _, err := e.p.GetCRMUser(ctx, e.conn.ID, sfid.FromSeq("005", "5A", 99)); !platform.IsCode(err, platform.CodeNotFound) {
		t.Errorf("unknown CRM user: %v", err)
	}

	bad := map[string]platform.PageRequest{
		"limit 0 is the default, -1 is not": {Limit: -1},
		"limit over 1000":                   {Limit: 1001},
		"foreign cursor":                    {Cursor: "not-a-cursor"},
	}
	for name, pr := range bad {
		t.Run(name, func(t *testing.T) {
			_, err := e.p.ListCRMUsers(ctx, e.conn.ID, platform.CRMUserFilter{}, pr)
			requireProblem(t, err, platform.CodeValidationFailed, nil)
			_, err = e.p.ListSalesUsers(platform.SalesUserFilter{}, pr)
			requireProblem(t, err, platform.CodeValidationFailed, nil)
		})
	}

	profiles, err := e.p.ListCRMProfiles(ctx, e.conn.ID, platform.PageRequest{Limit: 2})
	if err != nil || len(profiles.Items) != 2 || profiles.NextCursor == "" {
		t.Fatalf("profiles page = %+v, %v", profiles, err)
	}
	rest, err := e.p.ListCRMProfiles(ctx, e.conn.ID, platform.PageRequest{Limit: 10, Cursor: profiles.NextCursor})
	if err != nil || len(rest.Items) != 3 || rest.NextCursor != "" {
		t.Fatalf("second profiles page = %+v, %v", rest, err)
	}
	for _, p := range append(profiles.Items, rest.Items...) {
		if p.ID == profSalesRep && p.UserCount != 9 {
			t.Errorf("Sales Rep user_count %d, want 9", p.UserCount)
		}
	}

	// Sales user cursors stay valid while items are added.
	for _, i := range []int{1, 2, 3, 5, 6} { // u4 is inactive
		e.importUser(t, sfid.FromSeq("005", "5A", 10+i))
	}
	first, _ := e.p.ListSalesUsers(platform.SalesUserFilter{}, platform.PageRequest{Limit: 3})
	e.importUser(t, sfid.FromSeq("005", "5A", 17))
	second, _ := e.p.ListSalesUsers(platform.SalesUserFilter{}, platform.PageRequest{Limit: 10, Cursor: first.NextCursor})
	seen := map[string]bool{}
	for _, su := range append(first.Items, second.Items...) {
		if seen[su.ID] {
			t.Errorf("sales user %s listed twice", su.ID)
		}
		seen[su.ID] = true
	}
	if len(seen) < 6 {
		t.Errorf("walked %d sales users, want at least the 6 that existed", len(seen))
	}
	byName, err := e.p.ListSalesUsers(platform.SalesUserFilter{CRMUsername: "U1@acme.example"}, platform.PageRequest{})
	if err != nil || len(byName.Items) != 1 {
		t.Errorf("filter by CRM username: %d items, %v", len(byName.Items), err)
	}
	if su, err := e.p.GetSalesUserByCRMUsername("U1@ACME.example"); err != nil || su.CRMUsername != "u1@acme.example" {
		t.Errorf("GetSalesUserByCRMUsername = %+v, %v", su, err)
	}
}
