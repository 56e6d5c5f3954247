package sandbox

import (
	"context"
	"encoding/base64"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/salesseat/terraform-provider-salesseat/internal/sandbox/fixture"
	"github.com/salesseat/terraform-provider-salesseat/internal/sandbox/platform"
	"github.com/salesseat/terraform-provider-salesseat/internal/sandbox/sforg"
)

// page is the console page as the tests read it.
type page struct {
	t    *testing.T
	html string
}

// console gets the console page with the query parameters.
func (e *env) console(query url.Values) page {
	e.t.Helper()
	path := "/"
	if len(query) > 0 {
		path += "?" + query.Encode()
	}
	resp := e.do(http.MethodGet, path, nil, outsideContract()).wantStatus(http.StatusOK)
	if ct := resp.header.Get("Content-Type"); ct != "text/html; charset=utf-8" {
		e.t.Fatalf("GET %s: Content-Type %q", path, ct)
	}
	csp := resp.header.Get("Content-Security-Policy")
	if !strings.Contains(csp, "default-src 'none'") || !strings.Contains(csp, "script-src 'nonce-") {
		e.t.Errorf("GET %s: Content-Security-Policy %q", path, csp)
	}
	return page{t: e.t, html: string(resp.body)}
}

// number is the data-value of the element with the id.
func (p page) number(id string) int {
	p.t.Helper()
	m := regexp.MustCompile(`id="` + regexp.QuoteMeta(id) + `" data-value="(\d+)"`).FindStringSubmatch(p.html)
	if m == nil {
		p.t.Fatalf("the page has no #%s with a data-value:\n%s", id, p.html)
	}
	n, _ := strconv.Atoi(m[1])
	return n
}

// attr returns the values of an attribute wherever it appears, in page order.
func (p page) attr(name string) []string {
	var out []string
	for _, m := range regexp.MustCompile(` `+regexp.QuoteMeta(name)+`="([^"]*)"`).FindAllStringSubmatch(p.html, -1) {
		out = append(out, m[1])
	}
	return out
}

// salesUserIDs are the IDs of the sales users the table lists.
func (p page) salesUserIDs() []string { return p.attr("data-sales-user-id") }

// wantContains fails unless the page contains every string.
func (p page) wantContains(wants ...string) {
	p.t.Helper()
	for _, w := range wants {
		if !strings.Contains(p.html, w) {
			p.t.Errorf("the page does not contain %q", w)
		}
	}
}

func TestConsoleShowsTheAccount(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	empty := e.console(nil)
	acc := e.sb.Platform().Account()
	if empty.number("seat-limit") != acc.SeatLimit || empty.number("seats-used") != 0 || empty.number("seats-available") != acc.SeatsAvailable {
		t.Errorf("seats shown %d/%d/%d, account %+v", empty.number("seat-limit"), empty.number("seats-used"), empty.number("seats-available"), acc)
	}
	empty.wantContains(`<html lang="en"`, "<h1>Sandbox console</h1>", "No connections yet.", "No sales users yet.",
		"No fault rules", "riley.brooks@acme.example", recycledID)
	if n := strings.Count(empty.html, "<h1"); n != 1 {
		t.Errorf("%d h1 elements, want 1", n)
	}

	conn := e.createConnection()
	jordan := e.createSalesUser(conn, userJordan)
	priya := e.createSalesUser(conn, userPriya)
	e.do(http.MethodPut, "/admin/v1/account/seat-limit", map[string]any{"seat_limit": 2}).wantStatus(http.StatusOK)

	p := e.console(nil)
	acc = e.sb.Platform().Account()
	if got := [3]int{p.number("seat-limit"), p.number("seats-used"), p.number("seats-available")}; got != [3]int{acc.SeatLimit, acc.SeatsUsed, acc.SeatsAvailable} || acc.SeatsUsed != 2 {
		t.Errorf("seats shown %v, account %+v", got, acc)
	}
	p.wantContains("Full: no seat is free.", "2 of 2 seats used", `data-connection-id="`+conn+`"`, "Acme sandbox", "✓ Connected",
		"jordan.lee@acme.example", "Jordan Lee", "priya.patel@acme.example",
		"<code>POST /api/v1/sales-users</code>", `<td class="num" id="requests-total">`)
	if got, want := p.salesUserIDs(), []string{stringField(t, jordan, "id"), stringField(t, priya, "id")}; !slices.Equal(got, want) {
		t.Errorf("sales users listed %v, want %v (by CRM username)", got, want)
	}
	if got := p.attr("data-recycle-bin-id"); !slices.Equal(got, []string{recycledID}) {
		t.Errorf("recycle bin lists %v, want %s", got, recycledID)
	}

	// A disconnected connection, and its suspended sales users, say so in words, with the reason.
	e.do(http.MethodPost, pathf("/admin/v1/connections/%s/expire-refresh-token", conn), nil).wantStatus(http.StatusNoContent)
	e.do(http.MethodGet, "/api/v1/connections/"+conn, nil).wantStatus(http.StatusOK)
	e.console(nil).wantContains("✗ Disconnected", "Reason: invalid_grant: expired access/refresh token", "✗ Suspended")

	// The page is no request of the API: it is neither counted nor subject to fault rules.
	e.sb.SetFaults([]FaultRule{{Status: http.StatusServiceUnavailable}})
	p = e.console(nil)
	p.wantContains("answers 503 Service Unavailable", "<code>any path</code>", "unlimited")
	e.sb.ClearFaults()
	if _, counted := e.sb.Counters()["GET /{$}"]; counted {
		t.Errorf("the console was counted: %v", e.sb.Counters())
	}
	for route := range e.sb.Counters() {
		if strings.Contains(route, "console") || route == "GET /" {
			t.Errorf("the console was counted as %q", route)
		}
	}
}

