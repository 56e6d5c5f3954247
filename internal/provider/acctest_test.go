package provider

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/salesseat/terraform-provider-salesseat/internal/client"
	"github.com/salesseat/terraform-provider-salesseat/internal/sandbox"
	"github.com/salesseat/terraform-provider-salesseat/internal/sandbox/sforg"
)

// Fixture data of the default sandbox fixture (internal/sandbox/fixture/default.yaml)
// the acceptance tests rely on.
const (
	profileSysAdmin     = "00e5A0000000001QAA"
	profileSalesRep     = "00e5A0000000002QAA"
	profileSalesManager = "00e5A0000000003QAA"
	profileMarketing    = "00e5A0000000004QAA"

	userServiceAccount = "0055A0000000001QAA" // integration@acme.example
	userAvery          = "0055A0000000002QAA" // System Administrator
	userJordan         = "0055A0000000003QAA" // Sales Rep
	userPriya          = "0055A0000000004QAA" // Sales Manager
	userMarco          = "0055A0000000005QAA" // Marketing User
	userChris          = "0055A0000000006QAA" // inactive
	userStaylor        = "0055A0000000007QAA" // email of platform user Sam Taylor: adopted
	userSamantha       = "0055A0000000008QAA" // username reserved for platform user Sam Taylor

	usernameJordan   = "jordan.lee@acme.example"
	usernamePriya    = "priya.patel@acme.example"
	usernameMarco    = "marco.rossi@acme.example"
	usernameAvery    = "avery.morgan@acme.example"
	usernameChris    = "chris.walker@acme.example"
	usernameReserved = "sam.taylor@acme.example"
	usernameRiley    = "riley.brooks@acme.example" // in the recycle bin
	usernameService  = "integration@acme.example"

	fixtureSeatLimit = 25
)

// testAccProtoV6ProviderFactories serves the provider in-process for
// acceptance tests.
var testAccProtoV6ProviderFactories = map[string]func() (tfprotov6.ProviderServer, error){
	"salesseat": NewProtocol6Server("test"),
}

// testAccPreCheck checks what acceptance tests need besides TF_ACC: a
// Terraform CLI, from TF_ACC_TERRAFORM_PATH or on the PATH (the tests never
// download one).
func testAccPreCheck(t *testing.T) {
	t.Helper()
	if p := os.Getenv("TF_ACC_TERRAFORM_PATH"); p != "" {
		if _, err := os.Stat(p); err != nil { //nolint:gosec // the test runner's own setting names the binary to run
			t.Fatalf("TF_ACC_TERRAFORM_PATH=%s: %v", p, err)
		}
		return
	}
	if _, err := exec.LookPath("terraform"); err != nil {
		t.Fatal("acceptance tests need Terraform: set TF_ACC_TERRAFORM_PATH (e.g. /usr/local/bin/terraform) or put terraform on the PATH")
	}
}

// accEnv is one acceptance test's sandbox and an API client talking to it.
type accEnv struct {
	sb     *sandbox.Sandbox
	creds  sandbox.Credentials
	client *client.Client
}

// newAccEnv starts a sandbox for one test (closed when the test ends). It
// skips the test unless TF_ACC is set, so plain `go test` starts nothing.
func newAccEnv(t *testing.T) *accEnv {
	t.Helper()
	if os.Getenv(resource.EnvTfAcc) == "" {
		t.Skipf("acceptance tests are skipped unless %s is set", resource.EnvTfAcc)
	}
	testAccPreCheck(t)
	ctx := context.Background()
	sb, err := sandbox.Start(ctx, sandbox.Options{Listen: "127.0.0.1:0"})
	if err != nil {
		t.Fatalf("starting the sandbox: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := sb.Close(ctx); err != nil {
			t.Errorf("closing the sandbox: %v", err)
		}
	})
	creds := sb.Credentials()
	c, err := client.New(client.Config{
		Endpoint:     creds.Endpoint,
		ClientID:     creds.ClientID,
		ClientSecret: creds.ClientSecret,
		UserAgent:    "terraform-provider-salesseat-acctest",
	})
	if err != nil {
		t.Fatalf("creating the test client: %v", err)
	}
	return &accEnv{sb: sb, creds: creds, client: c}
}

// providerConfig is the provider block pointing at the sandbox.
func (e *accEnv) providerConfig() string {
	return fmt.Sprintf(`
provider "salesseat" {
  endpoint        = %q
  client_id       = %q
  client_secret   = %q
  max_retries     = 2
  request_timeout = "30s"
  # The removal guard has its own test (removal_guard_acc_test.go); the
  # other tests destroy what they made, however many.
  max_removals = 1000000
  retry_wait_min  = "100ms"
  retry_wait_max  = "1s"
}
`, e.creds.Endpoint, e.creds.ClientID, e.creds.ClientSecret)
}

// config joins the provider block and resource blocks.
func (e *accEnv) config(blocks ...string) string {
	return e.providerConfig() + strings.Join(blocks, "\n")
}

// createConnection creates a connection to the fixture's org through the API
// (faster than a Terraform step) and returns its ID.
func (e *accEnv) createConnection(t *testing.T) string {
	t.Helper()
	conn, err := e.client.Connections.Create(context.Background(), client.ConnectionCreateOptions{
		Name:            "Acceptance test",
		Environment:     environmentSandbox,
		LoginURL:        e.creds.LoginURL,
		ServiceUsername: e.creds.ServiceUsername,
		OAuthClientID:   e.creds.OAuthClientID,
		JWTPrivateKey:   e.creds.JWTPrivateKeyPEM,
	})
	if err != nil {
		t.Fatalf("creating a connection: %v", err)
	}
	return conn.ID
}

