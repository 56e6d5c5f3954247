package sandbox

import (
	"fmt"
	"github.com/salesseat/terraform-provider-salesseat/internal/sandbox/sforg"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
)

func TestAccountAndRoles(t *testing.T) {
	t.Parallel()
	e := newEnv(t)

	acc := e.do(http.MethodGet, "/api/v1/account", nil).wantStatus(http.StatusOK).object()
	if acc["name"] != "Acme Corp" || acc["seat_limit"] != 25.0 || acc["seats_used"] != 0.0 || acc["seats_available"] != 25.0 {
		t.Errorf("account %v, want Acme Corp with 25 free seats", acc)
	}

	var roles struct {
		Items []struct {
			Name string `json:"name"`
		} `json:"items"`
	}
	e.do(http.MethodGet, "/api/v1/roles", nil).wantStatus(http.StatusOK).decode(&roles)
	var names []string
	for _, r := range roles.Items {
		names = append(names, r.Name)
	}
	if want := []string{"administrator", "marketing", "sales_manager", "sales"}; !slices.Equal(names, want) {
		t.Errorf("roles %v, want %v", names, want)
	}
}

func TestConnectionLifecycle(t *testing.T) {
	t.Parallel()
	e := newEnv(t)

	created := e.do(http.MethodPost, "/api/v1/connections", e.connectionBody("Acme sandbox")).wantStatus(http.StatusCreated)
	conn := created.object()
	id := stringField(t, conn, "id")
	if loc := created.header.Get("Location"); loc != "/api/v1/connections/"+id {
		t.Errorf("Location %q, want /api/v1/connections/%s", loc, id)
	}
	if created.etagOf() != `"1"` {
		t.Errorf("ETag %s, want \"1\"", created.etagOf())
	}
	if conn["status"] != "connected" || conn["auth_method"] != "refresh_token" || conn["organization_id"] != e.creds.OrganizationID ||
		conn["user_sync"] != true || conn["automatic_user_sync"] != false {
		t.Errorf("created connection %v", conn)
	}
	if strings.Contains(string(created.body), e.creds.RefreshToken) {
		t.Errorf("the connection echoes its refresh token: %s", created.body)
	}

	got := e.do(http.MethodGet, "/api/v1/connections/"+id, nil).wantStatus(http.StatusOK)
	if got.object()["status"] != "connected" {
		t.Errorf("health check: %s", got.body)
	}

	jwt := e.createJWTConnection()
	type connPage struct {
		Items      []map[string]any `json:"items"`
		NextCursor string           `json:"next_cursor"`
	}
	var first, second connPage
	e.do(http.MethodGet, "/api/v1/connections?limit=1", nil).wantStatus(http.StatusOK).decode(&first)
	if len(first.Items) != 1 || first.NextCursor == "" {
		t.Fatalf("first page %+v, want one connection and a cursor", first)
	}
	e.do(http.MethodGet, "/api/v1/connections?limit=1&cursor="+url.QueryEscape(first.NextCursor), nil).wantStatus(http.StatusOK).decode(&second)
	if len(second.Items) != 1 || second.NextCursor != "" {
		t.Fatalf("second page %+v, want the last connection", second)
	}
	pages := []string{stringField(t, first.Items[0], "id"), stringField(t, second.Items[0], "id")}
	slices.Sort(pages)
	want := []string{id, jwt}
	slices.Sort(want)
	if !slices.Equal(pages, want) {
		t.Errorf("pages hold %v, want %v", pages, want)
	}

	// PATCH with If-Match: current version applies, a stale one is refused.
	patched := e.do(http.MethodPatch, "/api/v1/connections/"+id, map[string]any{"name": "Renamed"}, header("If-Match", `"1"`)).wantStatus(http.StatusOK)
	if patched.object()["name"] != "Renamed" || patched.etagOf() != `"2"` {
		t.Errorf("patched %s ETag %s", patched.body, patched.etagOf())
	}
	stale := e.do(http.MethodPatch, "/api/v1/connections/"+id, map[string]any{"user_sync": false}, header("If-Match", `"1"`))
	if p := stale.wantProblem(http.StatusPreconditionFailed, "precondition_failed"); p["current_etag"] != `"2"` {
		t.Errorf("current_etag %v, want \"2\"", p["current_etag"])
	}
	// If-Match compares strongly: a weak tag never matches, even the current version.
	weak := e.do(http.MethodPatch, "/api/v1/connections/"+id, map[string]any{"user_sync": false}, header("If-Match", `W/"2"`))
	if p := weak.wantProblem(http.StatusPreconditionFailed, "precondition_failed"); p["current_etag"] != `"2"` {
		t.Errorf("current_etag %v, want \"2\"", p["current_etag"])
	}
	e.do(http.MethodPatch, "/api/v1/connections/"+id, map[string]any{"user_sync": false}, header("If-Match", "*")).wantStatus(http.StatusOK)
	e.do(http.MethodPatch, "/api/v1/connections/"+id, map[string]any{"user_sync": true}).wantStatus(http.StatusOK)

	// The environment cannot change.
	env := e.do(http.MethodPatch, "/api/v1/connections/"+id, map[string]any{"environment": "production"}, violatesContract()).
		wantProblem(http.StatusUnprocessableEntity, "validation_failed")
	if !slices.Contains(fieldErrors(env), "environment") {
		t.Errorf("errors name %v, want environment", fieldErrors(env))
	}
	e.do(http.MethodPatch, "/api/v1/connections/"+id, map[string]any{}).wantStatus(http.StatusOK)

	// Supplying new credentials re-authorizes; a bad one is refused and changes nothing.
	bad := e.do(http.MethodPatch, "/api/v1/connections/"+id, map[string]any{"refresh_token": "not-a-token"})
	if p := bad.wantProblem(http.StatusUnprocessableEntity, "crm_authorization_failed"); p["crm_error"] != "invalid_grant" {
		t.Errorf("crm_error %v, want invalid_grant", p["crm_error"])
	}
	e.do(http.MethodPatch, "/api/v1/connections/"+id, map[string]any{"jwt_private_key": e.creds.JWTPrivateKeyPEM}).wantStatus(http.StatusOK)
	if m := e.do(http.MethodGet, "/api/v1/connections/"+id, nil).wantStatus(http.StatusOK).object(); m["auth_method"] != "jwt_bearer" {
		t.Errorf("auth_method %v after switching to a private key", m["auth_method"])
	}

	e.do(http.MethodDelete, "/api/v1/connections/"+id, nil).wantStatus(http.StatusNoContent)
	e.do(http.MethodGet, "/api/v1/connections/"+id, nil).wantProblem(http.StatusNotFound, "not_found")
	e.do(http.MethodDelete, "/api/v1/connections/"+id, nil).wantProblem(http.StatusNotFound, "not_found")
	e.do(http.MethodPatch, "/api/v1/connections/"+id, map[string]any{"name": "x"}).wantProblem(http.StatusNotFound, "not_found")
}