func TestConsoleFilters(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	conn := e.createConnection()
	other := e.createJWTConnection()
	jordan := stringField(t, e.createSalesUser(conn, userJordan), "id")
	priya := stringField(t, e.do(http.MethodPost, "/api/v1/sales-users", map[string]any{
		"connection_id": conn, "crm_user_id": userPriya, "role": "sales_manager",
	}).wantStatus(http.StatusCreated).object(), "id")
	marco := stringField(t, e.do(http.MethodPost, "/api/v1/sales-users", map[string]any{
		"connection_id": other, "crm_user_id": userMarco, "role": "marketing",
	}).wantStatus(http.StatusCreated).object(), "id")
	sam := stringField(t, e.createSalesUser(other, userStaylor), "id")
	// The first connection loses its refresh token: its sales users are suspended.
	e.do(http.MethodPost, pathf("/admin/v1/connections/%s/expire-refresh-token", conn), nil).wantStatus(http.StatusNoContent)
	e.do(http.MethodGet, "/api/v1/connections/"+conn, nil).wantStatus(http.StatusOK)

	cases := map[string]struct {
		query url.Values
		want  []string
	}{
		"none":               {url.Values{}, []string{jordan, marco, priya, sam}},
		"empty form":         {url.Values{"connection": {""}, "role": {""}, "status": {""}, "q": {" "}}, []string{jordan, marco, priya, sam}},
		"connection":         {url.Values{"connection": {other}}, []string{marco, sam}},
		"role":               {url.Values{"role": {"sales_manager"}}, []string{priya}},
		"active":             {url.Values{"status": {"active"}}, []string{marco, sam}},
		"suspended":          {url.Values{"status": {"suspended"}}, []string{jordan, priya}},
		"suspended managers": {url.Values{"status": {"suspended"}, "role": {"sales_manager"}}, []string{priya}},
		"username":           {url.Values{"q": {"PRIYA.patel"}}, []string{priya}},
		"name":               {url.Values{"q": {"marco ross"}}, []string{marco}},
		"email domain":       {url.Values{"q": {"@acme.example"}}, []string{jordan, marco, priya, sam}},
		"combined":           {url.Values{"connection": {conn}, "role": {"sales"}, "q": {"jordan"}}, []string{jordan}},
		"combined, no match": {url.Values{"connection": {other}, "q": {"jordan"}}, nil},
		"unknown role":       {url.Values{"role": {"pilot"}}, nil},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			p := e.sub(t).console(tc.query)
			if got := p.salesUserIDs(); !slices.Equal(got, tc.want) {
				t.Errorf("listed %v, want %v", got, tc.want)
			}
			if tc.want == nil {
				p.wantContains("No sales user matches the filter.")
			}
			// The form shows the filter it applied.
			if c := tc.query.Get("connection"); c != "" {
				p.wantContains(`<option value="` + c + `" selected>`)
			}
			if r := tc.query.Get("role"); r != "" {
				p.wantContains(`<option value="` + r + `" selected>`)
			}
			if q := strings.TrimSpace(tc.query.Get("q")); q != "" {
				p.wantContains(`value="` + q + `"`)
			}
			// The seat summary is the account's, whatever the filter.
			if p.number("seats-used") != 4 {
				t.Errorf("seats used %d, want 4", p.number("seats-used"))
			}
		})
	}
}

