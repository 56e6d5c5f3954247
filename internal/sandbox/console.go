package sandbox

import (
	"bytes"
	"cmp"
	"crypto/rand"
	"crypto/subtle"
	_ "embed"
	"encoding/base64"
	"fmt"
	"html/template"
	"net"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/salesseat/terraform-provider-salesseat/internal/loopback"
	"github.com/salesseat/terraform-provider-salesseat/internal/sandbox/platform"
)

// The console is a read-only web page at the sandbox's base URL (GET /) that shows what the
// account holds: seats, connections, sales users (filterable), the recycle bin, the active fault
// rules and the request counters. It changes nothing and is left out of the counters and the
// fault rules, so watching a test never changes what the test sees. A small inline script keeps
// it current: it long-polls GET /console/changes with the change token the page was rendered at,
// and re-renders the page's regions in place when the token moves. Without JavaScript the page
// works the same, reloaded by hand.

// Limits of the console.
const (
	// consoleRowCap is how many sales users (and recycle bin entries) the page lists; the rest
	// are counted, and the filter narrows them down.
	consoleRowCap = 200
	// consoleQueryMax bounds the length of the text search.
	consoleQueryMax = 200
	// consoleWaitMax is how long GET /console/changes?since= waits for a change before it
	// answers with the unchanged token.
	consoleWaitMax = 25 * time.Second
	// consoleWaitTick is how often a waiting request looks at the change token on its own, in
	// case a wake-up was missed; changes wake it at once (consoleFeed).
	consoleWaitTick = 5 * time.Second
)

//go:embed console.html
var consoleHTML string

// consoleTemplate renders a consoleView.
var consoleTemplate = template.Must(template.New("console").Funcs(template.FuncMap{"plural": plural}).Parse(consoleHTML))

// plural is "1 one" or "n many".
func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return strconv.Itoa(n) + " " + many
}

// consoleFilter is the sales user filter of the page's form (query parameters connection, role,
// status and q); empty fields do not filter.
type consoleFilter struct {
	Connection string
	Role       string
	Status     string
	Query      string
}

// parseConsoleFilter reads the filter from the query parameters.
func parseConsoleFilter(q map[string][]string) consoleFilter {
	get := func(name string) string {
		if v := q[name]; len(v) > 0 {
			return strings.TrimSpace(v[0])
		}
		return ""
	}
	query := get("q")
	if r := []rune(query); len(r) > consoleQueryMax {
		query = string(r[:consoleQueryMax])
	}
	return consoleFilter{Connection: get("connection"), Role: get("role"), Status: get("status"), Query: query}
}

// active reports whether the filter filters anything.
func (f consoleFilter) active() bool { return f != consoleFilter{} }

// matches reports whether a sales user passes the filter. The text search matches the CRM
// username, the name and the email, case-insensitively.
func (f consoleFilter) matches(u platform.SalesUser) bool {
	if (f.Connection != "" && u.ConnectionID != f.Connection) || (f.Role != "" && u.Role != f.Role) ||
		(f.Status != "" && u.Status != f.Status) {
		return false
	}
	if f.Query == "" {
		return true
	}
	q := strings.ToLower(f.Query)
	for _, s := range []string{u.CRMUsername, u.Email, u.FirstName + " " + u.LastName} {
		if strings.Contains(strings.ToLower(s), q) {
			return true
		}
	}
	return false
}

// consoleData is what the console shows, as the sandbox holds it. It carries no credential: the
// platform's Connection leaves them out, and the fault rules and counters hold none.
type consoleData struct {
	Endpoint    string
	Account     platform.Account
	Roles       []platform.Role
	Connections []platform.Connection
	SalesUsers  []platform.SalesUser // not in the recycle bin
	RecycleBin  []platform.SalesUser
	Faults      []consoleFaultState
	Counters    map[string]int
}

// consoleFaultState is a fault rule and how many more requests it affects (-1: unlimited).
type consoleFaultState struct {
	Rule      FaultRule
	Remaining int
}