func TestConnectionCreateErrors(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	// Jordan is a sales rep: no View All Data.
	var minted struct {
		RefreshToken string `json:"refresh_token"`
	}
	e.do(http.MethodPost, pathf("/admin/v1/orgs/%s/refresh-tokens", e.creds.OrganizationID),
		map[string]any{"username": "jordan.lee@acme.example"}).wantStatus(http.StatusOK).decode(&minted)

	with := func(changes map[string]any) map[string]any {
		body := e.connectionBody("x")
		for k, v := range changes {
			if v == nil {
				delete(body, k)
				continue
			}
			body[k] = v
		}
		return body
	}
	cases := map[string]struct {
		body     any
		opts     []reqOption
		status   int
		code     string
		field    string // validation_failed: the field named
		ext      string // an extension member that must be present
		extValue any
		detail   string // a substring of the detail
	}{
		"login URL off loopback (the default)": {
			body: with(map[string]any{"login_url": nil}), status: 422, code: "crm_authorization_failed",
			ext: "crm_error", extValue: "request_failed", detail: "set login_url to " + e.url,
		},
		"expired refresh token": {
			body: with(map[string]any{"refresh_token": "5Aep861unknown"}), status: 422, code: "crm_authorization_failed",
			ext: "crm_error", extValue: "invalid_grant",
		},
		"wrong consumer key": {
			body: with(map[string]any{"oauth_client_id": "3MVG9wrong"}), status: 422, code: "crm_authorization_failed",
			ext: "crm_error", extValue: "invalid_client_id",
		},
		"service account without View All Data": {
			body:   with(map[string]any{"service_username": "jordan.lee@acme.example", "refresh_token": minted.RefreshToken}),
			status: 422, code: "service_account_missing_permission", ext: "permission", extValue: "View All Data",
		},
		"http login URL off loopback": {
			body: with(map[string]any{"login_url": "http://login.example.com"}), status: 422, code: "validation_failed", field: "login_url",
		},
		"unknown field": {
			body: with(map[string]any{"password": "hunter2"}), opts: []reqOption{violatesContract()},
			status: 422, code: "validation_failed", field: "password",
		},
		"wrong type": {
			body: with(map[string]any{"user_sync": "yes"}), opts: []reqOption{violatesContract()},
			status: 422, code: "validation_failed", field: "user_sync",
		},
		"both credentials": {
			body: with(map[string]any{"jwt_private_key": e.creds.JWTPrivateKeyPEM}), opts: []reqOption{violatesContract()},
			status: 422, code: "validation_failed",
		},
		"no credentials": {
			body: with(map[string]any{"refresh_token": nil}), opts: []reqOption{violatesContract()},
			status: 422, code: "validation_failed",
		},
		"missing name": {
			body: with(map[string]any{"name": nil}), opts: []reqOption{violatesContract()},
			status: 422, code: "validation_failed", field: "name",
		},
		"unknown environment": {
			body: with(map[string]any{"environment": "staging"}), opts: []reqOption{violatesContract()},
			status: 422, code: "validation_failed", field: "environment",
		},
		"malformed JSON": {
			body: rawBody(`{"name": "x",}`), opts: []reqOption{violatesContract()}, status: 400, code: "validation_failed",
		},
		"empty body": {
			body: rawBody(``), opts: []reqOption{violatesContract()}, status: 400, code: "validation_failed",
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			e := e.sub(t)
			p := e.do(http.MethodPost, "/api/v1/connections", tc.body, tc.opts...).wantProblem(tc.status, tc.code)
			if tc.field != "" && !slices.Contains(fieldErrors(p), tc.field) {
				t.Errorf("errors name %v, want %q; problem %v", fieldErrors(p), tc.field, p)
			}
			if tc.ext != "" && p[tc.ext] != tc.extValue {
				t.Errorf("%s = %v, want %v; problem %v", tc.ext, p[tc.ext], tc.extValue, p)
			}
			if detail, _ := p["detail"].(string); !strings.Contains(detail, tc.detail) {
				t.Errorf("detail %q does not contain %q", detail, tc.detail)
			}
		})
	}
	var list struct {
		Items []any `json:"items"`
	}
	e.do(http.MethodGet, "/api/v1/connections", nil).wantStatus(http.StatusOK).decode(&list)
	if len(list.Items) != 0 {
		t.Errorf("failed creates left %d connections", len(list.Items))
	}
}

