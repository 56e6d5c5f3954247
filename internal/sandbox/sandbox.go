package sandbox

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/hashicorp/go-hclog"

	"github.com/salesseat/terraform-provider-salesseat/internal/loopback"
	"github.com/salesseat/terraform-provider-salesseat/internal/sandbox/fixture"
	"github.com/salesseat/terraform-provider-salesseat/internal/sandbox/platform"
	"github.com/salesseat/terraform-provider-salesseat/internal/sandbox/salesforce"
	"github.com/salesseat/terraform-provider-salesseat/internal/sandbox/sforg"
	"github.com/salesseat/terraform-provider-salesseat/internal/sfid"
)

// DefaultListen is the address the sandbox listens on unless told otherwise.
const DefaultListen = "127.0.0.1:8787"

// connectorTimeout bounds each HTTP request of the platform's Salesforce connector.
const connectorTimeout = 30 * time.Second

// Options configure a sandbox.
type Options struct {
	// Listen is the TCP address to listen on; "" means DefaultListen, and port 0
	// ("127.0.0.1:0") picks a free port. Only a loopback host (127.0.0.0/8, ::1, localhost) is
	// accepted unless AllowRemote is set.
	Listen string
	// AllowRemote accepts a Listen address beyond loopback (0.0.0.0, ::, ":8080", a LAN
	// address, a host name), which serves the sandbox to the network: the --allow-remote flag.
	// Start still refuses it while the fixture or the state file holds a secret published in
	// the default fixture, and logs a warning when it starts.
	AllowRemote bool
	// Fixture seeds the platform and the simulated orgs; nil means fixture.Default().
	Fixture *fixture.Fixture
	// StatePath is a JSON file the sandbox resumes from when it exists and saves to after every
	// change; "" keeps the state in memory only.
	StatePath string
	// Logger receives request and error logs; nil discards them.
	Logger hclog.Logger
	// TokenTTL is the lifetime of the provisioning API's access tokens; 0 means one hour.
	TokenTTL time.Duration
}

// Credentials are what a client needs to use the sandbox: the provisioning API's endpoint and
// API client, the admin token, and the values to create a connection to the fixture's first org.
type Credentials struct {
	// Endpoint is the base URL of the provisioning API (and of everything else the sandbox
	// serves), as clients reach it: the loopback address it listens on; with AllowRemote, the
	// Listen host as given, or the machine's host name for a wildcard address (0.0.0.0, ::).
	Endpoint string
	// ClientID is the first API client of the fixture.
	ClientID string
	// ClientSecret is that client's secret.
	ClientSecret string
	// AdminToken is the bearer token of the admin API.
	AdminToken string
	// LoginURL is the Salesforce login URL of the simulated orgs: the sandbox itself, at the
	// address it is bound to, as it reaches itself when it connects to them. For a wildcard
	// address (0.0.0.0, ::) that is loopback, the only plain-http login URL the platform accepts.
	LoginURL string
	// ServiceUsername is the service account of the fixture's first org.
	ServiceUsername string
	// OAuthClientID is the consumer key of that org's connected app.
	OAuthClientID string
	// RefreshToken is a refresh token of the service account.
	RefreshToken string
	// JWTPrivateKeyPEM is the connected app's sandbox-only private key, for the JWT bearer flow.
	JWTPrivateKeyPEM string
	// OrganizationID is the first org's 18-character ID.
	OrganizationID string
}

// Sandbox is a running sandbox org. Its methods are safe for concurrent use.
type Sandbox struct {
	logger     hclog.Logger
	fixture    *fixture.Fixture
	adminToken string
	url        string // where the sandbox reaches itself: login URL of its orgs, state file's base URL
	endpoint   string // where clients reach it: SALESSEAT_ENDPOINT
	openAPI    []byte

	org       *sforg.Server
	plat      *platform.Platform
	connector *http.Client

	initialOrg      sforg.State
	initialPlatform platform.State

	tokens   *tokenStore
	idem     *idempotencyStore
	faults   faultSet
	counters counters
	persist  *persister

	console *consoleFeed // the console's change token (see consoleToken)

	credMu       sync.Mutex
	refreshToken string

	listener net.Listener
	server   *http.Server
	served   chan struct{}
	serveErr error

	closeOnce sync.Once
	closeErr  error
}