// gatherConsoleData reads what the console shows through the platform's list methods and the
// sandbox's fault rules and counters.
func (s *Sandbox) gatherConsoleData() (consoleData, error) {
	d := consoleData{
		Endpoint: s.endpoint,
		Account:  s.plat.Account(),
		Roles:    s.plat.Roles(),
		Faults:   s.faults.states(),
		Counters: s.Counters(),
	}
	var err error
	if d.Connections, err = listAll(s.plat.ListConnections); err != nil {
		return consoleData{}, fmt.Errorf("listing connections: %w", err)
	}
	if d.SalesUsers, err = listAll(func(pr platform.PageRequest) (platform.Page[platform.SalesUser], error) {
		return s.plat.ListSalesUsers(platform.SalesUserFilter{}, pr)
	}); err != nil {
		return consoleData{}, fmt.Errorf("listing sales users: %w", err)
	}
	if d.RecycleBin, err = listAll(func(pr platform.PageRequest) (platform.Page[platform.SalesUser], error) {
		return s.plat.ListRecycleBin("", pr)
	}); err != nil {
		return consoleData{}, fmt.Errorf("listing the recycle bin: %w", err)
	}
	return d, nil
}

// listAll collects every page of a platform list.
func listAll[T any](list func(platform.PageRequest) (platform.Page[T], error)) ([]T, error) {
	var out []T
	pr := platform.PageRequest{Limit: platform.MaxPageLimit}
	for {
		page, err := list(pr)
		if err != nil {
			return nil, err
		}
		out = append(out, page.Items...)
		if page.NextCursor == "" {
			return out, nil
		}
		pr.Cursor = page.NextCursor
	}
}

// states copies the rules and how many requests each may still affect.
func (f *faultSet) states() []consoleFaultState {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := make([]consoleFaultState, len(f.rules))
	for i, r := range f.rules {
		out[i] = consoleFaultState{Rule: r, Remaining: f.remaining[i]}
	}
	return out
}

// consoleFeed is the console's change token and the wake-up of the requests waiting for it to
// move. The token is the sandbox's start (epoch) and a sequence number that every change moves
// forward and nothing resets, so a token never comes back.
type consoleFeed struct {
	epoch   string
	seq     atomic.Uint64
	waiting atomic.Int32 // requests waiting in GET /console/changes?since= (tests wait for them)

	mu   sync.Mutex
	wake chan struct{} // closed at the next change; nil while nobody waits
}

// newConsoleFeed is the feed of a sandbox starting now.
func newConsoleFeed() *consoleFeed {
	return &consoleFeed{epoch: strconv.FormatInt(time.Now().UnixNano(), 36)}
}

// changed moves the token and wakes the waiting requests.
func (f *consoleFeed) changed() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.seq.Add(1)
	if f.wake != nil {
		close(f.wake)
		f.wake = nil
	}
}

// token is the current change token.
func (f *consoleFeed) token() string { return f.epoch + "-" + strconv.FormatUint(f.seq.Load(), 10) }

// next is closed at the next change. Take it before reading the token, so a change between the
// two is not missed.
func (f *consoleFeed) next() <-chan struct{} {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.wake == nil {
		f.wake = make(chan struct{})
	}
	return f.wake
}

// consoleToken is the change token of what the console shows: it moves with every change of the
// platform, every mutating request (admin calls included), every counted request, every reset of
// the counters and every change of the fault rules (set, or one more request affected). It is
// cheap: an atomic load.
func (s *Sandbox) consoleToken() string { return s.console.token() }

// consoleChanged records a change for the console's change token.
func (s *Sandbox) consoleChanged() { s.console.changed() }

// consoleView is the page's view model: everything preformatted for the template.
type consoleView struct {
	Nonce       string
	Token       string
	Title       string
	Endpoint    string
	RenderedAt  string
	RenderedISO string

	Account     consoleAccount
	Connections []consoleConnection
	Filter      consoleFilter
	Options     consoleOptions
	SalesUsers  consoleUserTable
	RecycleBin  consoleUserTable
	Faults      []consoleFault
	Counters    []consoleCounter
	Requests    int
}

