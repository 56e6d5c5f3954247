package sandbox

import (
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
)

func TestAdminOrgsAndSeatLimit(t *testing.T) {
	t.Parallel()
	e := newEnv(t)

	var orgs struct {
		Items []adminOrg `json:"items"`
	}
	e.do(http.MethodGet, "/admin/v1/orgs", nil).wantStatus(http.StatusOK).decode(&orgs)
	want := adminOrg{
		ID: e.creds.OrganizationID, Name: "Acme Sandbox", LoginURL: e.url,
		ServiceUsername: e.creds.ServiceUsername, OAuthClientID: e.creds.OAuthClientID,
	}
	if len(orgs.Items) != 1 || orgs.Items[0] != want {
		t.Errorf("orgs %+v, want [%+v]", orgs.Items, want)
	}

	acc := e.do(http.MethodPut, "/admin/v1/account/seat-limit", map[string]any{"seat_limit": 30}).wantStatus(http.StatusOK).object()
	if acc["seat_limit"] != 30.0 || acc["seats_available"] != 30.0 {
		t.Errorf("account after the change %v", acc)
	}
	if got := e.do(http.MethodGet, "/api/v1/account", nil).wantStatus(http.StatusOK).object(); got["seat_limit"] != 30.0 {
		t.Errorf("the API reports seat limit %v", got["seat_limit"])
	}
	cases := map[string]struct {
		body  any
		field string
	}{
		"negative": {map[string]any{"seat_limit": -1}, "seat_limit"},
		"missing":  {map[string]any{}, "seat_limit"},
		"string":   {map[string]any{"seat_limit": "30"}, "seat_limit"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			e := e.sub(t)
			p := e.do(http.MethodPut, "/admin/v1/account/seat-limit", tc.body, violatesContract()).wantProblem(http.StatusUnprocessableEntity, "validation_failed")
			if !slices.Contains(fieldErrors(p), tc.field) {
				t.Errorf("errors name %v, want %s", fieldErrors(p), tc.field)
			}
		})
	}
}

func TestAdminRefreshTokens(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	token := e.mintRefreshToken(e.creds.ServiceUsername)
	if token == "" || token == e.creds.RefreshToken {
		t.Fatalf("minted %q", token)
	}
	e.createConnectionWith(map[string]any{"refresh_token": token})

	org := e.creds.OrganizationID
	cases := map[string]struct {
		path     string
		body     any
		opts     []reqOption
		status   int
		code     string
		resource string
	}{
		"unknown user": {
			path: pathf("/admin/v1/orgs/%s/refresh-tokens", org), body: map[string]any{"username": "ghost@acme.example"},
			status: 404, code: "not_found", resource: "crm_user",
		},
		"unknown org": {
			path: pathf("/admin/v1/orgs/%s/refresh-tokens", "00D000000000000AAA"), body: map[string]any{"username": e.creds.ServiceUsername},
			status: 404, code: "not_found", resource: "org",
		},
		"negative lifetime": {
			path: pathf("/admin/v1/orgs/%s/refresh-tokens", org), body: map[string]any{"username": e.creds.ServiceUsername, "expires_in_seconds": -5},
			opts: []reqOption{violatesContract()}, status: 422, code: "validation_failed",
		},
		"no username": {
			path: pathf("/admin/v1/orgs/%s/refresh-tokens", org), body: map[string]any{},
			opts: []reqOption{violatesContract()}, status: 422, code: "validation_failed",
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			e := e.sub(t)
			p := e.do(http.MethodPost, tc.path, tc.body, tc.opts...).wantProblem(tc.status, tc.code)
			if tc.resource != "" && p["resource"] != tc.resource {
				t.Errorf("resource %v, want %s", p["resource"], tc.resource)
			}
		})
	}
}