// Start builds a sandbox from opts, restores its state file when there is one, and serves it in
// the background until Close. ctx bounds only the start (listening); it does not stop the
// sandbox.
func Start(ctx context.Context, opts Options) (*Sandbox, error) {
	fix := opts.Fixture
	if fix == nil {
		fix = fixture.Default()
	}
	listen := opts.Listen
	if listen == "" {
		listen = DefaultListen
	}
	la, err := parseListen(listen)
	if err != nil {
		return nil, err
	}
	endpointHost := la.host
	if la.remote {
		if !opts.AllowRemote {
			return nil, refuseRemote(la)
		}
		var stateFields []string
		if opts.StatePath != "" {
			if stateFields, err = stateSecrets(opts.StatePath); err != nil {
				return nil, err
			}
		}
		if err := refusePublishedSecrets(la, fix.PublishedSecrets(), opts.StatePath, stateFields); err != nil {
			return nil, err
		}
		if endpointHost, err = remoteEndpointHost(la); err != nil {
			return nil, err
		}
	}
	logger := opts.Logger
	if logger == nil {
		logger = hclog.NewNullLogger()
	}
	ttl := opts.TokenTTL
	if ttl <= 0 {
		ttl = defaultTokenTTL
	}
	spec, err := openAPIJSON()
	if err != nil {
		return nil, err
	}
	org, err := sforg.New(fix.OrgSeeds(), sforg.Options{})
	if err != nil {
		return nil, fmt.Errorf("building the simulated Salesforce orgs from the fixture: %w", err)
	}

	s := &Sandbox{
		logger:     logger,
		fixture:    fix,
		adminToken: fix.AdminToken(),
		openAPI:    spec,
		org:        org,
		tokens:     newTokenStore(ttl, time.Now),
		served:     make(chan struct{}),
		console:    newConsoleFeed(),
	}
	s.connector = &http.Client{Transport: newLoopbackTransport(), Timeout: connectorTimeout}
	s.plat = platform.New(fix.PlatformSeed(), s.dial, platform.Options{})
	s.plat.OnChange(s.consoleChanged)
	s.idem = newIdempotencyStore(time.Now, s.changed)
	s.initialOrg = org.Snapshot()
	s.initialPlatform = s.plat.Snapshot()

	var lc net.ListenConfig
	ln, err := lc.Listen(ctx, "tcp", listen)
	if err != nil {
		return nil, fmt.Errorf("listening on %s: %w; pick another address with --listen (\"127.0.0.1:0\" picks a free port)", listen, err)
	}
	if !la.remote && !boundToLoopback(ln.Addr()) {
		// A loopback name (localhost) that resolved to another address.
		_ = ln.Close()
		return nil, fmt.Errorf("refusing to listen on %q: it resolved to %s, which is not a loopback address, so the sandbox and its well-known secrets "+
			"would be reachable from the network; listen on 127.0.0.1 instead (--listen 127.0.0.1:0), or pass --allow-remote with a --fixture whose secrets you changed",
			listen, ln.Addr())
	}
	s.listener = ln
	s.url = baseURL(ln.Addr())
	s.endpoint = endpointURL(la, endpointHost, ln.Addr())
	org.SetBaseURL(s.url)

	if opts.StatePath != "" {
		moved, err := s.restoreState(opts.StatePath)
		if err != nil {
			_ = ln.Close()
			return nil, err
		}
		s.persist = &persister{path: opts.StatePath, logger: logger, snapshot: s.snapshot}
		s.plat.OnChange(s.persist.schedule)
		if moved {
			s.persist.schedule() // record the new address and the rebased connections
		}
	}
	if err := s.ensureRefreshToken(); err != nil {
		_ = ln.Close()
		return nil, err
	}

	s.server = &http.Server{
		Handler:           s.handler(),
		ReadHeaderTimeout: 10 * time.Second,
		ErrorLog:          logger.StandardLogger(&hclog.StandardLoggerOptions{InferLevels: true}),
	}
	go func() {
		defer close(s.served)
		if err := s.server.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			s.serveErr = err
			logger.Error("the sandbox stopped serving", "error", err)
		}
	}()
	if la.remote {
		logger.Warn("the sandbox is reachable from the network (--allow-remote): anyone who can connect to it can use its provisioning API, admin API and simulated Salesforce org with the fixture's secrets",
			"listen", listen, "url", s.endpoint)
	}
	if s.endpoint != s.url {
		logger.Info("sandbox listening", "url", s.endpoint, "login_url", s.url)
	} else {
		logger.Info("sandbox listening", "url", s.url)
	}
	return s, nil
}

