// Package sforg simulates Salesforce orgs on Salesforce's own wire format:
// the OAuth 2.0 token endpoint (refresh-token and JWT bearer grants) and the
// REST API's version list and SOQL query resources, backed by in-memory
// users, profiles, roles and public groups. A standard Salesforce client
// pointed at the handler's URL as its login URL works unchanged.
//
// Several orgs can be served at once; the consumer key, refresh token or
// access token a request carries identifies its org. The Server's methods
// are safe for concurrent use.
package sforg

import (
	"crypto/rsa"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/salesseat/terraform-provider-salesseat/internal/sfid"
)

// DefaultAccessTokenTTL is how long an access token lives unless
// Options.AccessTokenTTL says otherwise (Salesforce's default session
// timeout).
const DefaultAccessTokenTTL = 2 * time.Hour

// Options tunes a Server.
type Options struct {
	// Now is the clock (default time.Now).
	Now func() time.Time
	// AccessTokenTTL is the lifetime of issued access tokens (default
	// DefaultAccessTokenTTL).
	AccessTokenTTL time.Duration
}

// OrgInfo describes a served org.
type OrgInfo struct {
	ID          string `json:"id"`
	Name        string `json:"name"`
	IsSandbox   bool   `json:"is_sandbox"`
	ConsumerKey string `json:"consumer_key"`
}

// Server is the set of simulated orgs. Create it with New.
type Server struct {
	now func() time.Time
	ttl time.Duration

	mu        sync.RWMutex
	baseURL   string
	orgs      map[string]*org
	order     []string
	byKey     map[string]*org   // consumer key -> org
	usernames map[string]string // lower-case username -> org ID (usernames are unique across Salesforce)
	refresh   map[string]*refreshToken
	access    map[string]*accessToken
	lastSweep time.Time

	cursorMu sync.Mutex
	cursors  map[string]*cursor
}

// org is one served org. Everything but data and the ID counters is fixed
// once built.
type org struct {
	id, name                    string
	isSandbox                   bool
	consumerKey, consumerSecret string
	certPEM                     string
	publicKey                   *rsa.PublicKey
	data                        *dataset
	nextSeq                     map[string]int // key prefix -> next sequence to try when minting IDs
}

// New builds a Server serving the given orgs. Seeds are validated as
// Salesforce would validate the records; the error names the org, the
// field and the fix.
func New(seeds []OrgSeed, opts Options) (*Server, error) {
	s := &Server{now: opts.Now, ttl: opts.AccessTokenTTL, cursors: map[string]*cursor{}}
	if s.now == nil {
		s.now = time.Now
	}
	if s.ttl <= 0 {
		s.ttl = DefaultAccessTokenTTL
	}
	st := State{}
	for _, seed := range seeds {
		st.Orgs = append(st.Orgs, OrgState{OrgSeed: seed})
	}
	b, err := s.build(st)
	if err != nil {
		return nil, err
	}
	s.install(b)
	return s, nil
}

// SetBaseURL sets the URL the handler is reachable at. It becomes the
// instance_url and the base of the identity URL in token responses, and an
// accepted JWT audience. Until it is set, both are derived from each
// request's Host.
func (s *Server) SetBaseURL(u string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.baseURL = strings.TrimRight(u, "/")
}

// Orgs lists the served orgs in seed order.
func (s *Server) Orgs() []OrgInfo {
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := make([]OrgInfo, 0, len(s.order))
	for _, id := range s.order {
		o := s.orgs[id]
		out = append(out, OrgInfo{ID: o.id, Name: o.name, IsSandbox: o.isSandbox, ConsumerKey: o.consumerKey})
	}
	return out
}

// lookupOrg finds an org by its 15- or 18-character ID; callers hold s.mu.
func (s *Server) lookupOrg(orgID string) (*org, error) {
	id, err := sfid.Normalize(orgID)
	if err == nil {
		if o, ok := s.orgs[id]; ok {
			return o, nil
		}
	}
	return nil, fmt.Errorf("org %q: %w", orgID, ErrNotFound)
}