func TestAdminCRMDataAndAutomaticSync(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	org := e.creds.OrganizationID
	conn := e.createConnection()
	e.do(http.MethodPatch, "/api/v1/connections/"+conn, map[string]any{"automatic_user_sync": true}).wantStatus(http.StatusOK)

	// A new profile, renamed, mapped to a role.
	prof := e.do(http.MethodPost, pathf("/admin/v1/orgs/%s/profiles", org), map[string]any{"name": "Inside Sales"}).wantStatus(http.StatusCreated).object()
	profID := stringField(t, prof, "id")
	if prof["view_all_data"] != false {
		t.Errorf("profile %v", prof)
	}
	renamed := e.do(http.MethodPatch, pathf("/admin/v1/orgs/%s/profiles/%s", org, profID), map[string]any{"name": "Inside Sales Rep"}).wantStatus(http.StatusOK).object()
	if renamed["name"] != "Inside Sales Rep" {
		t.Errorf("renamed %v", renamed)
	}
	e.do(http.MethodPost, "/api/v1/role-mappings", map[string]any{"connection_id": conn, "crm_profile_name": "Inside Sales Rep", "role": "sales"}).wantStatus(http.StatusCreated)

	// A CRM user arriving with that profile is imported by automatic sync.
	u := e.do(http.MethodPost, pathf("/admin/v1/orgs/%s/users", org), map[string]any{
		"username": "nova.quinn@acme.example", "email": "nova.quinn@acme.example", "first_name": "Nova", "last_name": "Quinn",
		"profile_id": profID,
	}).wantStatus(http.StatusCreated).object()
	userID := stringField(t, u, "id")
	if u["active"] != true || len(userID) != 18 {
		t.Errorf("new CRM user %v", u)
	}
	su := e.do(http.MethodGet, pathf("/api/v1/sales-users/by-crm-username/%s", "nova.quinn@acme.example"), nil).wantStatus(http.StatusOK).object()
	if su["created_by"] != "automatic_sync" || su["role"] != "sales" || su["crm_user_id"] != userID {
		t.Errorf("automatically created sales user %v", su)
	}

	// Deactivation in the CRM shows up on the sales user after an update from the CRM.
	e.do(http.MethodPatch, pathf("/admin/v1/orgs/%s/users/%s", org, userID), map[string]any{"active": false}).wantStatus(http.StatusOK)
	crmUser := e.do(http.MethodGet, pathf("/api/v1/connections/%s/crm-users/%s", conn, userID), nil).wantStatus(http.StatusOK).object()
	if crmUser["active"] != false {
		t.Errorf("CRM user after deactivation %v", crmUser)
	}

	// An explicit sync run imports users that arrived while the profile had no mapping.
	e.do(http.MethodPatch, "/api/v1/connections/"+conn, map[string]any{"automatic_user_sync": false}).wantStatus(http.StatusOK)
	e.do(http.MethodPost, pathf("/admin/v1/orgs/%s/users", org), map[string]any{
		"username": "omar.reyes@acme.example", "email": "omar.reyes@acme.example", "last_name": "Reyes", "profile_id": profID,
	}).wantStatus(http.StatusCreated)
	var sync struct {
		Created int `json:"created"`
	}
	e.do(http.MethodPost, pathf("/admin/v1/connections/%s/sync", conn), nil).wantStatus(http.StatusOK).decode(&sync)
	if sync.Created != 0 {
		t.Errorf("sync with automatic_user_sync off created %d", sync.Created)
	}
	e.do(http.MethodPatch, "/api/v1/connections/"+conn, map[string]any{"automatic_user_sync": true}).wantStatus(http.StatusOK)
	e.do(http.MethodPost, pathf("/admin/v1/connections/%s/sync", conn), nil).wantStatus(http.StatusOK).decode(&sync)
	e.do(http.MethodGet, pathf("/api/v1/sales-users/by-crm-username/%s", "omar.reyes@acme.example"), nil).wantStatus(http.StatusOK)
	e.do(http.MethodPost, "/admin/v1/connections/conn_missing/sync", nil).wantProblem(http.StatusNotFound, "not_found")

	// Errors of the simulated org.
	cases := map[string]struct {
		method, path string
		body         any
		opts         []reqOption
		status       int
		code         string
		field        string // validation_failed: the field named
	}{
		"user in unknown org": {
			method: http.MethodPost, path: pathf("/admin/v1/orgs/%s/users", "00D000000000000AAA"),
			body:   map[string]any{"username": "x@acme.example", "email": "x@acme.example", "last_name": "X", "profile_id": profID},
			status: 404, code: "not_found",
		},
		"username taken": {
			method: http.MethodPost, path: pathf("/admin/v1/orgs/%s/users", org),
			body:   map[string]any{"username": "jordan.lee@acme.example", "email": "j2@acme.example", "last_name": "Lee", "profile_id": profileRep},
			status: 422, code: "validation_failed", field: "username",
		},
		"unknown profile": {
			method: http.MethodPost, path: pathf("/admin/v1/orgs/%s/users", org),
			body:   map[string]any{"username": "y@acme.example", "email": "y@acme.example", "last_name": "Y", "profile_id": "00e000000000000AAA"},
			status: 422, code: "validation_failed", field: "profile_id",
		},
		"user without last name": {
			method: http.MethodPost, path: pathf("/admin/v1/orgs/%s/users", org),
			body: map[string]any{"username": "z@acme.example", "email": "z@acme.example", "profile_id": profileRep},
			opts: []reqOption{violatesContract()}, status: 422, code: "validation_failed", field: "last_name",
		},
		"unknown user": {
			method: http.MethodPatch, path: pathf("/admin/v1/orgs/%s/users/%s", org, "005000000000000AAA"),
			body: map[string]any{"active": false}, status: 404, code: "not_found",
		},
		"unknown profile to rename": {
			method: http.MethodPatch, path: pathf("/admin/v1/orgs/%s/profiles/%s", org, "00e000000000000AAA"),
			body: map[string]any{"name": "Z"}, status: 404, code: "not_found",
		},
		"profile in unknown org": {
			method: http.MethodPost, path: pathf("/admin/v1/orgs/%s/profiles", "00D000000000000AAA"),
			body: map[string]any{"name": "Z"}, status: 404, code: "not_found",
		},
		"rename without name": {
			method: http.MethodPatch, path: pathf("/admin/v1/orgs/%s/profiles/%s", org, profID),
			body: map[string]any{}, opts: []reqOption{violatesContract()}, status: 422, code: "validation_failed",
		},
		"user field unknown": {
			method: http.MethodPatch, path: pathf("/admin/v1/orgs/%s/users/%s", org, userID),
			body: map[string]any{"is_active": true}, opts: []reqOption{violatesContract()}, status: 422, code: "validation_failed",
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			e := e.sub(t)
			p := e.do(tc.method, tc.path, tc.body, tc.opts...).wantProblem(tc.status, tc.code)
			if tc.field != "" && !slices.Contains(fieldErrors(p), tc.field) {
				t.Errorf("errors name %v, want %q; problem %v", fieldErrors(p), tc.field, p)
			}
			if detail, _ := p["detail"].(string); strings.Contains(detail, "invalid input:") || strings.Contains(detail, "conflict:") {
				t.Errorf("detail %q carries the org's error sentinel", detail)
			}
		})
	}
}