// baseURL is the URL the sandbox reaches a listener at; an unspecified host (every interface)
// becomes the loopback address.
func baseURL(addr net.Addr) string {
	tcp, ok := addr.(*net.TCPAddr)
	if !ok {
		return "http://" + addr.String()
	}
	host := tcp.IP.String()
	if tcp.IP == nil || tcp.IP.IsUnspecified() {
		host = "127.0.0.1"
	}
	return "http://" + net.JoinHostPort(host, fmt.Sprint(tcp.Port))
}

// dial is the platform's Dialer: the real Salesforce client, talking HTTP to the simulated org.
// The sandbox reaches no network beyond loopback: a login URL elsewhere (the default
// https://login.salesforce.com, a My Domain) is refused at once with the URL to use instead.
func (s *Sandbox) dial(ctx context.Context, creds salesforce.Credentials) (platform.CRM, error) {
	if u, err := url.Parse(creds.LoginURL); err == nil && !loopback.IsHost(u.Hostname()) {
		return nil, fmt.Errorf("the sandbox connects only to the Salesforce orgs it simulates, not to %s; set login_url to %s (printed as SALESSEAT_SANDBOX_LOGIN_URL)", creds.LoginURL, s.url)
	}
	c, err := salesforce.Connect(ctx, creds, salesforce.Options{HTTPClient: s.connector})
	if err != nil {
		return nil, err
	}
	return c, nil
}

// restoreState loads the state file, when there is one, over the fixture's state. moved
// reports that the state was saved by a sandbox on another address, whose connections now point
// at this one.
func (s *Sandbox) restoreState(path string) (moved bool, err error) {
	st, ok, err := loadState(path)
	if err != nil || !ok {
		return false, err
	}
	if err := s.org.Restore(st.Org); err != nil {
		return false, fmt.Errorf("the state file %s holds an invalid org state (%w); delete it to start again from the fixture", path, err)
	}
	if err := s.plat.Restore(st.Platform.State); err != nil {
		return false, fmt.Errorf("the state file %s holds an invalid platform state (%w); delete it to start again from the fixture", path, err)
	}
	s.idem.restore(st.Platform.Idempotency)
	s.tokens.restore(st.Tokens)
	s.logger.Info("state restored", "path", path, "saved_at", st.SavedAt)
	if st.BaseURL == "" || st.BaseURL == s.url {
		return false, nil
	}
	n := s.plat.RebaseLoginURLs(st.BaseURL, s.url)
	s.logger.Info("the sandbox resumed on another address; connections to its orgs now use it",
		"previous_url", st.BaseURL, "url", s.url, "connections", n)
	return true, nil
}

// snapshot is the state to save.
func (s *Sandbox) snapshot() stateFile {
	return stateFile{
		Version:  stateFormatVersion,
		SavedAt:  time.Now().UTC(),
		BaseURL:  s.url,
		Platform: platformState{State: s.plat.Snapshot(), Idempotency: s.idem.snapshot()},
		Org:      s.org.Snapshot(),
		Tokens:   s.tokens.snapshot(),
	}
}

// changed schedules a save of the state file, if there is one, and moves the console's change
// token.
func (s *Sandbox) changed() {
	s.consoleChanged()
	if s.persist != nil {
		s.persist.schedule()
	}
}