// consoleAccount is the seat summary.
type consoleAccount struct {
	Name, ID                   string
	Limit, Used, Available     int
	PercentUsed                int
	Full, OverLimit            bool
	MeterMax, MeterHigh        int
	SeatsUsedText, OverMessage string
}

// consoleConnection is a row of the connections table.
type consoleConnection struct {
	ID, Name, Environment, AuthMethod string
	Connected                         bool
	StatusText, StatusReason          string
	UserManagementGroup               string
	LastSync                          string
	SalesUsers                        int
}

// consoleOption is an option of a filter's select.
type consoleOption struct {
	Value, Label string
	Selected     bool
}

// consoleOptions are the filter form's choices.
type consoleOptions struct {
	Connections, Roles, Statuses []consoleOption
}

// consoleUserTable is the sales users (or recycle bin) table: the first rows that match, and
// how many there are.
type consoleUserTable struct {
	Rows     []consoleUser
	Total    int // in the account (or the recycle bin)
	Matching int // passing the filter
	More     int // matching but not listed
	Filtered bool
}

// consoleUser is a row of the sales users or recycle bin table.
type consoleUser struct {
	ID, Name, Username, Email string
	Role, RoleSource, Team    string
	Status, StatusText        string
	Active, CRMActive         bool
	Connection                string
	Profile                   string
	DeletedAt, DeletedAtISO   string
	BySync                    bool
}

// consoleFault is a row of the fault rules table.
type consoleFault struct {
	Method, PathPrefix, Effect, ErrorRate, Remaining string
	Spent                                            bool
}

// consoleCounter is a row of the request counters table.
type consoleCounter struct {
	Route string
	Count int
}

// buildConsoleView turns the data into the page's view model under the filter.
func buildConsoleView(d consoleData, f consoleFilter, now time.Time) consoleView {
	v := consoleView{
		Endpoint:    d.Endpoint,
		RenderedAt:  now.UTC().Format("15:04:05 UTC"),
		RenderedISO: now.UTC().Format(time.RFC3339),
		Account:     buildConsoleAccount(d.Account),
		Filter:      f,
	}
	v.Title = fmt.Sprintf("Sandbox console: %s — %s", v.Account.SeatsUsedText, cmp.Or(d.Account.Name, "salesseat sandbox"))

	connNames := make(map[string]string, len(d.Connections))
	perConn := map[string]int{}
	for _, u := range d.SalesUsers {
		perConn[u.ConnectionID]++
	}
	v.Options.Connections = []consoleOption{{Value: "", Label: "All connections", Selected: f.Connection == ""}}
	for _, c := range d.Connections {
		connNames[c.ID] = c.Name
		v.Connections = append(v.Connections, buildConsoleConnection(c, perConn[c.ID]))
		v.Options.Connections = append(v.Options.Connections, consoleOption{Value: c.ID, Label: c.Name + " (" + c.ID + ")", Selected: f.Connection == c.ID})
	}
	if f.Connection != "" && connNames[f.Connection] == "" {
		// A connection that is gone keeps its option, so the form shows what filters.
		v.Options.Connections = append(v.Options.Connections, consoleOption{Value: f.Connection, Label: f.Connection + " (unknown)", Selected: true})
	}
	v.Options.Roles = []consoleOption{{Value: "", Label: "Any role", Selected: f.Role == ""}}
	known := false
	for _, r := range d.Roles {
		v.Options.Roles = append(v.Options.Roles, consoleOption{Value: r.Name, Label: r.Name, Selected: f.Role == r.Name})
		known = known || f.Role == r.Name
	}
	if f.Role != "" && !known {
		v.Options.Roles = append(v.Options.Roles, consoleOption{Value: f.Role, Label: f.Role + " (unknown)", Selected: true})
	}
	v.Options.Statuses = []consoleOption{
		{Value: "", Label: "Any status", Selected: f.Status == ""},
		{Value: platform.SalesUserActive, Label: "Active", Selected: f.Status == platform.SalesUserActive},
		{Value: platform.SalesUserSuspended, Label: "Suspended", Selected: f.Status == platform.SalesUserSuspended},
	}
	if f.Status != "" && f.Status != platform.SalesUserActive && f.Status != platform.SalesUserSuspended {
		v.Options.Statuses = append(v.Options.Statuses, consoleOption{Value: f.Status, Label: f.Status + " (unknown)", Selected: true})
	}

	var matching []platform.SalesUser
	for _, u := range d.SalesUsers {
		if f.matches(u) {
			matching = append(matching, u)
		}
	}
	v.SalesUsers = buildConsoleUserTable(matching, len(d.SalesUsers), connNames)
	v.SalesUsers.Filtered = f.active()
	v.RecycleBin = buildConsoleUserTable(d.RecycleBin, len(d.RecycleBin), connNames)

	for _, fs := range d.Faults {
		v.Faults = append(v.Faults, buildConsoleFault(fs))
	}
	for route, n := range d.Counters {
		v.Counters = append(v.Counters, consoleCounter{Route: route, Count: n})
		v.Requests += n
	}
	slices.SortFunc(v.Counters, func(a, b consoleCounter) int { return strings.Compare(a.Route, b.Route) })
	return v
}