func TestAdminPlatformUsers(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	pu := e.do(http.MethodPost, "/admin/v1/platform-users", map[string]any{
		"email": "jordan.lee@acme.example", "first_name": "Jordan", "last_name": "Lee",
	}).wantStatus(http.StatusCreated).object()
	if pu["email"] != "jordan.lee@acme.example" {
		t.Errorf("platform user %v", pu)
	}
	conn := e.createConnection()
	su := e.createSalesUser(conn, userJordan)
	if su["adopted_existing_user"] != true || su["platform_user_id"] != pu["id"] {
		t.Errorf("import of a CRM user whose email has a platform user: %v", su)
	}
	e.do(http.MethodPost, "/admin/v1/platform-users", map[string]any{"email": "JORDAN.LEE@acme.example", "last_name": "Lee"}).
		wantProblem(http.StatusUnprocessableEntity, "validation_failed")
	e.do(http.MethodPost, "/admin/v1/platform-users", map[string]any{"email": "not-an-email", "last_name": "X"}).
		wantProblem(http.StatusUnprocessableEntity, "validation_failed")
}

func TestFaults(t *testing.T) {
	t.Parallel()
	e := newEnv(t)

	put := func(rules ...FaultRule) {
		t.Helper()
		if rules == nil {
			rules = []FaultRule{}
		}
		var got faultRules
		e.do(http.MethodPut, "/admin/v1/faults", faultRules{Rules: rules}).wantStatus(http.StatusOK).decode(&got)
		if len(got.Rules) != len(rules) {
			t.Fatalf("rules in force %+v, want %+v", got.Rules, rules)
		}
	}

	t.Run("429 with Retry-After, count limited", func(t *testing.T) {
		e := e.sub(t)
		put(FaultRule{Method: http.MethodGet, PathPrefix: "/api/v1/account", Status: 429, RetryAfterSeconds: 7, Count: 2})
		for range 2 {
			resp := e.do(http.MethodGet, "/api/v1/account", nil)
			resp.wantProblem(http.StatusTooManyRequests, "rate_limited")
			if resp.header.Get("Retry-After") != "7" {
				t.Errorf("Retry-After %q, want 7", resp.header.Get("Retry-After"))
			}
		}
		e.do(http.MethodGet, "/api/v1/account", nil).wantStatus(http.StatusOK)
		e.do(http.MethodGet, "/api/v1/roles", nil).wantStatus(http.StatusOK)
	})

	t.Run("503 on the token endpoint, default Retry-After only for 429", func(t *testing.T) {
		e := e.sub(t)
		put(FaultRule{PathPrefix: "/oauth/", Status: 503, Count: 1}, FaultRule{PathPrefix: "/openapi.json", Status: 429, Count: 1})
		resp := e.do(http.MethodPost, "/oauth/token", formCredentials(e))
		resp.wantProblem(http.StatusServiceUnavailable, "unavailable")
		if resp.header.Get("Retry-After") != "" {
			t.Errorf("Retry-After %q on a 503 without retry_after_seconds", resp.header.Get("Retry-After"))
		}
		e.do(http.MethodPost, "/oauth/token", formCredentials(e)).wantStatus(http.StatusOK)
		limited := e.do(http.MethodGet, "/openapi.json", nil)
		limited.wantProblem(http.StatusTooManyRequests, "rate_limited")
		if limited.header.Get("Retry-After") != "1" {
			t.Errorf("Retry-After %q, want the default 1", limited.header.Get("Retry-After"))
		}
	})

	t.Run("500 and latency", func(t *testing.T) {
		e := e.sub(t)
		put(FaultRule{Method: http.MethodGet, PathPrefix: "/api/v1/roles", LatencyMS: 5, Count: 1},
			FaultRule{Method: http.MethodGet, PathPrefix: "/api/v1/roles", Status: 500, Count: 1})
		e.do(http.MethodGet, "/api/v1/roles", nil).wantProblem(http.StatusInternalServerError, "internal_error")
		e.do(http.MethodGet, "/api/v1/roles", nil).wantStatus(http.StatusOK)
	})

	t.Run("error rate is reproducible", func(t *testing.T) {
		e := e.sub(t)
		half := 0.5
		run := func() []int {
			put(FaultRule{Method: http.MethodGet, PathPrefix: "/api/v1/account", Status: 503, ErrorRate: &half})
			var statuses []int
			for range 40 {
				resp := e.do(http.MethodGet, "/api/v1/account", nil)
				statuses = append(statuses, resp.status)
			}
			return statuses
		}
		first, second := run(), run()
		if !slices.Equal(first, second) {
			t.Errorf("the same rules gave different outcomes:\n%v\n%v", first, second)
		}
		failed := 0
		for _, s := range first {
			if s == http.StatusServiceUnavailable {
				failed++
			}
		}
		if failed == 0 || failed == len(first) {
			t.Errorf("error_rate 0.5 failed %d of %d requests", failed, len(first))
		}
	})

	t.Run("admin API is never faulted", func(t *testing.T) {
		e := e.sub(t)
		put(FaultRule{Status: 503})
		e.do(http.MethodGet, "/admin/v1/counters", nil).wantStatus(http.StatusOK)
		e.do(http.MethodGet, "/api/v1/account", nil).wantProblem(http.StatusServiceUnavailable, "unavailable")
		e.do(http.MethodDelete, "/admin/v1/faults", nil).wantStatus(http.StatusNoContent)
		e.do(http.MethodGet, "/api/v1/account", nil).wantStatus(http.StatusOK)
	})

	t.Run("invalid rules", func(t *testing.T) {
		e := e.sub(t)
		cases := map[string]struct {
			body  any
			field string
		}{
			"status 404":        {map[string]any{"rules": []any{map[string]any{"status": 404}}}, "rules[0].status"},
			"rate above 1":      {map[string]any{"rules": []any{map[string]any{"status": 503, "error_rate": 2}}}, "rules[0].error_rate"},
			"negative count":    {map[string]any{"rules": []any{map[string]any{"status": 503}, map[string]any{"status": 503, "count": -1}}}, "rules[1].count"},
			"no rules member":   {map[string]any{}, "rules"},
			"unknown rule key":  {map[string]any{"rules": []any{map[string]any{"status": 503, "probability": 1}}}, "rules[0].probability"},
			"negative latency":  {map[string]any{"rules": []any{map[string]any{"latency_ms": -1}}}, "rules[0].latency_ms"},
			"negative retry":    {map[string]any{"rules": []any{map[string]any{"status": 429, "retry_after_seconds": -1}}}, "rules[0].retry_after_seconds"},
			"lower-case method": {map[string]any{"rules": []any{map[string]any{"status": 503, "method": "get"}}}, "rules[0].method"},
		}
		for name, tc := range cases {
			t.Run(name, func(t *testing.T) {
				e := e.sub(t)
				opts := []reqOption{violatesContract()}
				if name == "lower-case method" {
					opts = nil // the document does not constrain the method's case
				}
				p := e.do(http.MethodPut, "/admin/v1/faults", tc.body, opts...).wantProblem(http.StatusUnprocessableEntity, "validation_failed")
				if !slices.Contains(fieldErrors(p), tc.field) {
					t.Errorf("errors name %v, want %s", fieldErrors(p), tc.field)
				}
			})
		}
		put() // an empty list is valid and clears the rules
	})
}