func TestConnectionAuthorizeAndUpdateFromCRM(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	conn := e.createConnection()
	su := e.createSalesUser(conn, userJordan)

	e.do(http.MethodPost, pathf("/admin/v1/connections/%s/expire-refresh-token", conn), nil).wantStatus(http.StatusNoContent)
	c := e.do(http.MethodGet, "/api/v1/connections/"+conn, nil).wantStatus(http.StatusOK).object()
	if c["status"] != "disconnected" || c["status_reason"] != "invalid_grant: expired access/refresh token" {
		t.Fatalf("after expiring the refresh token: status %v (%v)", c["status"], c["status_reason"])
	}
	if u := e.do(http.MethodGet, "/api/v1/sales-users/"+stringField(t, su, "id"), nil).wantStatus(http.StatusOK).object(); u["status"] != "suspended" {
		t.Errorf("sales user status %v while disconnected, want suspended", u["status"])
	}
	p := e.do(http.MethodPost, pathf("/api/v1/connections/%s/update-from-crm", conn), nil).wantProblem(http.StatusConflict, "connection_disconnected")
	if p["connection_id"] != conn {
		t.Errorf("connection_id %v", p["connection_id"])
	}

	// Re-running the stored grant cannot help a refresh token.
	e.do(http.MethodPost, pathf("/api/v1/connections/%s/authorize", conn), nil).wantProblem(http.StatusUnprocessableEntity, "crm_authorization_failed")
	e.do(http.MethodPost, pathf("/api/v1/connections/%s/authorize", conn), map[string]any{"password": "x"}, violatesContract()).
		wantProblem(http.StatusUnprocessableEntity, "validation_failed")

	// A new refresh token does.
	var minted struct {
		RefreshToken string `json:"refresh_token"`
	}
	e.do(http.MethodPost, pathf("/admin/v1/orgs/%s/refresh-tokens", e.creds.OrganizationID),
		map[string]any{"username": e.creds.ServiceUsername, "expires_in_seconds": 3600}).wantStatus(http.StatusOK).decode(&minted)
	ok := e.do(http.MethodPost, pathf("/api/v1/connections/%s/authorize", conn), map[string]any{"refresh_token": minted.RefreshToken}).wantStatus(http.StatusOK)
	if ok.object()["status"] != "connected" {
		t.Fatalf("after authorizing with a new token: %s", ok.body)
	}
	ok.etagOf()

	// CRM changes that reach the platform (here through the admin API) flow
	// into sales users at once, without an explicit update from the CRM.
	e.do(http.MethodPatch, pathf("/admin/v1/orgs/%s/users/%s", e.creds.OrganizationID, userJordan), map[string]any{"last_name": "Lee"}).wantStatus(http.StatusOK)
	if u := e.do(http.MethodGet, "/api/v1/sales-users/"+stringField(t, su, "id"), nil).wantStatus(http.StatusOK).object(); u["last_name"] != "Lee" {
		t.Errorf("sales user after a CRM change arrived: %v", u)
	}

	// A change made in the org behind the platform's back is picked up by
	// update-from-crm.
	lastName := "Lee-Smith"
	if _, err := e.sb.Org().UpdateUser(e.creds.OrganizationID, userJordan, sforg.UserPatch{LastName: &lastName}); err != nil {
		t.Fatal(err)
	}
	var res struct {
		Updated int `json:"updated"`
	}
	e.do(http.MethodPost, pathf("/api/v1/connections/%s/update-from-crm", conn), nil).wantStatus(http.StatusOK).decode(&res)
	if res.Updated != 1 {
		t.Errorf("updated %d, want 1", res.Updated)
	}
	if u := e.do(http.MethodGet, "/api/v1/sales-users/"+stringField(t, su, "id"), nil).wantStatus(http.StatusOK).object(); u["last_name"] != "Lee-Smith" || u["status"] != "active" {
		t.Errorf("sales user after update from CRM: %v", u)
	}
}

func TestJWTConnectionSurvivesExpiredSessions(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	conn := e.createJWTConnection()
	e.do(http.MethodPost, pathf("/admin/v1/connections/%s/expire-refresh-token", conn), nil).wantStatus(http.StatusNoContent)
	e.do(http.MethodPost, pathf("/admin/v1/connections/%s/revoke-refresh-token", conn), nil).wantStatus(http.StatusNoContent)
	if c := e.do(http.MethodGet, "/api/v1/connections/"+conn, nil).wantStatus(http.StatusOK).object(); c["status"] != "connected" {
		t.Errorf("JWT connection after its sessions expired: %v (%v)", c["status"], c["status_reason"])
	}
	e.do(http.MethodPost, pathf("/api/v1/connections/%s/authorize", conn), nil).wantStatus(http.StatusOK)
	e.do(http.MethodGet, pathf("/api/v1/connections/%s/crm-users/%s", conn, userJordan), nil).wantStatus(http.StatusOK)
}

func TestRevokedRefreshToken(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	conn := e.createConnection()
	e.do(http.MethodPost, pathf("/admin/v1/connections/%s/revoke-refresh-token", conn), nil).wantStatus(http.StatusNoContent)
	p := e.do(http.MethodGet, pathf("/api/v1/connections/%s/crm-users", conn), nil).wantProblem(http.StatusConflict, "connection_disconnected")
	if p["status_reason"] != "invalid_grant: token revoked" {
		t.Errorf("status_reason %v", p["status_reason"])
	}
	e.do(http.MethodPost, "/admin/v1/connections/conn_missing/revoke-refresh-token", nil).wantProblem(http.StatusNotFound, "not_found")
	e.do(http.MethodPost, "/admin/v1/connections/conn_missing/expire-refresh-token", nil).wantProblem(http.StatusNotFound, "not_found")
}