// createSalesUser imports a CRM user through the API, with an explicit role.
func (e *accEnv) createSalesUser(t *testing.T, connectionID, crmUserID string) *client.SalesUser {
	t.Helper()
	su, err := e.client.SalesUsers.Create(context.Background(), client.SalesUserCreateOptions{
		ConnectionID: connectionID, CRMUserID: crmUserID, Role: "sales",
	})
	if err != nil {
		t.Fatalf("creating a sales user for %s: %v", crmUserID, err)
	}
	return su
}

// checkDestroy returns a CheckDestroy that looks every resource of the
// provider up through the API and fails unless the API says it is gone.
// Any other error fails too: "could not look it up" is not "gone".
func (e *accEnv) checkDestroy(s *terraform.State) error {
	ctx := context.Background()
	var errs []error
	for _, rs := range s.RootModule().Resources {
		id := rs.Primary.ID
		var err error
		switch rs.Type {
		case "salesseat_crm_connection":
			_, err = e.client.Connections.Read(ctx, id)
		case "salesseat_profile_role_mapping":
			_, err = e.client.RoleMappings.Read(ctx, id)
		case "salesseat_sales_user":
			_, err = e.client.SalesUsers.Read(ctx, id)
		case "salesseat_sales_users":
			// A destroyed roster leaves no sales user it held.
			for key, v := range rs.Primary.Attributes {
				if strings.HasPrefix(key, "sales_users.") && strings.HasSuffix(key, ".sales_user_id") {
					switch _, err := e.client.SalesUsers.Read(ctx, v); {
					case err == nil:
						errs = append(errs, fmt.Errorf("salesseat_sales_users %s: sales user %s still exists", id, v))
					case !errors.Is(err, client.ErrNotFound):
						errs = append(errs, fmt.Errorf("salesseat_sales_users %s: looking up sales user %s: %w", id, v, err))
					}
				}
			}
			continue
		default:
			continue
		}
		switch {
		case err == nil:
			errs = append(errs, fmt.Errorf("%s %s still exists", rs.Type, id))
		case !errors.Is(err, client.ErrNotFound):
			errs = append(errs, fmt.Errorf("looking up %s %s: %w", rs.Type, id, err))
		}
	}
	return errors.Join(errs...)
}

// emptyPlanAfterApply is the plan check every applying step runs: after the
// apply and a refresh, nothing is left to do.
var emptyPlanAfterApply = resource.ConfigPlanChecks{
	PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
}

// withPreApply returns plan checks that run checks before the apply and
// expect an empty plan after it.
func withPreApply(checks ...plancheck.PlanCheck) resource.ConfigPlanChecks {
	return resource.ConfigPlanChecks{
		PreApply:             checks,
		PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
	}
}

// captureID returns a Check that stores the ID of the resource at addr.
func captureID(addr string, dst *string) resource.TestCheckFunc {
	return func(s *terraform.State) error {
		rs, ok := s.RootModule().Resources[addr]
		if !ok {
			return fmt.Errorf("%s is not in the state", addr)
		}
		*dst = rs.Primary.ID
		return nil
	}
}

// stateAttr returns an ImportStateIdFunc (or any func of the state) that
// renders format with the value of the attribute of the resource at addr.
func stateAttr(addr, attr, format string) resource.ImportStateIdFunc {
	return func(s *terraform.State) (string, error) {
		rs, ok := s.RootModule().Resources[addr]
		if !ok {
			return "", fmt.Errorf("%s is not in the state", addr)
		}
		return fmt.Sprintf(format, rs.Primary.Attributes[attr]), nil
	}
}

// mustDo fails the test when err is not nil; for PreConfig functions.
func mustDo(t *testing.T, what string, err error) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

// errorMatching returns a regexp matching output that contains the given
// literal phrases in order. Terraform wraps diagnostic text at any space, so
// every space in a phrase matches any run of whitespace.
func errorMatching(phrases ...string) *regexp.Regexp {
	parts := make([]string, len(phrases))
	for i, p := range phrases {
		words := strings.Fields(p)
		for j, w := range words {
			words[j] = regexp.QuoteMeta(w)
		}
		parts[i] = strings.Join(words, `\s+`)
	}
	return regexp.MustCompile(`(?s)` + strings.Join(parts, ".*"))
}

func regexpMust(s string) *regexp.Regexp { return regexp.MustCompile(s) }

// addBulkUsers adds a profile with n active users to the sandbox org and
// returns the profile's ID.
func addBulkUsers(t *testing.T, e *accEnv, n int) string {
	t.Helper()
	profile, err := e.sb.Org().AddProfile(e.creds.OrganizationID, sforg.ProfileSeed{Name: "Bulk"})
	mustDo(t, "adding a profile", err)
	for i := range n {
		username := fmt.Sprintf("bulk%05d@bulk.example", i)
		_, err := e.sb.Org().AddUser(e.creds.OrganizationID, sforg.UserSeed{
			Username: username, Email: username, FirstName: "Bulk", LastName: fmt.Sprint(i), Active: true, ProfileID: profile.ID,
		})
		mustDo(t, "adding a CRM user", err)
	}
	return profile.ID
}
