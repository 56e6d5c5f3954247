package provider

import (
	"context"
	"fmt"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/compare"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/salesseat/terraform-provider-salesseat/internal/client"
)

const mappingAddr = "salesseat_profile_role_mapping.test"

func mappingConfig(connectionID, key, role string) string {
	return fmt.Sprintf(`
resource "salesseat_profile_role_mapping" "test" {
  connection_id = %q
  %s
  role          = %q
}
`, connectionID, key, role)
}

func TestAccProfileRoleMapping_lifecycle(t *testing.T) {
	t.Parallel()
	e := newAccEnv(t)
	conn := e.createConnection(t)
	byName := `crm_profile_name = "Sales Rep"`
	sameID := statecheck.CompareValue(compare.ValuesSame())
	replacedID := statecheck.CompareValue(compare.ValuesDiffer())

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             e.checkDestroy,
		Steps: []resource.TestStep{
			{
				Config: e.config(mappingConfig(conn, byName, "sales")),
				ConfigPlanChecks: withPreApply(
					plancheck.ExpectResourceAction(mappingAddr, plancheck.ResourceActionCreate),
					// The plan resolves the profile's other key.
					plancheck.ExpectKnownValue(mappingAddr, tfjsonpath.New("crm_profile_id"), knownvalue.StringExact(profileSalesRep)),
				),
				ConfigStateChecks: []statecheck.StateCheck{
					sameID.AddStateValue(mappingAddr, tfjsonpath.New("id")),
					replacedID.AddStateValue(mappingAddr, tfjsonpath.New("id")),
					statecheck.ExpectKnownValue(mappingAddr, tfjsonpath.New("id"), knownvalue.StringRegexp(regexp.MustCompile(`^rm_`))),
					statecheck.ExpectKnownValue(mappingAddr, tfjsonpath.New("crm_profile_id"), knownvalue.StringExact(profileSalesRep)),
					statecheck.ExpectKnownValue(mappingAddr, tfjsonpath.New("role"), knownvalue.StringExact("sales")),
				},
			},
			{
				Config:           e.config(mappingConfig(conn, byName, "sales_manager")),
				ConfigPlanChecks: withPreApply(plancheck.ExpectResourceAction(mappingAddr, plancheck.ResourceActionUpdate)),
				ConfigStateChecks: []statecheck.StateCheck{
					sameID.AddStateValue(mappingAddr, tfjsonpath.New("id")),
					statecheck.ExpectKnownValue(mappingAddr, tfjsonpath.New("role"), knownvalue.StringExact("sales_manager")),
				},
			},
			{
				ResourceName:      mappingAddr,
				ImportState:       true,
				ImportStateVerify: true,
			},
			{
				ResourceName:  mappingAddr,
				ImportState:   true,
				ImportStateId: "Sales Rep",
				ExpectError:   errorMatching("Invalid Import ID", `"Sales Rep" is not a role mapping ID`, `starts with "rm_"`),
			},
			{
				// By connection and profile name, as the import guide does.
				ResourceName:      mappingAddr,
				ImportState:       true,
				ImportStateIdFunc: stateAttr(mappingAddr, "connection_id", "%s/Sales Rep"),
				ImportStateVerify: true,
			},
			{
				ResourceName:      mappingAddr,
				ImportState:       true,
				ImportStateIdFunc: stateAttr(mappingAddr, "connection_id", "%s/Nobody"),
				ExpectError:       errorMatching("Role Mapping Not Found", `no role mapping for the profile "Nobody"`),
			},
			{
				// Another profile, by its 15-character ID: a new mapping.
				Config: e.config(mappingConfig(conn, fmt.Sprintf("crm_profile_id = %q", profileMarketing[:15]), "marketing")),
				ConfigPlanChecks: withPreApply(
					plancheck.ExpectResourceAction(mappingAddr, plancheck.ResourceActionDestroyBeforeCreate),
				),
				ConfigStateChecks: []statecheck.StateCheck{
					replacedID.AddStateValue(mappingAddr, tfjsonpath.New("id")),
					// The configured form is kept; no diff afterwards.
					statecheck.ExpectKnownValue(mappingAddr, tfjsonpath.New("crm_profile_id"), knownvalue.StringExact(profileMarketing[:15])),
					statecheck.ExpectKnownValue(mappingAddr, tfjsonpath.New("crm_profile_name"), knownvalue.StringExact("Marketing User")),
				},
			},
			{
				// The 18-character form of the same ID is no change either.
				Config:   e.config(mappingConfig(conn, fmt.Sprintf("crm_profile_id = %q", profileMarketing), "marketing")),
				PlanOnly: true,
			},
		},
	})
}

func TestAccProfileRoleMapping_planTimeErrors(t *testing.T) {
	t.Parallel()
	e := newAccEnv(t)
	conn := e.createConnection(t)
	existing, err := e.client.RoleMappings.Create(context.Background(), client.RoleMappingCreateOptions{
		ConnectionID: conn, CRMProfileID: profileSalesManager, Role: "sales_manager",
	})
	mustDo(t, "creating a role mapping", err)

	cases := []struct {
		key, role string
		want      *regexp.Regexp
	}{
		{key: `crm_profile_name = "Sales Manager"`, role: "sales", want: errorMatching("Profile Already Mapped", "crm_profile_name", `id = "`+existing.ID+`"`)},
		{key: `crm_profile_name = "Sales Reps"`, role: "sales", want: errorMatching("CRM Profile Not Found", `has no profile with the profile name "Sales Reps"`, `"Sales Rep" (`+profileSalesRep+`)`)},
		{key: `crm_profile_name = "sales rep"`, role: "sales", want: errorMatching("CRM Profile Name Differs In Case", `no profile named "sales rep", but one named "Sales Rep" (`+profileSalesRep+`)`, `Write crm_profile_name = "Sales Rep"`)},
		{key: `crm_profile_id = "00e5A00000"`, role: "sales", want: errorMatching("Invalid Salesforce ID", "The value of crm_profile_id is not a valid 15- or 18-character Salesforce ID", "it has 10 characters")},
		{key: fmt.Sprintf("crm_profile_id = %q", userJordan), role: "sales", want: errorMatching("Wrong Kind Of Salesforce ID", `which starts with "00e"`)},
		{key: `crm_profile_name = "Sales Rep"`, role: "boss", want: errorMatching("role", `value must be one of: ["administrator" "marketing" "sales_manager" "sales"], got: "boss"`)},
		{key: fmt.Sprintf("crm_profile_id = %q\n  crm_profile_name = \"Marketing User\"", profileSalesRep), role: "sales", want: errorMatching("CRM Profile ID and Name Disagree", `is the profile "Sales Rep"`, `crm_profile_name = "Marketing User"`)},
		{key: `# no key`, role: "sales", want: errorMatching("Missing Attribute Configuration", "crm_profile_id", "crm_profile_name")},
	}
	var steps []resource.TestStep
	for _, c := range cases {
		steps = append(steps, resource.TestStep{
			Config:      e.config(mappingConfig(conn, c.key, c.role)),
			PlanOnly:    true,
			ExpectError: c.want,
		})
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps:                    steps,
	})
}