func TestCRMUsersAndProfiles(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	conn := e.createConnection()
	e.createSalesUser(conn, userJordan)

	ids := func(e *env, query string) []string {
		e.t.Helper()
		type page struct {
			Items []struct {
				ID string `json:"id"`
			} `json:"items"`
			NextCursor string `json:"next_cursor"`
		}
		var out []string
		q := query
		for {
			var page page
			e.do(http.MethodGet, pathf("/api/v1/connections/%s/crm-users", conn)+"?"+q, nil).wantStatus(http.StatusOK).decode(&page)
			for _, it := range page.Items {
				out = append(out, it.ID)
			}
			if page.NextCursor == "" {
				return out
			}
			q = query + "&cursor=" + url.QueryEscape(page.NextCursor)
		}
	}
	cases := map[string]struct {
		query   string
		want    []string // exactly these
		include string   // or: contains this one
		exclude string   // and not this one
	}{
		"search by name":       {query: "search=jordan", want: []string{userJordan}},
		"search by email part": {query: "search=PRIYA.PATEL", want: []string{userPriya}},
		"inactive sales reps":  {query: "active=false&profile_name=Sales+Rep&email_domain=acme.example&search=chris", want: []string{userChris}},
		"imported":             {query: "imported=true", want: []string{userJordan}},
		"not imported":         {query: "imported=false&profile_id=" + profileRep, include: userStaylor, exclude: userJordan},
		"two profiles":         {query: "profile_id=" + profileMgr + "&profile_id=" + profileMarketing + "&search=a", include: userMarco, exclude: userJordan},
		"profile ID and name":  {query: "profile_id=" + profileRep + "&profile_name=Sales+Rep&search=jordan", want: []string{userJordan}},
		"15-character profile": {query: "profile_id=" + profileMgr[:15] + "&search=priya", want: []string{userPriya}},
		"paged":                {query: "limit=7&active=true", include: userService, exclude: userChris},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			e := e.sub(t)
			got := ids(e, tc.query)
			if tc.want != nil && !slices.Equal(got, tc.want) {
				t.Errorf("got %v, want %v", got, tc.want)
			}
			if tc.include != "" && !slices.Contains(got, tc.include) {
				t.Errorf("got %d users without %s", len(got), tc.include)
			}
			if tc.exclude != "" && slices.Contains(got, tc.exclude) {
				t.Errorf("got %s, which the filter excludes", tc.exclude)
			}
			if !slices.IsSorted(got) {
				t.Errorf("not sorted by ID: %v", got)
			}
		})
	}

	invalid := map[string]string{
		"limit=0":       "limit",
		"limit=1001":    "limit",
		"limit=ten":     "limit",
		"active=maybe":  "active",
		"imported=yes!": "imported",
	}
	for query, field := range invalid {
		t.Run(query, func(t *testing.T) {
			e := e.sub(t)
			p := e.do(http.MethodGet, pathf("/api/v1/connections/%s/crm-users", conn)+"?"+query, nil, violatesContract()).
				wantProblem(http.StatusUnprocessableEntity, "validation_failed")
			if !slices.Contains(fieldErrors(p), field) {
				t.Errorf("errors name %v, want %s", fieldErrors(p), field)
			}
		})
	}

	u := e.do(http.MethodGet, pathf("/api/v1/connections/%s/crm-users/%s", conn, userJordan[:15]), nil).wantStatus(http.StatusOK).object()
	if u["id"] != userJordan || u["profile_name"] != "Sales Rep" || u["sales_user_id"] == "" {
		t.Errorf("CRM user by 15-character ID: %v", u)
	}
	p := e.do(http.MethodGet, pathf("/api/v1/connections/%s/crm-users/%s", conn, "005000000000000AAA"), nil).wantProblem(http.StatusNotFound, "not_found")
	if p["resource"] != "crm_user" {
		t.Errorf("resource %v, want crm_user", p["resource"])
	}
	e.do(http.MethodGet, pathf("/api/v1/connections/%s/crm-users", "conn_missing"), nil).wantProblem(http.StatusNotFound, "not_found")

	var profiles struct {
		Items []struct {
			ID        string `json:"id"`
			Name      string `json:"name"`
			UserCount int    `json:"user_count"`
		} `json:"items"`
	}
	e.do(http.MethodGet, pathf("/api/v1/connections/%s/crm-profiles", conn), nil).wantStatus(http.StatusOK).decode(&profiles)
	counts := map[string]int{}
	for _, pr := range profiles.Items {
		counts[pr.Name] = pr.UserCount
	}
	if len(counts) != 5 || counts["Sales Rep"] < 200 || counts["Integration User"] != 1 {
		t.Errorf("profiles %v", counts)
	}
	e.do(http.MethodGet, pathf("/api/v1/connections/%s/crm-profiles?limit=2", conn), nil).wantStatus(http.StatusOK).decode(&profiles)
	if len(profiles.Items) != 2 {
		t.Errorf("limit=2 gave %d profiles", len(profiles.Items))
	}
}

func TestRoleMappings(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	conn := e.createConnection()

	created := e.do(http.MethodPost, "/api/v1/role-mappings", map[string]any{"connection_id": conn, "crm_profile_name": "Sales Rep", "role": "sales"}).wantStatus(http.StatusCreated)
	m := created.object()
	id := stringField(t, m, "id")
	if m["crm_profile_id"] != profileRep || created.header.Get("Location") != "/api/v1/role-mappings/"+id {
		t.Errorf("mapping %v, Location %s", m, created.header.Get("Location"))
	}
	p := e.do(http.MethodPost, "/api/v1/role-mappings", map[string]any{"connection_id": conn, "crm_profile_id": profileRep[:15], "role": "sales_manager"}).
		wantProblem(http.StatusConflict, "role_mapping_exists")
	if p["conflicting_role_mapping_id"] != id || p["crm_profile_id"] != profileRep {
		t.Errorf("role_mapping_exists %v", p)
	}
	e.do(http.MethodPost, "/api/v1/role-mappings", map[string]any{"connection_id": conn, "crm_profile_id": profileMgr, "role": "sales_manager"}).wantStatus(http.StatusCreated)

	nf := e.do(http.MethodPost, "/api/v1/role-mappings", map[string]any{"connection_id": conn, "crm_profile_name": "Astronaut", "role": "sales"}).wantProblem(http.StatusNotFound, "not_found")
	if nf["resource"] != "crm_profile" {
		t.Errorf("resource %v, want crm_profile", nf["resource"])
	}
	e.do(http.MethodPost, "/api/v1/role-mappings", map[string]any{"connection_id": "conn_missing", "crm_profile_name": "Sales Rep", "role": "sales"}).wantProblem(http.StatusNotFound, "not_found")
	e.do(http.MethodPost, "/api/v1/role-mappings", map[string]any{"connection_id": conn, "crm_profile_name": "Sales Rep", "role": "janitor"}, violatesContract()).
		wantProblem(http.StatusUnprocessableEntity, "validation_failed")

	var list struct {
		Items []map[string]any `json:"items"`
	}
	e.do(http.MethodGet, "/api/v1/role-mappings?connection_id="+conn, nil).wantStatus(http.StatusOK).decode(&list)
	if len(list.Items) != 2 {
		t.Errorf("%d mappings, want 2", len(list.Items))
	}

	got := e.do(http.MethodGet, "/api/v1/role-mappings/"+id, nil).wantStatus(http.StatusOK)
	patched := e.do(http.MethodPatch, "/api/v1/role-mappings/"+id, map[string]any{"role": "marketing"}, header("If-Match", got.etagOf())).wantStatus(http.StatusOK)
	if patched.object()["role"] != "marketing" || patched.etagOf() != `"2"` {
		t.Errorf("patched %s", patched.body)
	}
	e.do(http.MethodPatch, "/api/v1/role-mappings/"+id, map[string]any{"role": "sales"}, header("If-Match", got.etagOf())).wantProblem(http.StatusPreconditionFailed, "precondition_failed")
	e.do(http.MethodPatch, "/api/v1/role-mappings/"+id, map[string]any{"role": "sales"}, header("If-Match", "version 2"), violatesContract()).
		wantProblem(http.StatusUnprocessableEntity, "validation_failed")
	e.do(http.MethodPatch, "/api/v1/role-mappings/"+id, map[string]any{}, violatesContract()).wantProblem(http.StatusUnprocessableEntity, "validation_failed")
	e.do(http.MethodPatch, "/api/v1/role-mappings/"+id, map[string]any{"role": "sales", "crm_profile_id": profileMgr}, violatesContract()).
		wantProblem(http.StatusUnprocessableEntity, "validation_failed")

	e.do(http.MethodDelete, "/api/v1/role-mappings/"+id, nil).wantStatus(http.StatusNoContent)
	e.do(http.MethodGet, "/api/v1/role-mappings/"+id, nil).wantProblem(http.StatusNotFound, "not_found")
	e.do(http.MethodDelete, "/api/v1/role-mappings/"+id, nil).wantProblem(http.StatusNotFound, "not_found")
	e.do(http.MethodPatch, "/api/v1/role-mappings/"+id, map[string]any{"role": "sales"}).wantProblem(http.StatusNotFound, "not_found")
}