func TestConsoleEscapesWhatItShows(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	hostile := `<script>alert("x")</script>`
	u, err := e.sb.AddCRMUser(t.Context(), e.creds.OrganizationID, sforg.UserSeed{
		Username: "mallory@acme.example", Email: "mallory@acme.example", Active: true, ProfileID: profileRep,
		FirstName: hostile, LastName: `"><img src=x onerror=alert(1)>`,
	})
	if err != nil {
		t.Fatal(err)
	}
	conn := e.createConnectionWith(map[string]any{"name": `<b onmouseover="alert(2)">Acme</b>`})
	e.do(http.MethodPost, "/api/v1/sales-users", map[string]any{
		"connection_id": conn, "crm_user_id": u.ID, "role": "sales", "team": "</td></tr><script>alert(3)</script>",
	}).wantStatus(http.StatusCreated)

	p := e.console(url.Values{"q": {`"><script>alert(4)</script>`}, "connection": {`"><svg onload=alert(5)>`}})
	p = page{t: t, html: p.html + e.console(nil).html}
	for _, raw := range []string{"<script>alert", "<img", "<b ", "<svg", `onmouseover="`, "</td></tr><script>"} {
		if strings.Contains(p.html, raw) {
			t.Errorf("the page contains %q unescaped", raw)
		}
	}
	p.wantContains("&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;", "&lt;b onmouseover=&#34;alert(2)&#34;&gt;Acme&lt;/b&gt;",
		"&lt;/td&gt;&lt;/tr&gt;&lt;script&gt;alert(3)&lt;/script&gt;", `value="&#34;&gt;&lt;script&gt;alert(4)&lt;/script&gt;"`)
	if n := strings.Count(p.html, "<script"); n != 2 {
		t.Errorf("%d script elements in two pages, want 2 (the console's own)", n)
	}
}

func TestConsoleShowsNoSecret(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	conn := e.createConnection()
	jwt := e.createJWTConnection()
	e.createSalesUser(conn, userJordan)
	e.createSalesUser(jwt, userPriya)
	e.issueToken("") // a token request is counted; its credentials must not show
	e.sb.SetFaults([]FaultRule{
		{Method: http.MethodPost, PathPrefix: "/oauth/token", Status: http.StatusTooManyRequests, Count: 2},
		{PathPrefix: "/api/v1", LatencyMS: 1},
	})

	html := e.console(nil).html + e.console(url.Values{"connection": {conn}}).html + e.console(url.Values{"q": {"acme"}}).html
	secrets := publishedValues()
	c := e.sb.Credentials()
	secrets["Credentials().ClientSecret"] = c.ClientSecret
	secrets["Credentials().AdminToken"] = c.AdminToken
	secrets["Credentials().RefreshToken"] = c.RefreshToken
	secrets["Credentials().OAuthClientID (not shown either)"] = c.OAuthClientID
	secrets["Credentials().ClientID (not shown either)"] = c.ClientID
	for i, line := range strings.Split(strings.TrimSpace(c.JWTPrivateKeyPEM), "\n") {
		if !strings.HasPrefix(line, "-----") {
			secrets[fmt.Sprintf("line %d of Credentials().JWTPrivateKeyPEM", i+1)] = line
		}
	}
	for i, tok := range fixture.Default().Orgs[0].RefreshTokens {
		secrets[fmt.Sprintf("refresh token %d of the fixture (%s)", i+1, tok.Username)] = tok.Token
	}
	for what, v := range secrets {
		if v == "" {
			t.Errorf("%s is empty: the test checks nothing", what)
			continue
		}
		if strings.Contains(html, v) {
			t.Errorf("the console shows the %s", what)
		}
		if strings.Contains(html, base64.StdEncoding.EncodeToString([]byte(v))) {
			t.Errorf("the console shows the %s, base64-encoded", what)
		}
	}
}

