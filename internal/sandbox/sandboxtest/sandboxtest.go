// Package sandboxtest starts in-process sandbox orgs at scale for tests and
// benchmarks of other packages (the client and the provider), so that they
// share one way of building a large org instead of each writing its own.
package sandboxtest

import (
	"bytes"
	"context"
	"net/http"
	"regexp"
	"strconv"
	"testing"
	"time"

	"github.com/salesseat/terraform-provider-salesseat/internal/sandbox"
	"github.com/salesseat/terraform-provider-salesseat/internal/sandbox/fixture"
	"github.com/salesseat/terraform-provider-salesseat/internal/sandbox/platform"
)

// LargeOrg is a running sandbox whose first org has many generated CRM users,
// with one connection to that org.
type LargeOrg struct {
	// Sandbox is the running sandbox; it is closed when the test ends.
	Sandbox *sandbox.Sandbox
	// ConnectionID is the connection to the sandbox's first org.
	ConnectionID string
	// CRMUsers counts every CRM user of the org, listed and generated.
	CRMUsers int
	// HTTPClient is a client whose idle connections are closed when the
	// test ends; share it between operations so they leave nothing behind.
	HTTPClient *http.Client
}

// StartLargeOrg starts a sandbox from the default fixture with its generated
// CRM users raised to generated, connects its first org and, when
// salesUsers > 0, imports that many sales users by automatic sync (the
// cheapest way to create thousands), with the seat limit set to exactly
// salesUsers. Everything is closed when tb ends.
func StartLargeOrg(tb testing.TB, generated, salesUsers int) *LargeOrg {
	tb.Helper()
	ctx := context.Background()
	fix := FixtureWithGeneratedUsers(tb, generated)
	sb, err := sandbox.Start(ctx, sandbox.Options{Listen: "127.0.0.1:0", Fixture: fix})
	if err != nil {
		tb.Fatalf("sandbox.Start: %v", err)
	}
	tb.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = sb.Close(ctx)
	})
	creds := sb.Credentials()
	plat := sb.Platform()
	automatic := salesUsers > 0
	conn, err := plat.CreateConnection(ctx, platform.ConnectionInput{
		Name: "large org", Environment: platform.EnvironmentSandbox, LoginURL: creds.LoginURL,
		ServiceUsername: creds.ServiceUsername, OAuthClientID: creds.OAuthClientID, RefreshToken: creds.RefreshToken,
		AutomaticUserSync: &automatic,
	})
	if err != nil {
		tb.Fatalf("CreateConnection: %v", err)
	}
	if salesUsers > 0 {
		if _, err := plat.SetSeatLimit(salesUsers); err != nil {
			tb.Fatalf("SetSeatLimit: %v", err)
		}
		for _, w := range fix.Orgs[0].GeneratedUsers.Weights {
			if _, err := plat.CreateRoleMapping(ctx, platform.RoleMappingInput{ConnectionID: conn.ID, CRMProfileID: w.ProfileID, Role: platform.RoleSales}); err != nil {
				tb.Fatalf("CreateRoleMapping(%s): %v", w.ProfileID, err)
			}
		}
		if _, err := plat.RunAutomaticSync(ctx, conn.ID); err != nil {
			tb.Fatalf("RunAutomaticSync: %v", err)
		}
		if used := plat.Account().SeatsUsed; used != salesUsers {
			tb.Fatalf("automatic sync imported %d sales users, want %d", used, salesUsers)
		}
	}
	tr := &http.Transport{MaxIdleConnsPerHost: 4}
	tb.Cleanup(tr.CloseIdleConnections)
	return &LargeOrg{
		Sandbox: sb, ConnectionID: conn.ID, CRMUsers: len(fix.Orgs[0].AllUsers()),
		HTTPClient: &http.Client{Transport: tr},
	}
}

var generatedCount = regexp.MustCompile(`(?m)^(\s+generated_users:\n\s+count:) \d+$`)

// FixtureWithGeneratedUsers parses the default fixture with its generated
// users raised to n (the default generates a few hundred).
func FixtureWithGeneratedUsers(tb testing.TB, n int) *fixture.Fixture {
	tb.Helper()
	if got := len(generatedCount.FindAll(fixture.DefaultYAML, -1)); got != 1 {
		tb.Fatalf("the default fixture has %d generated_users.count lines, want 1; update sandboxtest to the fixture's layout", got)
	}
	data := generatedCount.ReplaceAll(bytes.Clone(fixture.DefaultYAML), []byte("${1} "+strconv.Itoa(n)))
	f, err := fixture.Parse(data, "large-org-fixture.yaml")
	if err != nil {
		tb.Fatalf("fixture.Parse: %v", err)
	}
	return f
}