func TestDropResponseAfterCommit(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	conn := e.createConnection()
	e.sb.SetFaults([]FaultRule{{Method: http.MethodPost, PathPrefix: "/api/v1/sales-users", DropResponseAfterCommit: true, Count: 1}})

	body := map[string]any{"connection_id": conn, "crm_user_id": userJordan, "role": "sales"}
	key := header("Idempotency-Key", "drop-test-1")
	// A fresh connection, so the Go transport does not retry on its own.
	e.closeIdleConnections()
	if _, err := e.send(http.MethodPost, "/api/v1/sales-users", body, key); err == nil {
		t.Fatal("the response was not dropped")
	}
	if e.seatsUsed() != 1 {
		t.Fatalf("seats used %d: the dropped request was not committed", e.seatsUsed())
	}
	replay := e.do(http.MethodPost, "/api/v1/sales-users", body, key).wantStatus(http.StatusCreated)
	if replay.header.Get("Idempotent-Replayed") != "true" {
		t.Errorf("the retry was not a replay: headers %v", replay.header)
	}
	if e.seatsUsed() != 1 {
		t.Errorf("seats used %d after the retry, want 1", e.seatsUsed())
	}
}

func TestCountersAndReset(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.do(http.MethodDelete, "/admin/v1/counters", nil).wantStatus(http.StatusNoContent)
	conn := e.createConnection()
	su := e.createSalesUser(conn, userJordan)
	for range 3 {
		e.do(http.MethodGet, "/api/v1/sales-users/"+stringField(t, su, "id"), nil).wantStatus(http.StatusOK)
	}
	e.do(http.MethodGet, "/admin/v1/orgs", nil).wantStatus(http.StatusOK)

	type countersBody struct {
		Routes map[string]int `json:"routes"`
	}
	var counters countersBody
	e.do(http.MethodGet, "/admin/v1/counters", nil).wantStatus(http.StatusOK).decode(&counters)
	want := map[string]int{
		"GET /api/v1/sales-users/{sales_user_id}": 3,
		"POST /api/v1/sales-users":                1,
		"POST /api/v1/connections":                1,
	}
	for k, v := range want {
		if counters.Routes[k] != v {
			t.Errorf("counter %q = %d, want %d (all: %v)", k, counters.Routes[k], v, counters.Routes)
		}
	}
	if counters.Routes["POST /services/oauth2/token"] == 0 || counters.Routes["GET /services/data/{version}/query"] == 0 {
		t.Errorf("the connector's calls to the simulated org were not counted per Salesforce resource: %v", counters.Routes)
	}
	for k := range counters.Routes {
		if strings.Contains(k, "/admin/") {
			t.Errorf("admin calls are counted: %v", counters.Routes)
		}
	}
	if got := e.sb.Counters(); got["GET /api/v1/sales-users/{sales_user_id}"] != 3 {
		t.Errorf("Sandbox.Counters %v", got)
	}
	e.do(http.MethodDelete, "/admin/v1/counters", nil).wantStatus(http.StatusNoContent)
	counters = countersBody{}
	e.do(http.MethodGet, "/admin/v1/counters", nil).wantStatus(http.StatusOK).decode(&counters)
	if len(counters.Routes) != 0 {
		t.Errorf("counters after reset: %v", counters.Routes)
	}

	// Reset: back to the fixture.
	e.do(http.MethodPut, "/admin/v1/account/seat-limit", map[string]any{"seat_limit": 3}).wantStatus(http.StatusOK)
	e.sb.SetFaults([]FaultRule{{PathPrefix: "/api/v1/roles", Status: 503}})
	e.do(http.MethodPost, "/admin/v1/reset", nil).wantStatus(http.StatusNoContent)
	acc := e.do(http.MethodGet, "/api/v1/account", nil).wantStatus(http.StatusOK).object()
	if acc["seat_limit"] != 25.0 || acc["seats_used"] != 0.0 {
		t.Errorf("account after reset %v", acc)
	}
	var list struct {
		Items []any `json:"items"`
	}
	e.do(http.MethodGet, "/api/v1/connections", nil).wantStatus(http.StatusOK).decode(&list)
	if len(list.Items) != 0 {
		t.Errorf("%d connections after reset", len(list.Items))
	}
	e.do(http.MethodGet, "/api/v1/roles", nil).wantStatus(http.StatusOK)
	counters = countersBody{}
	e.do(http.MethodGet, "/admin/v1/counters", nil).wantStatus(http.StatusOK).decode(&counters)
	if len(counters.Routes) != 3 { // account, connections, roles
		t.Errorf("counters after reset and two calls: %v", counters.Routes)
	}
	// The fixture's credentials work again after a reset.
	e.createConnection()
}