func TestConsoleChangeToken(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	token := func(query string) string {
		t.Helper()
		resp := e.do(http.MethodGet, "/console/changes"+query, nil, outsideContract()).wantStatus(http.StatusOK)
		var body consoleChanges
		resp.decode(&body)
		if body.Token == "" || resp.header.Get("ETag") != strconv.Quote(body.Token) || resp.header.Get("Cache-Control") != "no-store" {
			t.Fatalf("GET /console/changes: token %q, ETag %q, Cache-Control %q", body.Token, resp.header.Get("ETag"), resp.header.Get("Cache-Control"))
		}
		return body.Token
	}

	first := token("")
	if again := token(""); again != first {
		t.Errorf("the token moved from %s to %s without a change", first, again)
	}
	e.console(nil)
	if again := token(""); again != first {
		t.Errorf("looking at the console moved the token from %s to %s", first, again)
	}
	if p := e.console(nil); !strings.Contains(p.html, `data-change-token="`+first+`"`) {
		t.Errorf("the page is not rendered with the token %s", first)
	}

	// A write moves it.
	conn := e.createConnection()
	afterWrite := token("")
	if afterWrite == first {
		t.Fatalf("the token stayed %s after a connection was created", first)
	}
	// A change made in Go, not over HTTP, too (a test's setup, a sync).
	if _, err := e.sb.Platform().SetSeatLimit(40); err != nil {
		t.Fatal(err)
	}
	afterGo := token("")
	if afterGo == afterWrite {
		t.Errorf("the token stayed %s after the seat limit changed", afterGo)
	}
	// So do the fault rules.
	e.sb.SetFaults([]FaultRule{{PathPrefix: "/api/v1/roles", LatencyMS: 1}})
	afterFaults := token("")
	if afterFaults == afterGo {
		t.Errorf("the token stayed %s after the fault rules changed", afterGo)
	}
	e.sb.ClearFaults()
	// It never comes back to an earlier value, even when the counters go back to theirs.
	seen := map[string]bool{first: true, afterWrite: true, afterGo: true, afterFaults: true}
	for name, reset := range map[string]func(){
		"ResetCounters":             e.sb.ResetCounters,
		"DELETE /admin/v1/counters": func() { e.do(http.MethodDelete, "/admin/v1/counters", nil).wantStatus(http.StatusNoContent) },
	} {
		// Reset, one request, reset: the counters are where they were, the token is not.
		for range 2 {
			reset()
			tok := token("")
			if seen[tok] {
				t.Errorf("after %s the token came back to %s", name, tok)
			}
			seen[tok] = true
			e.do(http.MethodGet, "/api/v1/roles", nil).wantStatus(http.StatusOK)
		}
	}
	current := token("")

	// since= an older token answers at once; since= the current one waits for the next change.
	start := time.Now()
	if got := token("?since=" + url.QueryEscape(first)); got != current {
		t.Errorf("since an old token: %s, want %s", got, current)
	}
	if time.Since(start) > 2*time.Second {
		t.Errorf("since an old token took %s", time.Since(start))
	}
	changed := make(chan string, 1)
	go func() {
		resp, err := e.send(http.MethodGet, "/console/changes?since="+url.QueryEscape(current), nil, outsideContract())
		if err != nil {
			changed <- "error: " + err.Error()
			return
		}
		changed <- string(resp.body)
	}()
	select {
	case body := <-changed:
		t.Fatalf("the long poll answered before any change: %s", body)
	case <-time.After(600 * time.Millisecond):
	}
	start = time.Now()
	e.createSalesUser(conn, userJordan)
	select {
	case body := <-changed:
		if strings.Contains(body, current) || !strings.Contains(body, `"token"`) {
			t.Errorf("the long poll answered %s after a sales user was created, want a token other than %s", body, current)
		}
		if d := time.Since(start); d > 3*time.Second {
			t.Errorf("the long poll took %s to see the change", d)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the long poll did not answer within 10s of a change")
	}
}

func TestConsoleWaitEndsWhenTheSandboxStops(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	current := e.sb.consoleToken()
	type answer struct {
		resp *response
		err  error
	}
	done := make(chan answer, 1)
	go func() {
		resp, err := e.send(http.MethodGet, "/console/changes?since="+url.QueryEscape(current), nil, outsideContract())
		done <- answer{resp, err}
	}()
	// Close once the request waits for a change.
	for deadline := time.Now().Add(10 * time.Second); e.sb.console.waiting.Load() == 0; time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the long poll was not waiting after 10s")
		}
	}
	start := time.Now()
	if err := e.sb.Close(t.Context()); err != nil {
		t.Fatalf("Close with a console waiting: %v", err)
	}
	if d := time.Since(start); d > 3*time.Second {
		t.Errorf("Close took %s with a console waiting", d)
	}
	select {
	case a := <-done:
		if a.err != nil {
			t.Fatalf("the waiting request failed: %v", a.err)
		}
		var body consoleChanges
		a.resp.wantStatus(http.StatusOK).decode(&body)
		if body.Token != current {
			t.Errorf("the waiting request answered the token %q, want the unchanged %q", body.Token, current)
		}
	case <-time.After(3 * time.Second):
		t.Fatal("the waiting request did not end within 3s of Close")
	}
}

