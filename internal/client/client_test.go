package client

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"
)

func TestNewValidatesConfig(t *testing.T) {
	valid := Config{Endpoint: "https://api.salesseat.example", ClientID: "id", ClientSecret: "very-secret-value"}
	cases := map[string]struct {
		mutate  func(*Config)
		wantErr string // substring; empty means success
	}{
		"https endpoint":            {mutate: func(*Config) {}},
		"https endpoint with path":  {mutate: func(c *Config) { c.Endpoint = "https://example.com/salesseat/" }},
		"http on 127.0.0.1":         {mutate: func(c *Config) { c.Endpoint = "http://127.0.0.1:8787" }},
		"http on 127.5.6.7":         {mutate: func(c *Config) { c.Endpoint = "http://127.5.6.7" }},
		"http on ::1":               {mutate: func(c *Config) { c.Endpoint = "http://[::1]:8787" }},
		"http on localhost":         {mutate: func(c *Config) { c.Endpoint = "http://LocalHost:8787" }},
		"http on a remote host":     {mutate: func(c *Config) { c.Endpoint = "http://api.salesseat.example" }, wantErr: `endpoint "http://api.salesseat.example" uses http, which is only allowed for loopback hosts`},
		"http on a private address": {mutate: func(c *Config) { c.Endpoint = "http://10.0.0.1" }, wantErr: "only allowed for loopback hosts"},
		"http on localhost.evil":    {mutate: func(c *Config) { c.Endpoint = "http://localhost.evil.example" }, wantErr: "only allowed for loopback hosts"},
		"ftp scheme":                {mutate: func(c *Config) { c.Endpoint = "ftp://example.com" }, wantErr: `has scheme "ftp"`},
		"relative endpoint":         {mutate: func(c *Config) { c.Endpoint = "api.salesseat.example" }, wantErr: "is not an absolute URL"},
		"empty endpoint":            {mutate: func(c *Config) { c.Endpoint = "" }, wantErr: "endpoint is required"},
		"endpoint with query":       {mutate: func(c *Config) { c.Endpoint = "https://example.com?x=1" }, wantErr: "must not have a query"},
		"endpoint with userinfo":    {mutate: func(c *Config) { c.Endpoint = "https://u:hunter2pass@example.com" }, wantErr: "must not contain user information"},
		"missing client_id":         {mutate: func(c *Config) { c.ClientID = " " }, wantErr: "client_id is required"},
		"missing client_secret":     {mutate: func(c *Config) { c.ClientSecret = "" }, wantErr: "client_secret is required"},
		"scope with a space":        {mutate: func(c *Config) { c.Scopes = []string{"salesseat.read salesseat.write"} }, wantErr: "scopes[0]"},
		"negative timeout":          {mutate: func(c *Config) { c.RequestTimeout = -time.Second }, wantErr: "RequestTimeout"},
		"negative max bytes":        {mutate: func(c *Config) { c.MaxResponseBytes = -1 }, wantErr: "MaxResponseBytes"},
		"wait min above max":        {mutate: func(c *Config) { c.RetryWaitMin, c.RetryWaitMax = time.Minute, time.Second }, wantErr: "RetryWaitMin"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			cfg := valid
			tc.mutate(&cfg)
			c, err := New(cfg)
			if tc.wantErr == "" {
				if err != nil {
					t.Fatalf("New: unexpected error %v", err)
				}
				if strings.HasSuffix(c.Endpoint(), "/") {
					t.Errorf("Endpoint() = %q, want no trailing slash", c.Endpoint())
				}
				return
			}
			if err == nil {
				t.Fatalf("New succeeded, want error containing %q", tc.wantErr)
			}
			if !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("New error = %q, want it to contain %q", err, tc.wantErr)
			}
			if strings.Contains(err.Error(), "hunter2pass") || strings.Contains(err.Error(), cfg.ClientSecret) && cfg.ClientSecret != "" {
				t.Errorf("New error %q leaks a secret", err)
			}
		})
	}
}

func TestNewPerformsNoIO(t *testing.T) {
	f := newFakeAPI(t)
	newTestClient(t, f, nil)
	if n := f.tokenRequests.Load(); n != 0 {
		t.Errorf("New made %d token requests, want 0", n)
	}
}