// ensureRefreshToken picks the refresh token Credentials reports: the fixture's unexpired token
// of the first org's service account, or else a fresh one minted in the org.
func (s *Sandbox) ensureRefreshToken() error {
	if len(s.fixture.Orgs) == 0 || s.fixture.Orgs[0].ServiceUsername == "" {
		return nil
	}
	o := s.fixture.Orgs[0]
	now := time.Now()
	for _, t := range o.RefreshTokens {
		if strings.EqualFold(t.Username, o.ServiceUsername) && (t.ExpiresAt.IsZero() || now.Before(t.ExpiresAt)) {
			s.credMu.Lock()
			s.refreshToken = t.Token
			s.credMu.Unlock()
			return nil
		}
	}
	token, err := s.org.MintRefreshToken(o.ID, o.ServiceUsername, 0)
	if err != nil {
		return fmt.Errorf("minting a refresh token for the service account %s of org %s: %w; check orgs[0].service_username in the fixture", o.ServiceUsername, o.ID, err)
	}
	s.credMu.Lock()
	s.refreshToken = token
	s.credMu.Unlock()
	s.changed()
	return nil
}

// URL is the base URL clients reach the sandbox at, e.g. http://127.0.0.1:8787 (the
// Credentials' Endpoint).
func (s *Sandbox) URL() string { return s.endpoint }

// Credentials returns the fixture's first API client and first org, as a client needs them.
func (s *Sandbox) Credentials() Credentials {
	c := Credentials{Endpoint: s.endpoint, LoginURL: s.url, AdminToken: s.adminToken}
	if len(s.fixture.APIClients) > 0 {
		c.ClientID = s.fixture.APIClients[0].ClientID
		c.ClientSecret = s.fixture.APIClients[0].ClientSecret
	}
	if len(s.fixture.Orgs) > 0 {
		o := s.fixture.Orgs[0]
		c.ServiceUsername = o.ServiceUsername
		c.OAuthClientID = o.ConnectedApp.ConsumerKey
		c.JWTPrivateKeyPEM = o.ConnectedApp.PrivateKey
		c.OrganizationID = o.ID
		if id, err := sfid.Normalize(o.ID); err == nil {
			c.OrganizationID = id
		}
	}
	s.credMu.Lock()
	c.RefreshToken = s.refreshToken
	s.credMu.Unlock()
	return c
}

// Platform gives tests Go-level access to the platform.
func (s *Sandbox) Platform() *platform.Platform { return s.plat }

// Org gives tests Go-level access to the simulated orgs.
func (s *Sandbox) Org() *sforg.Server { return s.org }

// ExpireRefreshToken expires the refresh token of a connection in its org (invalid_grant
// "expired access/refresh token" from now on). A JWT bearer connection has none: its org's
// access tokens are expired instead, which it survives by re-authorizing.
func (s *Sandbox) ExpireRefreshToken(connID string) error {
	return s.killRefreshToken(connID, s.org.ExpireRefreshToken)
}

// RevokeRefreshToken revokes the refresh token of a connection in its org (invalid_grant
// "token revoked" from now on); for a JWT bearer connection it expires the org's access tokens.
func (s *Sandbox) RevokeRefreshToken(connID string) error {
	return s.killRefreshToken(connID, s.org.RevokeRefreshToken)
}

// killRefreshToken applies kill to the connection's refresh token, or expires the access tokens
// of its org when it authorizes with the JWT bearer flow.
func (s *Sandbox) killRefreshToken(connID string, kill func(token string) error) error {
	token, _, err := s.plat.ConnectionRefreshToken(connID)
	if platform.IsCode(err, platform.CodeValidationFailed) {
		orgID, lookupErr := s.plat.ConnectionOrg(connID)
		if lookupErr != nil {
			return lookupErr
		}
		s.org.ExpireAccessTokens(orgID)
		s.changed()
		return nil
	}
	if err != nil {
		return err
	}
	if err := kill(token); err != nil {
		return fmt.Errorf("the org does not know the refresh token of connection %s: %w", connID, err)
	}
	s.changed()
	return nil
}