func TestSalesUserImportRules(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	conn := e.createConnection()
	disconnected := e.createConnectionWith(map[string]any{"refresh_token": e.mintRefreshToken(e.creds.ServiceUsername)})
	e.do(http.MethodPost, pathf("/admin/v1/connections/%s/expire-refresh-token", disconnected), nil).wantStatus(http.StatusNoContent)

	create := func(e *env, body map[string]any) *response {
		return e.do(http.MethodPost, "/api/v1/sales-users", body)
	}
	cases := map[string]struct {
		body   map[string]any
		status int
		code   string
		ext    map[string]any
	}{
		"connection disconnected": {
			body:   map[string]any{"connection_id": disconnected, "crm_user_id": userJordan, "role": "sales"},
			status: 409, code: "connection_disconnected", ext: map[string]any{"connection_id": disconnected},
		},
		"unknown CRM user": {
			body:   map[string]any{"connection_id": conn, "crm_user_id": "005000000000000AAA", "role": "sales"},
			status: 404, code: "not_found", ext: map[string]any{"resource": "crm_user"},
		},
		"unknown connection": {
			body:   map[string]any{"connection_id": "conn_missing", "crm_user_id": userJordan},
			status: 404, code: "not_found", ext: map[string]any{"resource": "connection"},
		},
		"service account": {
			body:   map[string]any{"connection_id": conn, "crm_username": "integration@acme.example", "role": "administrator"},
			status: 422, code: "service_account_not_allowed", ext: map[string]any{"crm_user_id": userService},
		},
		"inactive": {
			body:   map[string]any{"connection_id": conn, "crm_user_id": userChris, "role": "sales"},
			status: 422, code: "crm_user_inactive", ext: map[string]any{"crm_username": "chris.walker@acme.example"},
		},
		"username held in the recycle bin": {
			body:   map[string]any{"connection_id": conn, "crm_user_id": userRiley, "role": "sales"},
			status: 409, code: "crm_username_mapped", ext: map[string]any{"in_recycle_bin": true, "conflicting_sales_user_id": recycledID},
		},
		"username reserved": {
			body:   map[string]any{"connection_id": conn, "crm_user_id": userSamantha, "role": "sales"},
			status: 409, code: "crm_username_reserved", ext: map[string]any{"platform_user_id": "pu_sandboxsamtaylor"},
		},
		"profile not mapped": {
			body:   map[string]any{"connection_id": conn, "crm_user_id": userPriya},
			status: 422, code: "profile_not_mapped", ext: map[string]any{"crm_profile_id": profileMgr, "connection_id": conn},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			e := e.sub(t)
			p := create(e.sub(t), tc.body).wantProblem(tc.status, tc.code)
			for k, v := range tc.ext {
				if p[k] != v {
					t.Errorf("%s = %v, want %v; problem %v", k, p[k], v, p)
				}
			}
		})
	}

	// Adoption of the platform user with the same email, then the username is mapped.
	adopted := create(e, map[string]any{"connection_id": conn, "crm_user_id": userStaylor, "role": "sales"}).wantStatus(http.StatusCreated).object()
	if adopted["adopted_existing_user"] != true || adopted["platform_user_id"] != "pu_sandboxsamtaylor" {
		t.Errorf("import of staylor: %v", adopted)
	}
	p := create(e, map[string]any{"connection_id": conn, "crm_username": "STAYLOR@acme.example", "role": "sales"}).wantProblem(http.StatusConflict, "crm_username_mapped")
	if p["in_recycle_bin"] != false || p["conflicting_sales_user_id"] != adopted["id"] {
		t.Errorf("crm_username_mapped %v", p)
	}

	// Seat limit: set it to the seats in use.
	e.do(http.MethodPut, "/admin/v1/account/seat-limit", map[string]any{"seat_limit": e.seatsUsed()}).wantStatus(http.StatusOK)
	seat := create(e, map[string]any{"connection_id": conn, "crm_user_id": userJordan, "role": "sales"}).wantProblem(http.StatusConflict, "seat_limit_reached")
	if seat["seats_used"] != 1.0 || seat["seat_limit"] != 1.0 || seat["seats_requested"] != 1.0 {
		t.Errorf("seat_limit_reached %v", seat)
	}
	if d := stringField(t, seat, "detail"); !strings.Contains(d, "vendor") {
		t.Errorf("the seat problem does not say the limit is raised through the vendor: %s", d)
	}

	// Bodies that do not fit the contract.
	bad := map[string]struct {
		body  any
		field string
	}{
		"both IDs":          {map[string]any{"connection_id": conn, "crm_user_id": userJordan, "crm_username": "jordan.lee@acme.example"}, ""},
		"unknown component": {map[string]any{"connection_id": conn, "crm_user_id": userJordan, "hidden_components": []string{"everything"}}, "hidden_components"},
		"malformed ID":      {map[string]any{"connection_id": conn, "crm_user_id": "005-nope"}, "crm_user_id"},
		"nested type":       {map[string]any{"connection_id": conn, "crm_user_id": userJordan, "hidden_components": "hot_prospects"}, "hidden_components"},
	}
	for name, tc := range bad {
		t.Run(name, func(t *testing.T) {
			e := e.sub(t)
			p := e.do(http.MethodPost, "/api/v1/sales-users", tc.body, violatesContract()).wantProblem(http.StatusUnprocessableEntity, "validation_failed")
			if tc.field != "" && !slices.Contains(fieldErrors(p), tc.field) {
				t.Errorf("errors name %v, want %s", fieldErrors(p), tc.field)
			}
		})
	}
}

