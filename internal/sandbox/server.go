package sandbox

import (
	"fmt"
	"maps"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/salesseat/terraform-provider-salesseat/internal/sandbox/platform"
)

// Patterns of the simulated org's routes.
const (
	orgPattern      = "/services/"
	identityPattern = "/id/"
)

// handler builds the sandbox's HTTP handler: request logging around the router, which serves the
// provisioning API, the admin API, the simulated org and the OpenAPI document.
func (s *Sandbox) handler() http.Handler {
	mux := http.NewServeMux()
	route := func(pattern string, h http.Handler) { mux.Handle(pattern, s.instrument(h)) }
	api := func(pattern string, h http.HandlerFunc) { route(pattern, s.requireToken(h)) }
	admin := func(pattern string, h http.HandlerFunc) { route(pattern, s.requireAdmin(h)) }

	route("POST /oauth/token", http.HandlerFunc(s.handleToken))
	route("GET /openapi.json", http.HandlerFunc(s.handleOpenAPI))
	route(orgPattern, s.org.Handler())
	route(identityPattern, s.org.Handler()) // the identity URL a Salesforce token response points to
	// The read-only console (console.go): not instrumented, so watching counts no request and
	// meets no fault rule.
	mux.HandleFunc("GET /{$}", s.handleConsole)
	mux.HandleFunc("GET /console/changes", s.handleConsoleChanges)

	api("GET /api/v1/account", s.getAccount)
	api("GET /api/v1/account/seat-report", s.getSeatReport)
	api("GET /api/v1/roles", s.listRoles)

	api("GET /api/v1/connections", s.listConnections)
	api("POST /api/v1/connections", s.createConnection)
	api("GET /api/v1/connections/{connection_id}", s.getConnection)
	api("PATCH /api/v1/connections/{connection_id}", s.updateConnection)
	api("DELETE /api/v1/connections/{connection_id}", s.deleteConnection)
	api("POST /api/v1/connections/{connection_id}/authorize", s.authorizeConnection)
	api("POST /api/v1/connections/{connection_id}/update-from-crm", s.updateConnectionFromCRM)
	api("GET /api/v1/connections/{connection_id}/crm-users", s.listCRMUsers)
	api("GET /api/v1/connections/{connection_id}/crm-users/{crm_user_id}", s.getCRMUser)
	api("GET /api/v1/connections/{connection_id}/crm-profiles", s.listCRMProfiles)
	api("GET /api/v1/connections/{connection_id}/crm-groups", s.listCRMGroups)

	api("GET /api/v1/role-mappings", s.listRoleMappings)
	api("POST /api/v1/role-mappings", s.createRoleMapping)
	api("GET /api/v1/role-mappings/{mapping_id}", s.getRoleMapping)
	api("PATCH /api/v1/role-mappings/{mapping_id}", s.updateRoleMapping)
	api("DELETE /api/v1/role-mappings/{mapping_id}", s.deleteRoleMapping)

	api("GET /api/v1/sales-users", s.listSalesUsers)
	api("POST /api/v1/sales-users", s.createSalesUser)
	api("POST /api/v1/sales-users/validate", s.validateSalesUsers)
	api("POST /api/v1/sales-users/batch", s.batchSalesUsers)
	api("GET /api/v1/sales-users/by-crm-username/{crm_username}", s.getSalesUserByCRMUsername)
	api("GET /api/v1/sales-users/{sales_user_id}", s.getSalesUser)
	api("PATCH /api/v1/sales-users/{sales_user_id}", s.updateSalesUser)
	api("DELETE /api/v1/sales-users/{sales_user_id}", s.deleteSalesUser)
	api("POST /api/v1/sales-users/{sales_user_id}/update-from-crm", s.updateSalesUserFromCRM)

	api("GET /api/v1/recycle-bin", s.listRecycleBin)
	api("POST /api/v1/recycle-bin/{sales_user_id}/restore", s.restoreSalesUser)
	api("DELETE /api/v1/recycle-bin/{sales_user_id}", s.purgeSalesUser)

	admin("GET /admin/v1/orgs", s.adminListOrgs)
	admin("PUT /admin/v1/account/seat-limit", s.adminSetSeatLimit)
	admin("POST /admin/v1/orgs/{org_id}/refresh-tokens", s.adminMintRefreshToken)
	admin("POST /admin/v1/connections/{connection_id}/expire-refresh-token", s.adminExpireRefreshToken)
	admin("POST /admin/v1/connections/{connection_id}/revoke-refresh-token", s.adminRevokeRefreshToken)
	admin("POST /admin/v1/orgs/{org_id}/users", s.adminAddCRMUser)
	admin("PATCH /admin/v1/orgs/{org_id}/users/{user_id}", s.adminUpdateCRMUser)
	admin("POST /admin/v1/orgs/{org_id}/profiles", s.adminAddCRMProfile)
	admin("PATCH /admin/v1/orgs/{org_id}/profiles/{profile_id}", s.adminRenameCRMProfile)
	admin("GET /admin/v1/orgs/{org_id}/groups", s.adminListCRMGroups)
	admin("POST /admin/v1/orgs/{org_id}/groups", s.adminAddCRMGroup)
	admin("PUT /admin/v1/orgs/{org_id}/groups/{group_id}/members/{user_id}", s.adminAddCRMGroupMember)
	admin("DELETE /admin/v1/orgs/{org_id}/groups/{group_id}/members/{user_id}", s.adminRemoveCRMGroupMember)
	admin("POST /admin/v1/platform-users", s.adminCreatePlatformUser)
	admin("POST /admin/v1/connections/{connection_id}/sync", s.adminRunAutomaticSync)
	admin("PUT /admin/v1/faults", s.adminSetFaults)
	admin("DELETE /admin/v1/faults", s.adminClearFaults)
	admin("GET /admin/v1/counters", s.adminGetCounters)
	admin("DELETE /admin/v1/counters", s.adminResetCounters)
	admin("POST /admin/v1/reset", s.adminReset)

	return s.logRequests(unmatchedAsProblems(mux))
}