func TestConsoleAccess(t *testing.T) {
	t.Parallel()
	t.Run("loopback: loopback host names only", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t)
		for _, host := range []string{"localhost", "LOCALHOST:1234", "127.0.0.1", "[::1]:8787"} {
			e.do(http.MethodGet, "/", nil, outsideContract(), func(r *http.Request) { r.Host = host }).wantStatus(http.StatusOK)
		}
		// A page of another site whose name resolves to 127.0.0.1 (DNS rebinding) reads nothing.
		for _, path := range []string{"/", "/console/changes"} {
			resp := e.do(http.MethodGet, path, nil, outsideContract(), func(r *http.Request) { r.Host = "attacker.example:8787" })
			resp.wantStatus(http.StatusMisdirectedRequest)
			if strings.Contains(string(resp.body), "seat") {
				t.Errorf("%s answered a foreign host with %s", path, resp.body)
			}
		}
	})
	t.Run("remote: the admin token", func(t *testing.T) {
		t.Parallel()
		fix := privateFixture(t)
		sb, err := Start(t.Context(), Options{Listen: "0.0.0.0:0", AllowRemote: true, Fixture: fix})
		if err != nil {
			t.Fatalf("Start: %v", err)
		}
		t.Cleanup(func() { _ = sb.Close(context.Background()) })
		// The login URL is loopback: reachable from the test whatever the host name resolves to.
		e := &env{t: t, sb: sb, url: sb.Credentials().LoginURL, creds: sb.Credentials(), client: contractClient(t)}
		for _, path := range []string{"/", "/console/changes"} {
			resp := e.do(http.MethodGet, path, nil, outsideContract())
			resp.wantStatus(http.StatusUnauthorized)
			if !strings.HasPrefix(resp.header.Get("WWW-Authenticate"), "Basic ") {
				t.Errorf("%s: WWW-Authenticate %q", path, resp.header.Get("WWW-Authenticate"))
			}
			e.do(http.MethodGet, path, nil, outsideContract(), func(r *http.Request) { r.SetBasicAuth("me", "wrong") }).wantStatus(http.StatusUnauthorized)
			e.do(http.MethodGet, path, nil, outsideContract(), func(r *http.Request) { r.SetBasicAuth("me", fix.AdminToken()) }).wantStatus(http.StatusOK)
		}
	})
}