func TestSalesUserLifecycle(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	conn := e.createConnection()
	e.do(http.MethodPost, "/api/v1/role-mappings", map[string]any{"connection_id": conn, "crm_profile_id": profileMgr, "role": "sales_manager"}).wantStatus(http.StatusCreated)

	created := e.do(http.MethodPost, "/api/v1/sales-users", map[string]any{
		"connection_id": conn, "crm_username": "priya.patel@acme.example", "team": "West",
		"hidden_components": []string{"website_visitors", "hot_prospects"},
	}).wantStatus(http.StatusCreated)
	su := created.object()
	id := stringField(t, su, "id")
	if su["role"] != "sales_manager" || su["role_source"] != "profile_mapping" || su["crm_user_id"] != userPriya ||
		fmt.Sprint(su["hidden_components"]) != "[hot_prospects website_visitors]" || su["created_by"] != "api" {
		t.Errorf("created %v", su)
	}
	if created.header.Get("Location") != "/api/v1/sales-users/"+id || created.etagOf() != `"1"` {
		t.Errorf("Location %q ETag %q", created.header.Get("Location"), created.etagOf())
	}
	if e.seatsUsed() != 1 {
		t.Errorf("seats used %d, want 1", e.seatsUsed())
	}

	byName := e.do(http.MethodGet, pathf("/api/v1/sales-users/by-crm-username/%s", "Priya.Patel@acme.example"), nil).wantStatus(http.StatusOK)
	if byName.object()["id"] != id {
		t.Errorf("by CRM username: %s", byName.body)
	}
	e.do(http.MethodGet, pathf("/api/v1/sales-users/by-crm-username/%s", "nobody@acme.example"), nil).wantProblem(http.StatusNotFound, "not_found")

	var list struct {
		Items []map[string]any `json:"items"`
	}
	e.do(http.MethodGet, "/api/v1/sales-users?connection_id="+conn+"&crm_username=priya.patel@acme.example", nil).wantStatus(http.StatusOK).decode(&list)
	if len(list.Items) != 1 || list.Items[0]["id"] != id {
		t.Errorf("list by username: %v", list.Items)
	}

	// PATCH: explicit role, then back to the mapping with null.
	got := e.do(http.MethodGet, "/api/v1/sales-users/"+id, nil).wantStatus(http.StatusOK)
	p1 := e.do(http.MethodPatch, "/api/v1/sales-users/"+id, map[string]any{"role": "administrator", "hidden_components": []string{}}, header("If-Match", got.etagOf())).wantStatus(http.StatusOK)
	if m := p1.object(); m["role"] != "administrator" || m["role_source"] != "explicit" || fmt.Sprint(m["hidden_components"]) != "[]" {
		t.Errorf("after explicit role: %v", m)
	}
	e.do(http.MethodPatch, "/api/v1/sales-users/"+id, map[string]any{"team": "East"}, header("If-Match", got.etagOf())).wantProblem(http.StatusPreconditionFailed, "precondition_failed")
	p2 := e.do(http.MethodPatch, "/api/v1/sales-users/"+id, rawBody(`{"role": null}`), header("If-Match", p1.etagOf())).wantStatus(http.StatusOK)
	if m := p2.object(); m["role"] != "sales_manager" || m["role_source"] != "profile_mapping" {
		t.Errorf("after role null: %v", m)
	}
	e.do(http.MethodPatch, "/api/v1/sales-users/"+id, map[string]any{"role": "pilot"}, violatesContract()).wantProblem(http.StatusUnprocessableEntity, "validation_failed")
	e.do(http.MethodPatch, "/api/v1/sales-users/su_missing", map[string]any{"team": "x"}).wantProblem(http.StatusNotFound, "not_found")

	// Update from CRM for one user.
	e.do(http.MethodPatch, pathf("/admin/v1/orgs/%s/users/%s", e.creds.OrganizationID, userPriya), map[string]any{"active": false}).wantStatus(http.StatusOK)
	fromCRM := e.do(http.MethodPost, pathf("/api/v1/sales-users/%s/update-from-crm", id), nil).wantStatus(http.StatusOK)
	if fromCRM.object()["crm_active"] != false {
		t.Errorf("crm_active after deactivation: %s", fromCRM.body)
	}
	e.do(http.MethodPost, "/api/v1/sales-users/su_missing/update-from-crm", nil).wantProblem(http.StatusNotFound, "not_found")

	// Delete: the seat is freed and the entry is in the recycle bin, holding the username.
	e.do(http.MethodDelete, "/api/v1/sales-users/"+id, nil).wantStatus(http.StatusNoContent)
	e.do(http.MethodDelete, "/api/v1/sales-users/"+id, nil).wantProblem(http.StatusNotFound, "not_found")
	if e.seatsUsed() != 0 {
		t.Errorf("seats used %d after delete, want 0", e.seatsUsed())
	}
	e.do(http.MethodGet, "/api/v1/recycle-bin", nil).wantStatus(http.StatusOK).decode(&list)
	var binIDs []string
	for _, it := range list.Items {
		binIDs = append(binIDs, stringField(t, it, "id"))
		if it["deleted_at"] == nil {
			t.Errorf("recycle bin entry without deleted_at: %v", it)
		}
	}
	if !slices.Contains(binIDs, id) || !slices.Contains(binIDs, recycledID) {
		t.Errorf("recycle bin %v, want %s and %s", binIDs, id, recycledID)
	}
	e.do(http.MethodGet, "/api/v1/recycle-bin?connection_id="+conn, nil).wantStatus(http.StatusOK).decode(&list)
	if len(list.Items) != 1 {
		t.Errorf("recycle bin of the connection: %d entries, want 1", len(list.Items))
	}

	// Restore re-checks the rules: Priya is inactive now.
	e.do(http.MethodPost, pathf("/api/v1/recycle-bin/%s/restore", id), nil).wantProblem(http.StatusUnprocessableEntity, "crm_user_inactive")
	e.do(http.MethodPatch, pathf("/admin/v1/orgs/%s/users/%s", e.creds.OrganizationID, userPriya), map[string]any{"active": true}).wantStatus(http.StatusOK)
	restored := e.do(http.MethodPost, pathf("/api/v1/recycle-bin/%s/restore", id), nil).wantStatus(http.StatusOK)
	if m := restored.object(); m["id"] != id || m["deleted_at"] != nil {
		t.Errorf("restored %v", m)
	}
	e.do(http.MethodPost, "/api/v1/recycle-bin/su_missing/restore", nil).wantProblem(http.StatusNotFound, "not_found")

	// Purge frees the username for good.
	e.do(http.MethodDelete, "/api/v1/recycle-bin/"+recycledID, nil).wantStatus(http.StatusNoContent)
	e.do(http.MethodDelete, "/api/v1/recycle-bin/"+recycledID, nil).wantProblem(http.StatusNotFound, "not_found")
	e.createSalesUser(conn, userRiley)
}