// unmatchedAsProblems answers requests that match no route with problem+json (404 not_found or
// 405 method_not_allowed with Allow) instead of the mux's plain text; redirects to the canonical
// path pass through.
func unmatchedAsProblems(mux *http.ServeMux) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, pattern := mux.Handler(r); pattern != "" {
			mux.ServeHTTP(w, r)
			return
		}
		buf := newBufferedResponse()
		mux.ServeHTTP(buf, r)
		switch buf.statusCode() {
		case http.StatusNotFound:
			p := platform.NotFound("route", r.Method+" "+r.URL.Path)
			p.Detail = fmt.Sprintf("There is no route %s %s; see GET /openapi.json for the API.", r.Method, r.URL.Path)
			writeProblem(w, r, apiProblem(p))
		case http.StatusMethodNotAllowed:
			w.Header().Set("Allow", buf.header.Get("Allow"))
			writeProblem(w, r, apiProblem(&platform.Problem{
				Code: codeMethodNotAllowed, Title: "Method not allowed",
				Detail: fmt.Sprintf("%s is not allowed on %s; allowed: %s.", r.Method, r.URL.Path, buf.header.Get("Allow")),
			}))
		default:
			buf.copyTo(w)
		}
	})
}

// instrument wraps a route: outside /admin/v1 it counts the request and applies the fault rules;
// after a request that may have changed something it schedules a save of the state file.
func (s *Sandbox) instrument(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			defer s.changed()
		}
		if strings.HasPrefix(r.URL.Path, "/admin/") {
			next.ServeHTTP(w, r)
			return
		}
		s.counters.add(routeKey(r))
		s.consoleChanged()
		s.applyFaults(w, r, next)
	})
}

