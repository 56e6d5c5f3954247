package sandbox

import (
	"net/http"
	"slices"
	"strings"
	"testing"
)

// TestUserManagementGroup drives the "user management handed to Salesforce"
// mode end to end over HTTP: a public group made through the admin API, a
// connection handing user management to it, syncs that import members and
// remove leavers, the sync report, the refusal of imports by hand, and the
// group filter of the CRM users.
func TestUserManagementGroup(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	org := e.creds.OrganizationID

	group := e.do(http.MethodPost, pathf("/admin/v1/orgs/%s/groups", org), map[string]any{
		"name": "Sales Team", "developer_name": "Sales_Team", "member_ids": []string{userJordan, userPriya[:15]},
	}).wantStatus(http.StatusCreated).object()
	groupID := stringField(t, group, "id")
	if !strings.HasPrefix(groupID, "00G") || len(groupID) != 18 {
		t.Fatalf("group ID %q, want an 18-character 00G ID", groupID)
	}
	var groups struct {
		Items []map[string]any `json:"items"`
	}
	e.do(http.MethodGet, pathf("/admin/v1/orgs/%s/groups", org), nil).wantStatus(http.StatusOK).decode(&groups)
	if !slices.ContainsFunc(groups.Items, func(g map[string]any) bool { return g["id"] == groupID }) {
		t.Errorf("admin groups %v lack %s", groups.Items, groupID)
	}

	// A connection naming an unknown group, or combining the group with
	// automatic user sync or without user sync, is refused.
	for name, changes := range map[string]map[string]any{
		"unknown group":     {"user_management_group": "No_Such_Group"},
		"with auto import":  {"user_management_group": "Sales_Team", "automatic_user_sync": true},
		"without user sync": {"user_management_group": "Sales_Team", "user_sync": false},
	} {
		body := e.connectionBody("refused " + name)
		for k, v := range changes {
			body[k] = v
		}
		p := e.do(http.MethodPost, "/api/v1/connections", body).wantProblem(http.StatusUnprocessableEntity, "validation_failed")
		if fields := fieldErrors(p); len(fields) == 0 {
			t.Errorf("%s: no field errors in %v", name, p)
		}
		detail, _ := p["detail"].(string)
		if name == "unknown group" && !strings.Contains(detail+strings.Join(fieldMessages(p), " "), "Sales_Team") {
			t.Errorf("unknown group: the problem does not list the org's groups: %v", p)
		}
	}

	// The group's API name is matched case-insensitively; the first sync
	// runs at once. Jordan's and Priya's profiles have no mapping yet, so
	// the sync reports both instead of dropping them.
	body := e.connectionBody("Managed in Salesforce")
	body["user_management_group"] = "sales_team"
	conn := e.do(http.MethodPost, "/api/v1/connections", body).wantStatus(http.StatusCreated).object()
	connID := stringField(t, conn, "id")
	if conn["user_management_group"] != "Sales_Team" || conn["user_management_group_id"] != groupID {
		t.Errorf("connection group %v (%v), want Sales_Team (%s)", conn["user_management_group"], conn["user_management_group_id"], groupID)
	}
	last, _ := conn["last_sync"].(map[string]any)
	if last == nil || last["created"] != 0.0 || len(problemCodes(last)) != 2 || problemCodes(last)[0] != "profile_not_mapped" {
		t.Fatalf("last_sync after create %v, want two profile_not_mapped problems", conn["last_sync"])
	}

	for _, profile := range []string{profileRep, profileMgr} {
		e.do(http.MethodPost, "/api/v1/role-mappings", map[string]any{"connection_id": connID, "crm_profile_id": profile, "role": "sales"}).wantStatus(http.StatusCreated)
	}
	before := e.seatsUsed()
	rep := e.do(http.MethodPost, pathf("/admin/v1/connections/%s/sync", connID), nil).wantStatus(http.StatusOK).object()
	if rep["created"] != 2.0 || rep["removed"] != 0.0 || len(problemCodes(rep)) != 0 {
		t.Fatalf("sync %v, want 2 created", rep)
	}
	if got := e.seatsUsed(); got != before+2 {
		t.Errorf("seats used %d after the sync, want %d", got, before+2)
	}
	stored := e.do(http.MethodGet, pathf("/api/v1/connections/%s", connID), nil).wantStatus(http.StatusOK).object()
	if l, _ := stored["last_sync"].(map[string]any); l == nil || l["created"] != 2.0 {
		t.Errorf("connection last_sync %v, want the sync's report", stored["last_sync"])
	}

	// Imports by hand, dry runs and restores are refused, naming the group.
	p := e.do(http.MethodPost, "/api/v1/sales-users", map[string]any{"connection_id": connID, "crm_user_id": userMarco, "role": "marketing"}).
		wantProblem(http.StatusConflict, "user_management_in_salesforce")
	detail, _ := p["detail"].(string)
	if p["user_management_group"] != "Sales_Team" || p["user_management_group_id"] != groupID || p["connection_id"] != connID ||
		!strings.Contains(detail, "Add \"marco.rossi@acme.example\" to the group") {
		t.Errorf("refusal %v", p)
	}
	var verdict struct {
		Items []struct {
			Problems []map[string]any `json:"problems"`
		} `json:"items"`
	}
	e.do(http.MethodPost, "/api/v1/sales-users/validate", map[string]any{"items": []map[string]any{
		{"action": "create", "connection_id": connID, "crm_user_id": userMarco},
	}}).wantStatus(http.StatusOK).decode(&verdict)
	if len(verdict.Items) != 1 || len(verdict.Items[0].Problems) == 0 || verdict.Items[0].Problems[0]["code"] != "user_management_in_salesforce" {
		t.Errorf("dry run %+v, want user_management_in_salesforce first", verdict.Items)
	}

	// Group membership in Salesforce decides: a new member arrives at the
	// next sync (not before), a leaver goes to the recycle bin.
	e.do(http.MethodPut, pathf("/admin/v1/orgs/%s/groups/%s/members/%s", org, groupID, userMarco), nil).wantStatus(http.StatusOK)
	if got := e.seatsUsed(); got != before+2 {
		t.Errorf("seats used %d right after the membership change, want %d (the sync has not run)", got, before+2)
	}
	e.do(http.MethodPost, "/api/v1/role-mappings", map[string]any{"connection_id": connID, "crm_profile_id": profileMarketing, "role": "marketing"}).wantStatus(http.StatusCreated)
	if rep := e.do(http.MethodPost, pathf("/admin/v1/connections/%s/sync", connID), nil).wantStatus(http.StatusOK).object(); rep["created"] != 1.0 {
		t.Errorf("sync after adding a member %v, want 1 created", rep)
	}
	var members struct {
		Items []map[string]any `json:"items"`
	}
	e.do(http.MethodGet, pathf("/api/v1/connections/%s/crm-users?group=Sales_Team&imported=true", connID), nil).wantStatus(http.StatusOK).decode(&members)
	if ids := idsOf(members.Items); !slices.Equal(ids, []string{userJordan, userPriya, userMarco}) {
		t.Errorf("imported members of the group %v", ids)
	}
	e.do(http.MethodGet, pathf("/api/v1/connections/%s/crm-users?group=No_Such_Group", connID), nil).wantProblem(http.StatusUnprocessableEntity, "validation_failed")

	e.do(http.MethodDelete, pathf("/admin/v1/orgs/%s/groups/%s/members/%s", org, groupID, userPriya), nil).wantStatus(http.StatusOK)
	e.do(http.MethodDelete, pathf("/admin/v1/orgs/%s/groups/%s/members/%s", org, groupID, userPriya), nil).wantProblem(http.StatusNotFound, "not_found")
	if rep := e.do(http.MethodPost, pathf("/admin/v1/connections/%s/sync", connID), nil).wantStatus(http.StatusOK).object(); rep["removed"] != 1.0 || rep["created"] != 0.0 {
		t.Errorf("sync after removing a member %v, want 1 removed", rep)
	}
	if got := e.seatsUsed(); got != before+2 {
		t.Errorf("seats used %d after Priya left the group, want %d", got, before+2)
	}

	// The org's groups through the provisioning API.
	var crmGroups struct {
		Items []map[string]any `json:"items"`
	}
	e.do(http.MethodGet, pathf("/api/v1/connections/%s/crm-groups", connID), nil).wantStatus(http.StatusOK).decode(&crmGroups)
	if !slices.ContainsFunc(crmGroups.Items, func(g map[string]any) bool {
		return g["id"] == groupID && g["developer_name"] == "Sales_Team" && g["name"] == "Sales Team"
	}) {
		t.Errorf("crm-groups %v lack Sales_Team", crmGroups.Items)
	}

	// Handing user management back to the platform lifts the refusal.
	back := e.do(http.MethodPatch, pathf("/api/v1/connections/%s", connID), map[string]any{"user_management_group": ""}).wantStatus(http.StatusOK).object()
	if back["user_management_group"] != "" || back["last_sync"] != nil {
		t.Errorf("connection after clearing the group %v", back)
	}
	e.do(http.MethodPost, "/api/v1/sales-users", map[string]any{"connection_id": connID, "crm_user_id": userStaylor, "role": "sales"}).wantStatus(http.StatusCreated)
	e.do(http.MethodPatch, pathf("/api/v1/connections/%s", connID), map[string]any{"user_management_group": "Nope"}).wantProblem(http.StatusUnprocessableEntity, "validation_failed")
}

// problemCodes returns the codes of a sync report's problems.
func problemCodes(rep map[string]any) []string {
	list, _ := rep["problems"].([]any)
	var codes []string
	for _, p := range list {
		m, _ := p.(map[string]any)
		c, _ := m["code"].(string)
		codes = append(codes, c)
	}
	return codes
}

// fieldMessages returns the messages of a validation problem's errors.
func fieldMessages(p map[string]any) []string {
	var out []string
	list, _ := p["errors"].([]any)
	for _, e := range list {
		m, _ := e.(map[string]any)
		s, _ := m["message"].(string)
		out = append(out, s)
	}
	return out
}

// idsOf returns the id members of list items.
func idsOf(items []map[string]any) []string {
	ids := make([]string, 0, len(items))
	for _, it := range items {
		s, _ := it["id"].(string)
		ids = append(ids, s)
	}
	return ids
}