// TestRecycleBinRestoreConnection restores on a named connection: refused
// while the sales user's own connection exists, accepted once it is gone.
func TestRecycleBinRestoreConnection(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	own, a, b := e.createConnection(), e.createConnection(), e.createConnection()
	id := stringField(t, e.createSalesUser(own, userPriya), "id")
	e.do(http.MethodDelete, "/api/v1/sales-users/"+id, nil).wantStatus(http.StatusNoContent)
	restore := pathf("/api/v1/recycle-bin/%s/restore", id)

	e.do(http.MethodPost, restore, map[string]any{"connection": a}, violatesContract()).wantProblem(http.StatusUnprocessableEntity, "validation_failed")
	e.do(http.MethodPost, restore, rawBody(`{"connection_id":`), violatesContract()).wantProblem(http.StatusBadRequest, "validation_failed")
	refused := e.do(http.MethodPost, restore, map[string]any{"connection_id": a}).wantProblem(http.StatusUnprocessableEntity, "validation_failed")
	if d, _ := refused["detail"].(string); !strings.Contains(d, "connection_id") || !strings.Contains(d, "restored on its own connection") {
		t.Errorf("restore on another connection while its own exists: %s", d)
	}
	missing := e.do(http.MethodPost, restore, map[string]any{"connection_id": "conn_missing"}).wantProblem(http.StatusUnprocessableEntity, "validation_failed")
	if d, _ := missing["detail"].(string); !strings.Contains(d, "conn_missing") || !strings.Contains(d, "Salesforce org") {
		t.Errorf("restore on a connection that does not exist: %s", d)
	}

	// Once its connection is gone, the restore goes through the named one,
	// not the one the platform would pick.
	e.do(http.MethodDelete, "/api/v1/connections/"+own, nil).wantStatus(http.StatusNoContent)
	named := max(a, b)
	restored := e.do(http.MethodPost, restore, map[string]any{"connection_id": named}).wantStatus(http.StatusOK).object()
	if restored["id"] != id || restored["connection_id"] != named || restored["deleted_at"] != nil {
		t.Errorf("restored %v, want %s on %s", restored, id, named)
	}
}

func TestValidateSalesUsers(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	conn := e.createConnection()
	existing := e.createSalesUser(conn, userMarco)
	e.do(http.MethodPut, "/admin/v1/account/seat-limit", map[string]any{"seat_limit": 2}).wantStatus(http.StatusOK)

	var res struct {
		Valid bool `json:"valid"`
		Seats struct {
			SeatsUsed      int `json:"seats_used"`
			SeatsRequested int `json:"seats_requested"`
		} `json:"seats"`
		Items []struct {
			Index       int              `json:"index"`
			Valid       bool             `json:"valid"`
			CRMUserID   string           `json:"crm_user_id"`
			CRMUsername string           `json:"crm_username"`
			Problems    []map[string]any `json:"problems"`
		} `json:"items"`
	}
	e.do(http.MethodPost, "/api/v1/sales-users/validate", map[string]any{"items": []map[string]any{
		{"action": "create", "connection_id": conn, "crm_user_id": userJordan[:15], "role": "sales"},
		{"action": "create", "connection_id": conn, "crm_user_id": userChris, "role": "sales"},
		{"action": "create", "connection_id": conn, "crm_username": "priya.patel@acme.example", "role": "sales"},
		{"action": "update", "sales_user_id": existing["id"], "role": nil},
	}}).wantStatus(http.StatusOK).decode(&res)

	if res.Valid || res.Seats.SeatsUsed != 1 || res.Seats.SeatsRequested < 2 {
		t.Errorf("verdict %+v", res)
	}
	if len(res.Items) != 4 {
		t.Fatalf("%d items, want 4", len(res.Items))
	}
	codes := func(i int) []string {
		var out []string
		for _, p := range res.Items[i].Problems {
			out = append(out, fmt.Sprint(p["code"]))
		}
		return out
	}
	if !res.Items[0].Valid || res.Items[0].CRMUserID != userJordan || res.Items[0].CRMUsername != "jordan.lee@acme.example" {
		t.Errorf("item 0 %+v", res.Items[0])
	}
	if res.Items[1].Valid || !slices.Contains(codes(1), "crm_user_inactive") {
		t.Errorf("item 1 problems %v, want crm_user_inactive", codes(1))
	}
	if res.Items[2].Valid || !slices.Contains(codes(2), "seat_limit_reached") {
		t.Errorf("item 2 problems %v, want seat_limit_reached (seats counted over the batch)", codes(2))
	}
	if e.seatsUsed() != 1 {
		t.Errorf("validation changed the seats: %d used", e.seatsUsed())
	}

	p := e.do(http.MethodPost, "/api/v1/sales-users/validate", map[string]any{"items": []map[string]any{
		{"action": "create", "connection_id": conn, "crm_user_id": userJordan},
		{"action": "create", "connection_id": conn, "crm_user_id": userJordan, "favorite_color": "blue"},
	}}, violatesContract()).wantProblem(http.StatusUnprocessableEntity, "validation_failed")
	if !slices.Contains(fieldErrors(p), "items[1].favorite_color") {
		t.Errorf("errors name %v, want items[1].favorite_color", fieldErrors(p))
	}
	e.do(http.MethodPost, "/api/v1/sales-users/validate", map[string]any{}, violatesContract()).wantProblem(http.StatusUnprocessableEntity, "validation_failed")
}

