package client_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/salesseat/terraform-provider-salesseat/internal/client"
	"github.com/salesseat/terraform-provider-salesseat/internal/sandbox/sandboxtest"
)

// The benchmarks here measure the client against the in-process sandbox at
// the scale of PRODUCT.md (orgs with tens of thousands of CRM users, 10,000
// sales users). Besides time and allocations they report the requests each
// operation costs, read from the sandbox's request counters:
//
//   - api-calls/op: requests to the provisioning API, token included;
//   - crm-calls/op: requests the platform's connector made to the simulated
//     Salesforce org to answer them.
//
// Each operation uses a new client, as a new provider process does, so it
// fetches one token; the HTTP transport is shared so that operations do not
// leave idle connections behind.

// benchLargeOrg is a large sandbox org (see sandboxtest.StartLargeOrg).
type benchLargeOrg struct{ *sandboxtest.LargeOrg }

// startBenchLargeOrg starts a large sandbox org; see sandboxtest.StartLargeOrg.
func startBenchLargeOrg(b *testing.B, generated, salesUsers int) *benchLargeOrg {
	b.Helper()
	return &benchLargeOrg{sandboxtest.StartLargeOrg(b, generated, salesUsers)}
}

// client returns a new client of the sandbox, as a provider process makes.
func (o *benchLargeOrg) client(b *testing.B) *client.Client {
	b.Helper()
	creds := o.Sandbox.Credentials()
	c, err := client.New(client.Config{
		Endpoint: creds.Endpoint, ClientID: creds.ClientID, ClientSecret: creds.ClientSecret, HTTPClient: o.HTTPClient,
	})
	if err != nil {
		b.Fatalf("client.New: %v", err)
	}
	return c
}

// reportCalls reports the requests counted since the last ResetCounters,
// per operation.
func (o *benchLargeOrg) reportCalls(b *testing.B) {
	b.Helper()
	var api, crm int
	for route, n := range o.Sandbox.Counters() {
		if strings.Contains(route, " /services/") || strings.Contains(route, " /id/") {
			crm += n
		} else {
			api += n
		}
	}
	b.ReportMetric(float64(api)/float64(b.N), "api-calls/op")
	b.ReportMetric(float64(crm)/float64(b.N), "crm-calls/op")
}

// BenchmarkCRMListUsers50k lists every user of an org of 50,000 generated
// users in pages of 1,000, as the salesseat_crm_users data source does:
// about 50 list requests plus one token request.
func BenchmarkCRMListUsers50k(b *testing.B) {
	o := startBenchLargeOrg(b, 50000, 0)
	ctx := context.Background()
	opts := client.CRMUserListOptions{PageSize: client.MaxPageSize}
	o.Sandbox.ResetCounters()
	b.ReportAllocs()
	for b.Loop() {
		n := 0
		for _, err := range o.client(b).CRM.ListUsers(ctx, o.ConnectionID, opts) {
			if err != nil {
				b.Fatalf("CRM.ListUsers: %v", err)
			}
			n++
		}
		if n != o.CRMUsers {
			b.Fatalf("listed %d CRM users, want %d", n, o.CRMUsers)
		}
	}
	o.reportCalls(b)
}

// BenchmarkSalesUsersList10k lists 10,000 sales users of one connection in
// pages of 1,000, as the provider's sales user cache loads them: about 10
// list requests plus one token request, and no request to the CRM.
func BenchmarkSalesUsersList10k(b *testing.B) {
	const salesUsers = 10000
	o := startBenchLargeOrg(b, 20000, salesUsers)
	ctx := context.Background()
	opts := client.SalesUserListOptions{ConnectionID: o.ConnectionID, PageSize: client.MaxPageSize}
	o.Sandbox.ResetCounters()
	b.ReportAllocs()
	for b.Loop() {
		n := 0
		for _, err := range o.client(b).SalesUsers.List(ctx, opts) {
			if err != nil {
				b.Fatalf("SalesUsers.List: %v", err)
			}
			n++
		}
		if n != salesUsers {
			b.Fatalf("listed %d sales users, want %d", n, salesUsers)
		}
	}
	o.reportCalls(b)
}

// BenchmarkCRMListUsers50kClientOnly is BenchmarkCRMListUsers50k without
// the sandbox: a loopback server replays 51 pre-encoded pages, so time and
// allocations are (nearly) the client's own decoding and paging.
func BenchmarkCRMListUsers50kClientOnly(b *testing.B) {
	users := sandboxtest.FixtureWithGeneratedUsers(b, 50000).Orgs[0].AllUsers()
	type wireUser struct {
		ID          string `json:"id"`
		Username    string `json:"username"`
		Email       string `json:"email"`
		FirstName   string `json:"first_name"`
		LastName    string `json:"last_name"`
		Active      bool   `json:"active"`
		ProfileID   string `json:"profile_id"`
		ProfileName string `json:"profile_name"`
		UserRole    string `json:"user_role"`
		SalesUserID string `json:"sales_user_id"`
	}
	var pages [][]byte
	for start := 0; start < len(users); start += client.MaxPageSize {
		end := min(start+client.MaxPageSize, len(users))
		items := make([]wireUser, 0, end-start)
		for _, u := range users[start:end] {
			items = append(items, wireUser{
				ID: u.ID, Username: u.Username, Email: u.Email, FirstName: u.FirstName, LastName: u.LastName,
				Active: u.Active, ProfileID: u.ProfileID, ProfileName: "Sales Rep", UserRole: u.UserRole,
			})
		}
		next := ""
		if end < len(users) {
			next = strconv.Itoa(len(pages) + 1)
		}
		body, err := json.Marshal(map[string]any{"items": items, "next_cursor": next})
		if err != nil {
			b.Fatal(err)
		}
		pages = append(pages, body)
	}

	var calls atomic.Int64
	mux := http.NewServeMux()
	mux.HandleFunc("POST /oauth/token", func(w http.ResponseWriter, _ *http.Request) {
		calls.Add(1)
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"access_token":"bench-token","token_type":"Bearer","expires_in":3600}`))
	})
	mux.HandleFunc("GET /api/v1/connections/{id}/crm-users", func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		i, _ := strconv.Atoi(r.URL.Query().Get("cursor"))
		if i < 0 || i >= len(pages) {
			http.Error(w, "bad cursor", http.StatusBadRequest)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(pages[i])
	})
	srv := httptest.NewServer(mux)
	b.Cleanup(srv.Close)

	ctx := context.Background()
	opts := client.CRMUserListOptions{PageSize: client.MaxPageSize}
	b.ReportAllocs()
	for b.Loop() {
		c, err := client.New(client.Config{Endpoint: srv.URL, ClientID: "bench", ClientSecret: "bench-secret", HTTPClient: srv.Client()})
		if err != nil {
			b.Fatalf("client.New: %v", err)
		}
		n := 0
		for _, err := range c.CRM.ListUsers(ctx, "conn_bench", opts) {
			if err != nil {
				b.Fatalf("CRM.ListUsers: %v", err)
			}
			n++
		}
		if n != len(users) {
			b.Fatalf("listed %d CRM users, want %d", n, len(users))
		}
	}
	b.ReportMetric(float64(calls.Load())/float64(b.N), "api-calls/op")
}