// buildConsoleAccount is the seat summary of an account.
func buildConsoleAccount(a platform.Account) consoleAccount {
	ca := consoleAccount{
		Name: a.Name, ID: a.ID, Limit: a.SeatLimit, Used: a.SeatsUsed, Available: a.SeatsAvailable,
		Full: a.SeatsAvailable == 0, OverLimit: a.SeatsUsed > a.SeatLimit,
		MeterMax: max(a.SeatLimit, a.SeatsUsed, 1),
	}
	ca.MeterHigh = max(ca.MeterMax*9/10, 1)
	if a.SeatLimit > 0 {
		ca.PercentUsed = a.SeatsUsed * 100 / a.SeatLimit
	}
	ca.SeatsUsedText = fmt.Sprintf("%d of %d seats used", a.SeatsUsed, a.SeatLimit)
	switch {
	case ca.OverLimit:
		ca.OverMessage = fmt.Sprintf("Over the limit by %d: the seat limit was lowered below the seats in use; no seat is free.", a.SeatsUsed-a.SeatLimit)
	case ca.Full:
		ca.OverMessage = "Full: no seat is free."
	}
	return ca
}

// buildConsoleConnection is a row of the connections table.
func buildConsoleConnection(c platform.Connection, salesUsers int) consoleConnection {
	row := consoleConnection{
		ID: c.ID, Name: c.Name, Environment: c.Environment, AuthMethod: c.AuthMethod,
		Connected: c.Status == platform.StatusConnected, StatusReason: c.StatusReason,
		UserManagementGroup: c.UserManagementGroup, SalesUsers: salesUsers,
	}
	switch c.AuthMethod {
	case platform.AuthMethodJWTBearer:
		row.AuthMethod = "JWT bearer"
	case platform.AuthMethodRefreshToken:
		row.AuthMethod = "Refresh token"
	}
	row.StatusText = "Disconnected"
	if row.Connected {
		row.StatusText = "Connected"
	} else if c.Status != platform.StatusDisconnected {
		row.StatusText = c.Status
	}
	if c.UserManagementGroup != "" && c.UserManagementGroupID != "" {
		row.UserManagementGroup = c.UserManagementGroup + " (" + c.UserManagementGroupID + ")"
	}
	if s := c.LastSync; s != nil {
		row.LastSync = fmt.Sprintf("%s: %d imported, %d removed, %d could not be seated",
			s.SyncedAt.UTC().Format("2006-01-02 15:04:05 UTC"), s.Created, s.Removed, len(s.Problems))
	}
	return row
}