func TestStrictDecoding(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	conn := e.createConnection()
	id := stringField(t, e.createSalesUser(conn, userJordan), "id")
	path := "/api/v1/sales-users/" + id
	cases := map[string]struct {
		body   rawBody
		status int
		field  string // named in errors
		detail string // substring of detail
		// contractBlind marks bodies the OpenAPI validator cannot see as invalid (it reads only
		// the first JSON value).
		contractBlind bool
	}{
		"unknown field":           {body: `{"team":"x","Team":"y"}`, status: 422, field: "Team"},
		"wrong type":              {body: `{"team": 7}`, status: 422, field: "team"},
		"wrong element type":      {body: `{"hidden_components": [1]}`, status: 422, field: "hidden_components"},
		"not an object":           {body: `["team"]`, status: 422, detail: "JSON object"},
		"syntax error":            {body: "{\n  \"team\": \"x\"\n  \"role\": \"sales\"\n}", status: 400, detail: "line 3, column 3"},
		"truncated":               {body: `{"team": "x"`, status: 400, detail: "ends unexpectedly"},
		"trailing data":           {body: `{"team": "x"} {}`, status: 400, detail: "more data after the JSON object", contractBlind: true},
		"empty":                   {body: ` `, status: 400, detail: "empty"},
		"unknown member of array": {body: `{"hidden_components": ["hot_prospects"], "x": {"y": 1}}`, status: 422, field: "x"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			e := e.sub(t)
			var opts []reqOption
			if !tc.contractBlind {
				opts = append(opts, violatesContract())
			}
			p := e.do(http.MethodPatch, path, tc.body, opts...).wantProblem(tc.status, "validation_failed")
			if tc.field != "" && !slices.Contains(fieldErrors(p), tc.field) {
				t.Errorf("errors name %v, want %s", fieldErrors(p), tc.field)
			}
			if d := stringField(t, p, "detail"); !strings.Contains(d, tc.detail) {
				t.Errorf("detail %q, want it to contain %q", d, tc.detail)
			}
		})
	}
}

func TestUnknownRoutes(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	p := e.do(http.MethodGet, "/api/v1/seats", nil, outsideContract()).wantProblem(http.StatusNotFound, "not_found")
	if p["resource"] != "route" {
		t.Errorf("resource %v, want route", p["resource"])
	}
	resp := e.do(http.MethodPut, "/api/v1/account", map[string]any{"seat_limit": 100}, outsideContract())
	resp.wantProblem(http.StatusMethodNotAllowed, "method_not_allowed")
	if allow := resp.header.Get("Allow"); !strings.Contains(allow, http.MethodGet) {
		t.Errorf("Allow %q, want GET", allow)
	}
	if acc := e.do(http.MethodGet, "/api/v1/account", nil).wantStatus(http.StatusOK).object(); acc["seat_limit"] != 25.0 {
		t.Errorf("the seat limit changed through the API: %v", acc)
	}
}

func TestBatchSalesUsers(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	conn := e.createConnection()
	marco := e.createSalesUser(conn, userMarco)
	e.do(http.MethodPut, "/admin/v1/account/seat-limit", map[string]any{"seat_limit": e.seatsUsed()}).wantStatus(http.StatusOK)
	used := e.seatsUsed()

	type result struct {
		Applied int `json:"applied"`
		Failed  int `json:"failed"`
		Seats   struct {
			SeatsUsedBefore int `json:"seats_used_before"`
			SeatsUsed       int `json:"seats_used"`
		} `json:"seats"`
		Items []struct {
			Index     int            `json:"index"`
			Action    string         `json:"action"`
			Applied   bool           `json:"applied"`
			CRMUserID string         `json:"crm_user_id"`
			SalesUser map[string]any `json:"sales_user"`
			Problem   map[string]any `json:"problem"`
		} `json:"items"`
	}
	body := map[string]any{"connection_id": conn, "items": []map[string]any{
		{"action": "create", "crm_user_id": userJordan[:15], "role": "sales"},
		{"action": "remove", "sales_user_id": marco["id"]},
		{"action": "create", "crm_user_id": userChris, "role": "sales"},
	}}
	key := header("Idempotency-Key", "batch-1")
	first := e.do(http.MethodPost, "/api/v1/sales-users/batch", body, key).wantStatus(http.StatusOK)
	var res result
	first.decode(&res)
	if res.Applied != 2 || res.Failed != 1 || res.Seats.SeatsUsedBefore != used || res.Seats.SeatsUsed != used {
		t.Errorf("result %+v", res)
	}
	if it := res.Items[0]; !it.Applied || it.CRMUserID != userJordan || it.SalesUser["crm_user_id"] != userJordan || it.Problem != nil {
		t.Errorf("create item %+v", it)
	}
	if it := res.Items[1]; !it.Applied || it.SalesUser["deleted_at"] == nil {
		t.Errorf("remove item %+v", it)
	}
	if p := res.Items[2].Problem; p["code"] != "crm_user_inactive" || p["status"] != float64(http.StatusUnprocessableEntity) || p["instance"] != "/api/v1/sales-users" {
		t.Errorf("failed item's problem %v", p)
	}
	if first.header.Get("Location") != "" || first.header.Get("ETag") != "" {
		t.Errorf("a batch answer has no Location or ETag: %v", first.header)
	}

	// A retry with the same key replays the answer and applies nothing twice.
	again := e.do(http.MethodPost, "/api/v1/sales-users/batch", body, key).wantStatus(http.StatusOK)
	if again.header.Get("Idempotent-Replayed") != "true" || string(again.body) != string(first.body) {
		t.Errorf("replay differs:\n%s\n%s", first.body, again.body)
	}
	if e.seatsUsed() != used {
		t.Errorf("seats used %d after the replay, want %d", e.seatsUsed(), used)
	}
	body["items"] = []map[string]any{{"action": "remove", "sales_user_id": res.Items[0].SalesUser["id"]}}
	e.do(http.MethodPost, "/api/v1/sales-users/batch", body, key).wantProblem(http.StatusUnprocessableEntity, "idempotency_key_reused")

	// A batch that is not one is refused as a whole.
	e.do(http.MethodPost, "/api/v1/sales-users/batch", map[string]any{"connection_id": "conn_nope", "items": []map[string]any{
		{"action": "remove", "sales_user_id": "su_x"}}}).wantProblem(http.StatusNotFound, "not_found")
	e.do(http.MethodPost, "/api/v1/sales-users/batch", map[string]any{"connection_id": conn, "items": []map[string]any{}}, violatesContract()).
		wantProblem(http.StatusUnprocessableEntity, "validation_failed")
}