func TestRequestHeaders(t *testing.T) {
	f := newFakeAPI(t)
	f.handle("GET /api/v1/account", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, map[string]any{"id": "acc_1", "name": "Acme", "seat_limit": 25, "seats_used": 3, "seats_available": 22})
	})
	c := newTestClient(t, f, func(c *Config) { c.UserAgent = "terraform-provider-salesseat/1.2.3" })
	acc, err := c.Account.Read(context.Background())
	if err != nil {
		t.Fatalf("Account.Read: %v", err)
	}
	if *acc != (Account{ID: "acc_1", Name: "Acme", SeatLimit: 25, SeatsUsed: 3, SeatsAvailable: 22}) {
		t.Errorf("account = %+v", acc)
	}
	got := f.lastAPIRequest(t)
	if ua := got.Header.Get("User-Agent"); ua != "terraform-provider-salesseat/1.2.3" {
		t.Errorf("User-Agent = %q", ua)
	}
	if !strings.HasPrefix(got.Header.Get("Authorization"), "Bearer access-token-") {
		t.Errorf("Authorization = %q, want a bearer token", got.Header.Get("Authorization"))
	}
	if k := got.Header.Get("Idempotency-Key"); k != "" {
		t.Errorf("a read carried Idempotency-Key %q", k)
	}
}

func TestDefaultUserAgent(t *testing.T) {
	f := newFakeAPI(t)
	f.handle("GET /api/v1/roles", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, map[string]any{"items": []map[string]string{{"name": "sales", "description": "Sales rep"}}})
	})
	c := newTestClient(t, f, func(c *Config) { c.UserAgent = "" })
	roles, err := c.Roles.List(context.Background())
	if err != nil {
		t.Fatalf("Roles.List: %v", err)
	}
	if len(roles) != 1 || roles[0] != (Role{Name: "sales", Description: "Sales rep"}) {
		t.Errorf("roles = %+v", roles)
	}
	if ua := f.lastAPIRequest(t).Header.Get("User-Agent"); ua != DefaultUserAgent {
		t.Errorf("User-Agent = %q, want %q", ua, DefaultUserAgent)
	}
}

func TestRedirectsAreNotFollowed(t *testing.T) {
	f := newFakeAPI(t)
	f.handle("GET /api/v1/account", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "https://elsewhere.example/steal", http.StatusFound)
	})
	c := newTestClient(t, f, nil)
	_, err := c.Account.Read(context.Background())
	var unexpected *UnexpectedResponseError
	if !errors.As(err, &unexpected) || unexpected.Status != http.StatusFound {
		t.Fatalf("err = %v, want *UnexpectedResponseError with status 302", err)
	}
}

func TestEmptyIDsAreRejected(t *testing.T) {
	f := newFakeAPI(t)
	c := newTestClient(t, f, nil)
	ctx := context.Background()
	cases := map[string]func() error{
		"sales user read":   func() error { _, err := c.SalesUsers.Read(ctx, ""); return err },
		"connection delete": func() error { return c.Connections.Delete(ctx, "") },
		"role mapping read": func() error { _, err := c.RoleMappings.Read(ctx, ".."); return err },
		"recycle bin purge": func() error { return c.RecycleBin.Purge(ctx, "") },
		"crm user bad id":   func() error { _, err := c.CRM.ReadUser(ctx, "conn_1", "005xyz"); return err },
		"by crm username":   func() error { _, err := c.SalesUsers.ReadByCRMUsername(ctx, ""); return err },
		"crm list bad conn": func() error { _, err := Collect(c.CRM.ListUsers(ctx, "", CRMUserListOptions{})); return err },
		"create bad crm id": func() error {
			_, err := c.SalesUsers.Create(ctx, SalesUserCreateOptions{ConnectionID: "c", CRMUserID: "nope"})
			return err
		},
		"mapping bad prof": func() error {
			_, err := c.RoleMappings.Create(ctx, RoleMappingCreateOptions{ConnectionID: "c", CRMProfileID: "00e"})
			return err
		},
		"validate bad crmid": func() error {
			_, err := c.SalesUsers.Validate(ctx, ValidateOptions{Items: []ValidateItem{{Action: "create", CRMUserID: "x"}}})
			return err
		},
	}
	for name, call := range cases {
		t.Run(name, func(t *testing.T) {
			if err := call(); err == nil {
				t.Fatal("call succeeded, want an error")
			}
		})
	}
	if n := len(f.apiRequests()); n != 0 {
		t.Errorf("invalid IDs reached the API %d times", n)
	}
}