// buildConsoleUserTable lists the first consoleRowCap users, sorted by CRM username.
func buildConsoleUserTable(users []platform.SalesUser, total int, connNames map[string]string) consoleUserTable {
	type keyed struct {
		key string
		u   *platform.SalesUser
	}
	sorted := make([]keyed, len(users))
	for i := range users {
		sorted[i] = keyed{strings.ToLower(users[i].CRMUsername), &users[i]}
	}
	slices.SortFunc(sorted, func(a, b keyed) int {
		return cmp.Or(strings.Compare(a.key, b.key), strings.Compare(a.u.ID, b.u.ID))
	})
	t := consoleUserTable{Total: total, Matching: len(users)}
	if len(sorted) > consoleRowCap {
		t.More = len(sorted) - consoleRowCap
		sorted = sorted[:consoleRowCap]
	}
	t.Rows = make([]consoleUser, 0, len(sorted))
	for _, k := range sorted {
		u := k.u
		row := consoleUser{
			ID: u.ID, Name: strings.TrimSpace(u.FirstName + " " + u.LastName), Username: u.CRMUsername, Email: u.Email,
			Role: u.Role, Team: u.Team, Status: u.Status, Active: u.Status == platform.SalesUserActive, CRMActive: u.CRMActive,
			Connection: cmp.Or(connNames[u.ConnectionID], u.ConnectionID),
			Profile:    u.CRMProfileName, BySync: u.CreatedBy == platform.CreatedByAutomaticSync,
		}
		switch u.Status {
		case platform.SalesUserActive:
			row.StatusText = "Active"
		case platform.SalesUserSuspended:
			row.StatusText = "Suspended"
		default:
			row.StatusText = u.Status
		}
		if u.RoleSource == platform.RoleSourceProfileMapping {
			row.RoleSource = "from profile mapping"
		}
		if u.DeletedAt != nil {
			row.DeletedAt = u.DeletedAt.UTC().Format("2006-01-02 15:04 UTC")
			row.DeletedAtISO = u.DeletedAt.UTC().Format(time.RFC3339)
		}
		t.Rows = append(t.Rows, row)
	}
	return t
}

// buildConsoleFault is a row of the fault rules table.
func buildConsoleFault(fs consoleFaultState) consoleFault {
	r := fs.Rule
	row := consoleFault{Method: cmp.Or(r.Method, "any"), PathPrefix: cmp.Or(r.PathPrefix, "any path")}
	var effects []string
	if r.LatencyMS > 0 {
		effects = append(effects, fmt.Sprintf("%d ms latency", r.LatencyMS))
	}
	if r.Status != 0 {
		e := fmt.Sprintf("answers %d %s", r.Status, http.StatusText(r.Status))
		if r.RetryAfterSeconds > 0 {
			e += fmt.Sprintf(" (Retry-After: %d)", r.RetryAfterSeconds)
		}
		effects = append(effects, e)
	}
	if r.DropResponseAfterCommit {
		effects = append(effects, "handles the request, then drops the response")
	}
	row.Effect = strings.Join(effects, "; ")
	row.ErrorRate = "every matching request"
	if r.ErrorRate != nil && *r.ErrorRate < 1 {
		row.ErrorRate = strconv.FormatFloat(*r.ErrorRate*100, 'g', 4, 64) + "% of matching requests"
	}
	switch {
	case fs.Remaining < 0:
		row.Remaining = "unlimited"
	case fs.Remaining == 0:
		row.Remaining = fmt.Sprintf("spent (all %d used)", r.Count)
		row.Spent = true
	default:
		row.Remaining = fmt.Sprintf("%d of %d", fs.Remaining, r.Count)
	}
	return row
}

