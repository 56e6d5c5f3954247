package platform_test

import (
	"encoding/json"
	"testing"

	"github.com/salesseat/terraform-provider-salesseat/internal/sandbox/platform"
)

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