// TestBuildConsoleViewCapsTheTable: a large account lists consoleRowCap sales users and counts
// the rest; the filter runs over all of them.
func TestBuildConsoleViewCapsTheTable(t *testing.T) {
	t.Parallel()
	const n = 10000
	d := consoleData{
		Account:     platform.Account{ID: "acc_1", Name: "Big", SeatLimit: n, SeatsUsed: n},
		Roles:       []platform.Role{{Name: "sales"}, {Name: "marketing"}},
		Connections: []platform.Connection{{ID: "conn_a", Name: "A", Status: platform.StatusConnected}},
	}
	for i := range n {
		role := "sales"
		if i%10 == 0 {
			role = "marketing"
		}
		d.SalesUsers = append(d.SalesUsers, platform.SalesUser{
			ID: fmt.Sprintf("su_%05d", i), ConnectionID: "conn_a", CRMUsername: fmt.Sprintf("user%05d@big.example", n-1-i),
			Role: role, Status: platform.SalesUserActive, CRMActive: true,
		})
	}
	start := time.Now()
	v := buildConsoleView(d, consoleFilter{}, time.Now())
	if took := time.Since(start); took > time.Second {
		t.Errorf("building the view of %d sales users took %s", n, took)
	}
	if len(v.SalesUsers.Rows) != consoleRowCap || v.SalesUsers.More != n-consoleRowCap || v.SalesUsers.Matching != n || v.SalesUsers.Total != n {
		t.Errorf("rows %d, more %d, matching %d, total %d", len(v.SalesUsers.Rows), v.SalesUsers.More, v.SalesUsers.Matching, v.SalesUsers.Total)
	}
	if first := v.SalesUsers.Rows[0].Username; first != "user00000@big.example" {
		t.Errorf("first row %s, want the first CRM username", first)
	}
	if !v.Account.Full || v.Account.PercentUsed != 100 || v.Connections[0].SalesUsers != n {
		t.Errorf("account %+v, connection %+v", v.Account, v.Connections[0])
	}

	v = buildConsoleView(d, consoleFilter{Role: "marketing", Query: "user0"}, time.Now())
	if v.SalesUsers.Matching != 1000 || len(v.SalesUsers.Rows) != consoleRowCap || !v.SalesUsers.Filtered {
		t.Errorf("filtered: matching %d, rows %d", v.SalesUsers.Matching, len(v.SalesUsers.Rows))
	}
	v = buildConsoleView(d, consoleFilter{Query: "USER09999@"}, time.Now())
	if v.SalesUsers.Matching != 1 || v.SalesUsers.More != 0 || v.SalesUsers.Rows[0].ID != "su_00000" {
		t.Errorf("one match: %+v", v.SalesUsers)
	}

	var buf strings.Builder
	v = buildConsoleView(d, consoleFilter{}, time.Now())
	if err := consoleTemplate.Execute(&buf, v); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(buf.String(), fmt.Sprintf("%d more not listed: narrow the filter.", n-consoleRowCap)) {
		t.Error("the page does not say how many more there are")
	}
	if got := strings.Count(buf.String(), "data-sales-user-id="); got != consoleRowCap {
		t.Errorf("%d rows rendered, want %d", got, consoleRowCap)
	}
}

func TestBuildConsoleViewFaults(t *testing.T) {
	t.Parallel()
	half := 0.5
	v := buildConsoleView(consoleData{Faults: []consoleFaultState{
		{Rule: FaultRule{Method: "POST", PathPrefix: "/api/v1/sales-users", Status: 503, RetryAfterSeconds: 2, Count: 3}, Remaining: 1},
		{Rule: FaultRule{LatencyMS: 250, ErrorRate: &half}, Remaining: -1},
		{Rule: FaultRule{DropResponseAfterCommit: true, Count: 1}, Remaining: 0},
	}}, consoleFilter{}, time.Now())
	want := []consoleFault{
		{Method: "POST", PathPrefix: "/api/v1/sales-users", Effect: "answers 503 Service Unavailable (Retry-After: 2)", ErrorRate: "every matching request", Remaining: "1 of 3"},
		{Method: "any", PathPrefix: "any path", Effect: "250 ms latency", ErrorRate: "50% of matching requests", Remaining: "unlimited"},
		{Method: "any", PathPrefix: "any path", Effect: "handles the request, then drops the response", ErrorRate: "every matching request", Remaining: "spent (all 1 used)", Spent: true},
	}
	if !slices.Equal(v.Faults, want) {
		t.Errorf("faults\n%+v\nwant\n%+v", v.Faults, want)
	}
}