func TestIdempotency(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	conn := e.createConnection()

	cases := map[string]struct {
		path  string
		body  map[string]any
		other map[string]any
	}{
		"connections": {
			path: "/api/v1/connections", body: e.connectionBody("Idempotent"), other: e.connectionBody("Other"),
		},
		"role mappings": {
			path:  "/api/v1/role-mappings",
			body:  map[string]any{"connection_id": conn, "crm_profile_id": profileMgr, "role": "sales_manager"},
			other: map[string]any{"connection_id": conn, "crm_profile_id": profileMgr, "role": "sales"},
		},
		"sales users": {
			path:  "/api/v1/sales-users",
			body:  map[string]any{"connection_id": conn, "crm_user_id": userJordan, "role": "sales"},
			other: map[string]any{"connection_id": conn, "crm_user_id": userJordan, "role": "marketing"},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			e := e.sub(t)
			key := header("Idempotency-Key", "key-"+name)
			first := e.do(http.MethodPost, tc.path, tc.body, key).wantStatus(http.StatusCreated)
			if first.header.Get("Idempotent-Replayed") != "" {
				t.Errorf("the first response is marked replayed")
			}
			second := e.do(http.MethodPost, tc.path, tc.body, key).wantStatus(http.StatusCreated)
			if second.header.Get("Idempotent-Replayed") != "true" || string(second.body) != string(first.body) ||
				second.header.Get("Location") != first.header.Get("Location") || second.header.Get("ETag") != first.header.Get("ETag") {
				t.Errorf("replay differs:\nfirst  %s %v\nsecond %s %v", first.body, first.header, second.body, second.header)
			}
			// The same body re-encoded (other member order, whitespace) is the same request.
			reordered := rawBody(reencode(t, tc.body))
			e.do(http.MethodPost, tc.path, reordered, key).wantStatus(http.StatusCreated)
			e.do(http.MethodPost, tc.path, tc.other, key).wantProblem(http.StatusUnprocessableEntity, "idempotency_key_reused")
		})
	}
	if e.seatsUsed() != 1 {
		t.Errorf("seats used %d, want 1 after replays", e.seatsUsed())
	}

	// Errors from the platform are replayed too, so a retry cannot change the outcome.
	key := header("Idempotency-Key", "inactive-user")
	body := map[string]any{"connection_id": conn, "crm_user_id": userChris, "role": "sales"}
	e.do(http.MethodPost, "/api/v1/sales-users", body, key).wantProblem(http.StatusUnprocessableEntity, "crm_user_inactive")
	replayed := e.do(http.MethodPost, "/api/v1/sales-users", body, key)
	replayed.wantProblem(http.StatusUnprocessableEntity, "crm_user_inactive")
	if replayed.header.Get("Idempotent-Replayed") != "true" {
		t.Errorf("the stored error was not replayed")
	}

	// Keys are 1 to 255 characters.
	long := make([]byte, 256)
	for i := range long {
		long[i] = 'k'
	}
	p := e.do(http.MethodPost, "/api/v1/sales-users", body, header("Idempotency-Key", string(long)), violatesContract()).
		wantProblem(http.StatusUnprocessableEntity, "validation_failed")
	if !slices.Contains(fieldErrors(p), "Idempotency-Key") {
		t.Errorf("errors name %v, want Idempotency-Key", fieldErrors(p))
	}

	// A body that does not decode is refused before the key is looked at.
	e.do(http.MethodPost, "/api/v1/sales-users", rawBody(`{"connection_id":`), header("Idempotency-Key", "typo"), violatesContract()).
		wantProblem(http.StatusBadRequest, "validation_failed")
	e.do(http.MethodPost, "/api/v1/sales-users", map[string]any{"connection_id": conn, "crm_user_id": userPriya, "role": "sales"},
		header("Idempotency-Key", "typo")).wantStatus(http.StatusCreated)
}

// formCredentials is a token request authenticating with form fields.
func formCredentials(e *env) url.Values {
	return url.Values{
		"grant_type": {"client_credentials"}, "client_id": {e.creds.ClientID}, "client_secret": {e.creds.ClientSecret},
	}
}

// reencode writes a flat JSON object with its members in reverse order and extra whitespace.
func reencode(t *testing.T, body map[string]any) string {
	t.Helper()
	keys := make([]string, 0, len(body))
	for k := range body {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	slices.Reverse(keys)
	out := "{\n"
	for i, k := range keys {
		v, err := json.Marshal(body[k])
		if err != nil {
			t.Fatal(err)
		}
		if i > 0 {
			out += ",\n"
		}
		out += "  " + strconv.Quote(k) + " :  " + string(v)
	}
	return out + "\n}"
}