// handleConsole serves the console page (GET /).
func (s *Sandbox) handleConsole(w http.ResponseWriter, r *http.Request) {
	if !s.consoleAllowed(w, r) {
		return
	}
	// The token is taken before the data: a change while the data is read moves the token past
	// the page's, so the page refreshes once more.
	token := s.consoleToken()
	d, err := s.gatherConsoleData()
	if err != nil {
		s.logger.Error("console: reading the sandbox state", "error", err)
		http.Error(w, "The console could not read the sandbox state: "+err.Error(), http.StatusInternalServerError)
		return
	}
	v := buildConsoleView(d, parseConsoleFilter(r.URL.Query()), time.Now())
	v.Token = token
	v.Nonce = newNonce()
	var buf bytes.Buffer
	if err := consoleTemplate.Execute(&buf, v); err != nil {
		s.logger.Error("console: rendering", "error", err)
		http.Error(w, "The console could not be rendered: "+err.Error(), http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("Content-Security-Policy", fmt.Sprintf("default-src 'none'; style-src 'nonce-%[1]s'; script-src 'nonce-%[1]s'; "+
		"connect-src 'self'; img-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'", v.Nonce))
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(buf.Bytes())
}

// consoleChanges is the body of GET /console/changes.
type consoleChanges struct {
	// Token is the change token of what the console shows; it differs whenever the page would.
	Token string `json:"token"`
}

// handleConsoleChanges serves the console's change token (GET /console/changes). With
// ?since=<token> it waits, up to consoleWaitMax, until the token differs from that one (a long
// poll), so an open page learns of a change at once with one request in flight.
func (s *Sandbox) handleConsoleChanges(w http.ResponseWriter, r *http.Request) {
	if !s.consoleAllowed(w, r) {
		return
	}
	token := s.consoleToken()
	if since := r.URL.Query().Get("since"); since != "" && since == token {
		s.console.waiting.Add(1)
		defer s.console.waiting.Add(-1)
		tick := time.NewTicker(consoleWaitTick)
		defer tick.Stop()
		deadline := time.NewTimer(consoleWaitMax)
		defer deadline.Stop()
	wait:
		for {
			next := s.console.next()
			if token = s.consoleToken(); token != since {
				break
			}
			select {
			case <-next:
			case <-tick.C:
			case <-deadline.C:
				break wait
			case <-r.Context().Done():
				return
			case <-s.served: // shutting down: let the connection close
				break wait
			}
		}
	}
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("ETag", strconv.Quote(token))
	writeJSON(w, http.StatusOK, consoleChanges{Token: token})
}

// consoleAllowed decides who sees the console. A sandbox on loopback serves it to requests for a
// loopback host name only (no other site's page can read it through DNS rebinding); one that
// listens beyond loopback (--allow-remote) asks for the admin token as the password of HTTP Basic
// authentication, since its API needs credentials too.
func (s *Sandbox) consoleAllowed(w http.ResponseWriter, r *http.Request) bool {
	if boundToLoopback(s.listener.Addr()) {
		host := r.Host
		if h, _, err := net.SplitHostPort(host); err == nil {
			host = h
		}
		if loopback.IsHost(strings.Trim(host, "[]")) {
			return true
		}
		http.Error(w, fmt.Sprintf("The sandbox console answers only to a loopback host name (localhost, 127.0.0.1, [::1]), not %q; open %s/.", r.Host, s.endpoint),
			http.StatusMisdirectedRequest)
		return false
	}
	if _, password, ok := r.BasicAuth(); ok && subtle.ConstantTimeCompare([]byte(password), []byte(s.adminToken)) == 1 {
		return true
	}
	w.Header().Set("WWW-Authenticate", `Basic realm="salesseat sandbox console", charset="UTF-8"`)
	http.Error(w, "This sandbox listens beyond loopback: sign in to its console with any user name and the sandbox admin token as the password.",
		http.StatusUnauthorized)
	return false
}

// newNonce is a fresh Content-Security-Policy nonce.
func newNonce() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return base64.RawStdEncoding.EncodeToString(b)
}