// routeKey is the counter key of a routed request: "METHOD pattern". Requests to the simulated
// org, which has a router of its own, are keyed by Salesforce's resource, e.g.
// "GET /services/data/{version}/query".
func routeKey(r *http.Request) string {
	if r.Pattern == orgPattern || r.Pattern == identityPattern {
		return r.Method + " " + orgRoute(r.URL.Path)
	}
	if method, _, ok := strings.Cut(r.Pattern, " "); ok && method != "" && !strings.HasPrefix(method, "/") {
		return r.Pattern
	}
	return r.Method + " " + r.Pattern
}

// orgRoute names the Salesforce resource of a path the simulated org serves, with its variable
// segments as {placeholders}; paths it does not know keep their first segment only.
func orgRoute(path string) string {
	segs := strings.Split(strings.Trim(path, "/"), "/")
	switch {
	case len(segs) == 3 && segs[0] == "id":
		return "/id/{org_id}/{user_id}"
	case len(segs) == 3 && segs[0] == "services" && segs[1] == "oauth2":
		return path
	case len(segs) >= 2 && segs[0] == "services" && segs[1] == "data":
		route := "/services/data"
		if len(segs) >= 3 {
			route += "/{version}"
		}
		if len(segs) >= 4 {
			route += "/" + segs[3]
		}
		if len(segs) >= 5 {
			route += "/{locator}"
		}
		return route
	}
	return "/" + segs[0] + "/"
}

// counters counts requests per route.
type counters struct {
	mu     sync.Mutex
	routes map[string]int
}

// add counts one request.
func (c *counters) add(key string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.routes == nil {
		c.routes = make(map[string]int)
	}
	c.routes[key]++
}

// snapshot copies the counts.
func (c *counters) snapshot() map[string]int {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := maps.Clone(c.routes)
	if out == nil {
		out = map[string]int{}
	}
	return out
}

// reset sets every count back to zero.
func (c *counters) reset() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.routes = nil
}

// logRequests logs every request's method, path, status and duration. Neither headers nor bodies
// are logged: they carry tokens and secrets.
func (s *Sandbox) logRequests(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec := &statusRecorder{ResponseWriter: w}
		next.ServeHTTP(rec, r)
		status := any(rec.status)
		switch {
		case rec.dropped:
			status = "dropped"
		case rec.status == 0:
			status = http.StatusOK
		}
		log := s.logger.Info
		if r.URL.Path == "/" || r.URL.Path == "/console/changes" {
			// An open console asks all the time (a long poll, a refresh at every change): its
			// requests would drown the API's.
			log = s.logger.Debug
		}
		log("request", "method", r.Method, "path", r.URL.Path, "status", status,
			"duration", time.Since(start).Round(time.Microsecond).String())
	})
}

// statusRecorder remembers the status of a response.
type statusRecorder struct {
	http.ResponseWriter
	status  int
	dropped bool
}

// WriteHeader implements http.ResponseWriter.
func (rec *statusRecorder) WriteHeader(status int) {
	if rec.status == 0 {
		rec.status = status
	}
	rec.ResponseWriter.WriteHeader(status)
}

// Write implements http.ResponseWriter.
func (rec *statusRecorder) Write(p []byte) (int, error) {
	if rec.status == 0 {
		rec.status = http.StatusOK
	}
	return rec.ResponseWriter.Write(p)
}

// Unwrap lets http.ResponseController reach the connection (hijacking, flushing).
func (rec *statusRecorder) Unwrap() http.ResponseWriter { return rec.ResponseWriter }

// markDropped records in the log that the response was dropped on purpose.
func markDropped(w http.ResponseWriter) {
	for {
		switch rw := w.(type) {
		case *statusRecorder:
			rw.dropped = true
			return
		case interface{ Unwrap() http.ResponseWriter }:
			w = rw.Unwrap()
		default:
			return
		}
	}
}

// handleOpenAPI serves the OpenAPI document as JSON.
func (s *Sandbox) handleOpenAPI(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(s.openAPI)
}