// AddCRMUser adds a user to the simulated org and tells the platform that CRM
// data arrived, exactly as the admin API's POST /admin/v1/orgs/{org_id}/users
// does.
func (s *Sandbox) AddCRMUser(ctx context.Context, orgID string, u sforg.UserSeed) (sforg.UserSeed, error) {
	added, err := s.org.AddUser(orgID, u)
	if err != nil {
		return sforg.UserSeed{}, err
	}
	s.plat.NotifyCRMChange(ctx, orgID)
	return added, nil
}

// UpdateCRMUser changes a user of the simulated org (for example deactivates
// it) and tells the platform that CRM data arrived, exactly as the admin API's
// PATCH /admin/v1/orgs/{org_id}/users/{user_id} does.
func (s *Sandbox) UpdateCRMUser(ctx context.Context, orgID, userID string, patch sforg.UserPatch) (sforg.UserSeed, error) {
	u, err := s.org.UpdateUser(orgID, userID, patch)
	if err != nil {
		return sforg.UserSeed{}, err
	}
	s.plat.NotifyCRMChange(ctx, orgID)
	return u, nil
}

// SetFaults replaces the fault-injection rules (see FaultRule).
func (s *Sandbox) SetFaults(rules []FaultRule) {
	s.faults.set(rules)
	s.consoleChanged()
}

// ClearFaults removes every fault-injection rule.
func (s *Sandbox) ClearFaults() { s.SetFaults(nil) }

// Counters returns the requests served per route ("METHOD pattern"), admin calls excluded.
func (s *Sandbox) Counters() map[string]int { return s.counters.snapshot() }

// ResetCounters sets every request counter back to zero.
func (s *Sandbox) ResetCounters() {
	s.counters.reset()
	s.consoleChanged()
}

// Reset puts the platform and the orgs back to the fixture and clears faults and counters.
// Access tokens of the provisioning API stay valid.
func (s *Sandbox) Reset() error {
	if err := s.org.Restore(s.initialOrg); err != nil {
		return fmt.Errorf("resetting the simulated orgs: %w", err)
	}
	if err := s.plat.Restore(s.initialPlatform); err != nil {
		return fmt.Errorf("resetting the platform: %w", err)
	}
	s.idem.restore(nil)
	s.ClearFaults()
	s.counters.reset()
	if err := s.ensureRefreshToken(); err != nil {
		return err
	}
	s.changed()
	s.logger.Info("sandbox reset to the fixture")
	return nil
}

// Done is closed when the sandbox stops serving (after Close, or when serving failed).
func (s *Sandbox) Done() <-chan struct{} { return s.served }

// Err reports why the sandbox stopped serving on its own; nil after a normal Close.
func (s *Sandbox) Err() error {
	select {
	case <-s.served:
		return s.serveErr
	default:
		return nil
	}
}

// Close stops the sandbox: it stops accepting requests, waits for those in flight until ctx
// ends (then drops them), and writes the state file.
func (s *Sandbox) Close(ctx context.Context) error {
	s.closeOnce.Do(func() {
		var errs []error
		if err := s.server.Shutdown(ctx); err != nil {
			errs = append(errs, fmt.Errorf("stopping the HTTP server: %w", err))
			_ = s.server.Close()
		}
		<-s.served
		s.connector.CloseIdleConnections()
		if s.persist != nil {
			if err := s.persist.close(); err != nil {
				errs = append(errs, err)
			}
		}
		s.closeErr = errors.Join(errs...)
	})
	return s.closeErr
}

// newLoopbackTransport is an HTTP transport for talking to the sandbox itself: the defaults of
// http.DefaultTransport, without a proxy (the org is on this very server).
func newLoopbackTransport() *http.Transport {
	return &http.Transport{
		Proxy:                 nil,
		DialContext:           (&net.Dialer{Timeout: 30 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		ForceAttemptHTTP2:     true,
		MaxIdleConns:          100,
		IdleConnTimeout:       90 * time.Second,
		TLSHandshakeTimeout:   10 * time.Second,
		ExpectContinueTimeout: time.Second,
	}
}
