package provider

import (
	"context"
	"fmt"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"

	"github.com/salesseat/terraform-provider-salesseat/internal/client"
)

// TestAccGeneratedConfig imports a connection, a role mapping (by ID and by
// connection and profile name), sales users and a roster made outside
// Terraform with import blocks and `terraform plan
// -generate-config-out`: the generated configuration must validate and plan
// nothing but the imports (the step fails on any other action), so adopting
// an account needs no hand-editing.
func TestAccGeneratedConfig(t *testing.T) {
	t.Parallel()
	e := newAccEnv(t)
	ctx := context.Background()
	conn := e.createConnection(t)
	mapping, err := e.client.RoleMappings.Create(ctx, client.RoleMappingCreateOptions{ConnectionID: conn, CRMProfileID: profileSalesRep, Role: "sales"})
	mustDo(t, "creating a role mapping", err)
	// One sales user follows the mapping, one has a role of its own.
	_, err = e.client.SalesUsers.Create(ctx, client.SalesUserCreateOptions{ConnectionID: conn, CRMUserID: userJordan})
	mustDo(t, "creating a sales user", err)
	_, err = e.client.SalesUsers.Create(ctx, client.SalesUserCreateOptions{ConnectionID: conn, CRMUserID: userPriya, Role: "sales_manager", Team: "West"})
	mustDo(t, "creating a sales user", err)

	importStep := func(resourceType, id string) resource.TestStep {
		return resource.TestStep{
			ResourceName:           resourceType + ".generated",
			ImportStateId:          id,
			ImportState:            true,
			ImportStateKind:        resource.ImportBlockWithID,
			ImportStateConfigExact: true,
			GenerateConfig:         true,
			Config: e.config(fmt.Sprintf(`
import {
  to = %s.generated
  id = %q
}
`, resourceType, id)),
		}
	}
	// Each import runs as the first step of its own test case (a later
	// import step would copy a state the case never wrote).
	for _, imp := range []struct{ resourceType, id string }{
		{"salesseat_crm_connection", conn},
		{"salesseat_profile_role_mapping", mapping.ID},
		{"salesseat_profile_role_mapping", conn + "/Sales Rep"},
		{"salesseat_sales_users", conn},
		{"salesseat_sales_user", "username:" + usernameJordan},
		{"salesseat_sales_user", "username:" + usernamePriya},
	} {
		t.Run(imp.resourceType+"/"+imp.id, func(t *testing.T) {
			resource.Test(t, resource.TestCase{
				ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
				Steps:                    []resource.TestStep{importStep(imp.resourceType, imp.id)},
			})
		})
	}
}
