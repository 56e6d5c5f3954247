package platform_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/salesseat/terraform-provider-salesseat/internal/sandbox/platform"
	"github.com/salesseat/terraform-provider-salesseat/internal/sfid"
)

func TestRoleMappings(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, envOptions{})
	cases := map[string]struct {
		in     platform.RoleMappingInput
		code   string
		ext    map[string]any
		detail string
		want   string // profile ID
	}{
		"by name":                {in: platform.RoleMappingInput{CRMProfileName: "Sales Rep", Role: "sales"}, want: profSalesRep},
		"by name, other case":    {in: platform.RoleMappingInput{CRMProfileName: "sales manager", Role: "sales_manager"}, want: profSalesMgr},
		"by 15-character ID":     {in: platform.RoleMappingInput{CRMProfileID: profMarketing[:15], Role: "marketing"}, want: profMarketing},
		"by 18-character ID":     {in: platform.RoleMappingInput{CRMProfileID: profAdmin, Role: "administrator"}, want: profAdmin},
		"unknown role":           {in: platform.RoleMappingInput{CRMProfileID: profAdmin, Role: "owner"}, code: platform.CodeValidationFailed, detail: "\"administrator\", \"marketing\", \"sales_manager\", \"sales\""},
		"unknown profile name":   {in: platform.RoleMappingInput{CRMProfileName: "Sales Reps", Role: "sales"}, code: platform.CodeNotFound, ext: map[string]any{"resource": "crm_profile"}, detail: "\"Sales Rep\""},
		"unknown profile ID":     {in: platform.RoleMappingInput{CRMProfileID: sfid.FromSeq("00e", "5A", 99), Role: "sales"}, code: platform.CodeNotFound},
		"malformed profile ID":   {in: platform.RoleMappingInput{CRMProfileID: "00e123", Role: "sales"}, code: platform.CodeValidationFailed, detail: "crm_profile_id"},
		"both ID and name":       {in: platform.RoleMappingInput{CRMProfileID: profAdmin, CRMProfileName: "Sales Rep", Role: "sales"}, code: platform.CodeValidationFailed},
		"neither ID nor name":    {in: platform.RoleMappingInput{Role: "sales"}, code: platform.CodeValidationFailed},
		"unknown connection":     {in: platform.RoleMappingInput{ConnectionID: "conn_nope", CRMProfileID: profAdmin, Role: "sales"}, code: platform.CodeNotFound, ext: map[string]any{"resource": "connection"}},
		"second mapping for one": {in: platform.RoleMappingInput{CRMProfileID: profIntegration, Role: "sales"}, code: platform.CodeRoleMappingExists},
	}
	existing := e.mapProfile(t, profIntegration, platform.RoleAdministrator)
	cases["second mapping for one"] = struct {
		in     platform.RoleMappingInput
		code   string
		ext    map[string]any
		detail string
		want   string
	}{
		in: platform.RoleMappingInput{CRMProfileName: "Integration User", Role: "sales"}, code: platform.CodeRoleMappingExists,
		ext:    map[string]any{"conflicting_role_mapping_id": existing.ID, "crm_profile_id": profIntegration},
		detail: fmt.Sprintf("import { to = salesseat_profile_role_mapping.x, id = %q }", existing.ID),
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			if tc.in.ConnectionID == "" {
				tc.in.ConnectionID = e.conn.ID
			}
			m, err := e.p.CreateRoleMapping(ctx, tc.in)
			if tc.code != "" {
				prob := requireProblem(t, err, tc.code, tc.ext)
				if !strings.Contains(prob.Detail, tc.detail) {
					t.Errorf("detail %q does not mention %q", prob.Detail, tc.detail)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if m.CRMProfileID != tc.want || !strings.HasPrefix(m.ID, "rm_") || m.Version != 1 || m.CRMProfileName == "" {
				t.Errorf("mapping %+v, want profile %s", m, tc.want)
			}
		})
	}

	// Sales users follow the mapping's current role.
	m, err := e.p.UpdateRoleMapping(existing.ID, platform.RoleMarketing, existing.Version)
	if err != nil || m.Role != platform.RoleMarketing || m.Version != 2 {
		t.Fatalf("UpdateRoleMapping = %+v, %v", m, err)
	}
	_, err = e.p.UpdateRoleMapping(existing.ID, platform.RoleSales, 1)
	if stale := requireProblem(t, err, platform.CodePreconditionFailed, nil).Stale; stale == nil || stale.Version != 2 {
		t.Errorf("stale = %+v, want version 2", stale)
	}
	list, err := e.p.ListRoleMappings(e.conn.ID, platform.PageRequest{})
	if err != nil || len(list.Items) != 5 {
		t.Errorf("ListRoleMappings: %d items, %v", len(list.Items), err)
	}
	if err := e.p.DeleteRoleMapping(existing.ID); err != nil {
		t.Fatal(err)
	}
	if err := e.p.DeleteRoleMapping(existing.ID); !platform.IsCode(err, platform.CodeNotFound) {
		t.Errorf("second delete: %v", err)
	}
}

func TestMappingChangesEffectiveRole(t *testing.T) {
	e := newEnv(t, envOptions{})
	m := e.mapProfile(t, profSalesRep, platform.RoleSales)
	su := e.importUser(t, e.org.addUser(10, "ann@acme.example", "ann@acme.example", "Ann", "E", true, profSalesRep))
	if _, err := e.p.UpdateRoleMapping(m.ID, platform.RoleSalesManager, 0); err != nil {
		t.Fatal(err)
	}
	if got, _ := e.p.GetSalesUser(su.ID); got.Role != platform.RoleSalesManager {
		t.Errorf("role %q after the mapping changed", got.Role)
	}
	if err := e.p.DeleteRoleMapping(m.ID); err != nil {
		t.Fatal(err)
	}
	if got, _ := e.p.GetSalesUser(su.ID); got.Role != "" || got.RoleSource != platform.RoleSourceProfileMapping {
		t.Errorf("role %q (%s) after the mapping was deleted", got.Role, got.RoleSource)
	}
}
