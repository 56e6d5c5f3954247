// Package sforg simulates Salesforce orgs on Salesforce's own wire format:
// the OAuth 2.0 token endpoint (refresh-token and JWT bearer grants) and the
// REST API's version list and SOQL query resources, backed by in-memory
// users, profiles and roles. A standard Salesforce client pointed at the
// handler's URL as its login URL works unchanged.
//
// Several orgs can be served at once; the consumer key, refresh token or
// access token a request carries identifies its org. The Server's methods
// are safe for concurrent use.
package sforg

import (
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/salesseat/terraform-provider-salesseat/internal/sfid"
)

// ErrInvalid is wrapped by errors about seed or admin input that Salesforce
// would refuse (a missing required field, a malformed ID).
var ErrInvalid = errors.New("invalid input")

// ErrConflict is wrapped by errors about input that clashes with existing
// data (a username taken anywhere in Salesforce, a duplicate ID or profile
// name).
var ErrConflict = errors.New("conflict")

// Default and limits of the simulation.
const (
	// DefaultAccessTokenTTL is how long an access token lives unless
	// Options.AccessTokenTTL says otherwise (Salesforce's default session
	// timeout).
	DefaultAccessTokenTTL = 2 * time.Hour

	// cursorTTL is how long an unused query locator stays valid
	// (Salesforce: 15 minutes of inactivity).
	cursorTTL = 15 * time.Minute
	// maxCursors bounds the open query locators; the least recently used
	// is dropped beyond it.
	maxCursors = 1000
)

// Key prefixes of the sObjects the org stores.
const (
	prefixOrganization = "00D"
	prefixUser         = "005"
	prefixProfile      = "00e"
	prefixUserRole     = "00E"
	prefixQueryLocator = "01g"
)

// OrgSeed describes one org to serve: its records and its connected app.
type OrgSeed struct {
	ID        string `json:"id"` // 15 or 18 characters, prefix 00D; minted when empty
	Name      string `json:"name"`
	IsSandbox bool   `json:"is_sandbox"`

	ConsumerKey    string `json:"consumer_key"`              // connected app consumer key (OAuth client_id, JWT iss)
	ConsumerSecret string `json:"consumer_secret,omitempty"` // checked when a client sends one
	CertificatePEM string `json:"certificate_pem,omitempty"` // X.509 certificate whose RSA key verifies JWT assertions

	Profiles      []ProfileSeed      `json:"profiles"`
	Users         []UserSeed         `json:"users"`
	RefreshTokens []RefreshTokenSeed `json:"refresh_tokens,omitempty"`
}

// ProfileSeed is a profile of an org.
type ProfileSeed struct {
	ID          string `json:"id"` // prefix 00e; minted when empty
	Name        string `json:"name"`
	ViewAllData bool   `json:"view_all_data"`
}

// UserSeed is a user of an org.
type UserSeed struct {
	ID           string `json:"id"` // prefix 005; minted when empty
	Username     string `json:"username"`
	Email        string `json:"email"`
	FirstName    string `json:"first_name"`
	LastName     string `json:"last_name"`
	Active       bool   `json:"active"`
	ProfileID    string `json:"profile_id"`
	UserRoleName string `json:"user_role"` // role created on first use; "" = no role
}

// RefreshTokenSeed is a refresh token issued to a user of the org before
// the simulation starts.
type RefreshTokenSeed struct {
	Token     string    `json:"token"`
	Username  string    `json:"username"`
	ExpiresAt time.Time `json:"expires_at,omitzero"` // zero = never
	Revoked   bool      `json:"revoked,omitempty"`
}

// UserPatch changes the non-nil fields of a user.
type UserPatch struct {
	Username     *string `json:"username,omitempty"`
	Email        *string `json:"email,omitempty"`
	FirstName    *string `json:"first_name,omitempty"`
	LastName     *string `json:"last_name,omitempty"`
	Active       *bool   `json:"active,omitempty"`
	ProfileID    *string `json:"profile_id,omitempty"`
	UserRoleName *string `json:"user_role,omitempty"`
}

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

type refreshToken struct {
	token, orgID, userID string
	issuedAt, expiresAt  time.Time
	expired, revoked     bool
}

type accessToken struct {
	token, orgID, userID string
	refresh              string // the refresh token it was issued from ("" for JWT)
	expiresAt            time.Time
}

type cursor struct {
	orgID    string
	res      *result
	batch    int
	lastUsed time.Time
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

// built is the state a Server runs on, assembled before it is installed.
type built struct {
	orgs      map[string]*org
	order     []string
	byKey     map[string]*org
	usernames map[string]string
	refresh   map[string]*refreshToken
	access    map[string]*accessToken
}

func (s *Server) install(b *built) {
	s.mu.Lock()
	s.orgs, s.order, s.byKey, s.usernames = b.orgs, b.order, b.byKey, b.usernames
	s.refresh, s.access = b.refresh, b.access
	s.mu.Unlock()
	s.cursorMu.Lock()
	s.cursors = map[string]*cursor{}
	s.cursorMu.Unlock()
}

// build validates a State and turns it into runnable form.
func (s *Server) build(st State) (*built, error) {
	b := &built{
		orgs: map[string]*org{}, byKey: map[string]*org{}, usernames: map[string]string{},
		refresh: map[string]*refreshToken{}, access: map[string]*accessToken{},
	}
	for i, ost := range st.Orgs {
		o, err := buildOrg(i, ost, b.usernames)
		if err != nil {
			return nil, err
		}
		if _, dup := b.orgs[o.id]; dup {
			return nil, fmt.Errorf("%w: orgs[%d].id %s is used by two orgs; give each org its own ID", ErrConflict, i, o.id)
		}
		if other, dup := b.byKey[o.consumerKey]; dup {
			return nil, fmt.Errorf("%w: orgs[%d].consumer_key is also the consumer key of org %s; each org's connected app needs its own key", ErrConflict, i, other.id)
		}
		b.orgs[o.id] = o
		b.order = append(b.order, o.id)
		b.byKey[o.consumerKey] = o
		// Seeded refresh tokens name their user by username.
		for j, rt := range ost.RefreshTokens {
			field := fmt.Sprintf("orgs[%d].refresh_tokens[%d]", i, j)
			if rt.Token == "" {
				return nil, fmt.Errorf("%w: %s.token is empty; give every seeded refresh token a value", ErrInvalid, field)
			}
			if _, dup := b.refresh[rt.Token]; dup {
				return nil, fmt.Errorf("%w: %s.token is used twice; refresh tokens must be unique", ErrConflict, field)
			}
			u := findUsername(o.data, rt.Username)
			if u == nil {
				return nil, fmt.Errorf("%w: %s.username %q is not a user of org %s; add the user or fix the username", ErrInvalid, field, rt.Username, o.id)
			}
			b.refresh[rt.Token] = &refreshToken{token: rt.Token, orgID: o.id, userID: u.ID, issuedAt: s.now(), expiresAt: rt.ExpiresAt, revoked: rt.Revoked}
		}
	}
	for i, rt := range st.RefreshTokens {
		o, ok := b.orgs[rt.OrgID]
		if !ok || o.data.userByID[rt.UserID] == nil || rt.Token == "" {
			return nil, fmt.Errorf("%w: refresh_tokens[%d] names org %q and user %q, which do not exist", ErrInvalid, i, rt.OrgID, rt.UserID)
		}
		if _, dup := b.refresh[rt.Token]; dup {
			return nil, fmt.Errorf("%w: refresh_tokens[%d].token is used twice; refresh tokens must be unique", ErrConflict, i)
		}
		b.refresh[rt.Token] = &refreshToken{token: rt.Token, orgID: rt.OrgID, userID: rt.UserID, issuedAt: rt.IssuedAt, expiresAt: rt.ExpiresAt, expired: rt.Expired, revoked: rt.Revoked}
	}
	for i, at := range st.AccessTokens {
		o, ok := b.orgs[at.OrgID]
		if !ok || o.data.userByID[at.UserID] == nil || at.Token == "" {
			return nil, fmt.Errorf("%w: access_tokens[%d] names org %q and user %q, which do not exist", ErrInvalid, i, at.OrgID, at.UserID)
		}
		b.access[at.Token] = &accessToken{token: at.Token, orgID: at.OrgID, userID: at.UserID, refresh: at.RefreshToken, expiresAt: at.ExpiresAt}
	}
	return b, nil
}

func buildOrg(i int, ost OrgState, usernames map[string]string) (*org, error) {
	field := fmt.Sprintf("orgs[%d]", i)
	o := &org{name: ost.Name, isSandbox: ost.IsSandbox, consumerKey: ost.ConsumerKey, consumerSecret: ost.ConsumerSecret,
		certPEM: ost.CertificatePEM, nextSeq: map[string]int{}}
	if ost.ID == "" {
		o.id = sfid.FromSeq(prefixOrganization, "0s", i+1)
	} else {
		id, err := normalizeID(ost.ID, prefixOrganization, field+".id")
		if err != nil {
			return nil, err
		}
		o.id = id
	}
	if strings.TrimSpace(o.name) == "" {
		return nil, fmt.Errorf("%w: %s.name is empty; name the org", ErrInvalid, field)
	}
	if o.consumerKey == "" {
		return nil, fmt.Errorf("%w: %s.consumer_key is empty; set the connected app's consumer key", ErrInvalid, field)
	}
	if o.certPEM != "" {
		key, err := parseCertificateKey(o.certPEM)
		if err != nil {
			return nil, fmt.Errorf("%w: %s.certificate_pem: %w", ErrInvalid, field, err)
		}
		o.publicKey = key
	}

	org := &orgRow{ID: o.id, Name: o.name, IsSandbox: o.isSandbox}
	ds := newDataset(org, nil, nil, nil)
	for _, r := range ost.Roles {
		id, err := normalizeID(r.ID, prefixUserRole, field+".roles.id")
		if err != nil {
			return nil, err
		}
		if r.Name == "" || ds.roleByName(r.Name) != nil || ds.roleByID[id] != nil {
			return nil, fmt.Errorf("%w: %s.roles: role %s %q is empty or duplicated", ErrInvalid, field, id, r.Name)
		}
		ds = ds.withRole(&roleRow{ID: id, Name: r.Name})
	}
	profiles := make([]*profileRow, 0, len(ost.Profiles))
	profileNames := map[string]bool{}
	profileIDs := map[string]bool{}
	reservedProfiles := explicitIDs(len(ost.Profiles), func(i int) string { return ost.Profiles[i].ID })
	for j, p := range ost.Profiles {
		pf := fmt.Sprintf("%s.profiles[%d]", field, j)
		row, err := profileFromSeed(p, pf)
		if err != nil {
			return nil, err
		}
		if row.ID == "" {
			row.ID = o.mint(prefixProfile, func(id string) bool { return profileIDs[id] || reservedProfiles[id] })
		}
		if profileIDs[row.ID] {
			return nil, fmt.Errorf("%w: %s.id %s is used twice", ErrConflict, pf, row.ID)
		}
		if profileNames[strings.ToLower(row.Name)] {
			return nil, fmt.Errorf("%w: %s.name %q is used twice; profile names are unique in an org", ErrConflict, pf, row.Name)
		}
		profileIDs[row.ID], profileNames[strings.ToLower(row.Name)] = true, true
		profiles = append(profiles, row)
	}
	ds = newDataset(org, nil, profiles, ds.roles)

	users := make([]*userRow, 0, len(ost.Users))
	userIDs := make(map[string]bool, len(ost.Users))
	reservedUsers := explicitIDs(len(ost.Users), func(i int) string { return ost.Users[i].ID })
	for j, u := range ost.Users {
		uf := fmt.Sprintf("%s.users[%d]", field, j)
		row, role, err := o.userFromSeed(ds, u, uf)
		if err != nil {
			return nil, err
		}
		if role != nil {
			ds = ds.withRole(role)
		}
		if row.ID == "" {
			row.ID = o.mint(prefixUser, func(id string) bool { return userIDs[id] || reservedUsers[id] })
		}
		if userIDs[row.ID] {
			return nil, fmt.Errorf("%w: %s.id %s is used twice", ErrConflict, uf, row.ID)
		}
		key := strings.ToLower(row.Username)
		if other, taken := usernames[key]; taken {
			return nil, fmt.Errorf("%w: %s.username %q is already used in org %s; usernames are unique across all of Salesforce", ErrConflict, uf, row.Username, other)
		}
		usernames[key] = o.id
		userIDs[row.ID] = true
		users = append(users, row)
	}
	o.data = newDataset(org, users, profiles, ds.roles)
	return o, nil
}

// explicitIDs returns the set of the well-formed IDs seeds give, so IDs
// minted for the other seeds avoid them.
func explicitIDs(n int, id func(int) string) map[string]bool {
	out := map[string]bool{}
	for i := range n {
		if norm, err := sfid.Normalize(id(i)); err == nil {
			out[norm] = true
		}
	}
	return out
}

// mint returns an unused deterministic ID for the key prefix, so that a
// fixture without IDs gets the same IDs on every start.
func (o *org) mint(prefix string, used func(string) bool) string {
	pod := o.id[3:5]
	for {
		o.nextSeq[prefix]++
		id := sfid.FromSeq(prefix, pod, o.nextSeq[prefix])
		if !used(id) {
			return id
		}
	}
}

func normalizeID(id, prefix, field string) (string, error) {
	n, err := sfid.Normalize(id)
	if err != nil {
		return "", fmt.Errorf("%w: %s: %w", ErrInvalid, field, err)
	}
	if !strings.HasPrefix(n, prefix) {
		return "", fmt.Errorf("%w: %s %s does not start with %s, the key prefix of this object; copy the ID of the right record", ErrInvalid, field, n, prefix)
	}
	return n, nil
}

func parseCertificateKey(certPEM string) (*rsa.PublicKey, error) {
	block, _ := pem.Decode([]byte(certPEM))
	if block == nil || block.Type != "CERTIFICATE" {
		return nil, errors.New("not a PEM-encoded certificate (expected a \"-----BEGIN CERTIFICATE-----\" block)")
	}
	cert, err := x509.ParseCertificate(block.Bytes)
	if err != nil {
		return nil, fmt.Errorf("cannot parse the certificate: %w", err)
	}
	key, ok := cert.PublicKey.(*rsa.PublicKey)
	if !ok {
		return nil, fmt.Errorf("the certificate holds a %T key; Salesforce JWT bearer flow needs RSA (RS256)", cert.PublicKey)
	}
	return key, nil
}

func profileFromSeed(p ProfileSeed, field string) (*profileRow, error) {
	row := &profileRow{Name: strings.TrimSpace(p.Name), ViewAllData: p.ViewAllData}
	if p.ID != "" {
		id, err := normalizeID(p.ID, prefixProfile, field+".id")
		if err != nil {
			return nil, err
		}
		row.ID = id
	}
	if row.Name == "" {
		return nil, fmt.Errorf("%w: %s.name is empty; name the profile", ErrInvalid, field)
	}
	return row, nil
}

// userFromSeed checks a user against the org's profiles and returns the
// row (ID empty when the seed has none) and the role to create, if new.
func (o *org) userFromSeed(ds *dataset, u UserSeed, field string) (*userRow, *roleRow, error) {
	row := &userRow{Username: strings.TrimSpace(u.Username), Email: strings.TrimSpace(u.Email), FirstName: u.FirstName, LastName: u.LastName, Active: u.Active}
	if u.ID != "" {
		id, err := normalizeID(u.ID, prefixUser, field+".id")
		if err != nil {
			return nil, nil, err
		}
		row.ID = id
	}
	if !strings.Contains(row.Username, "@") {
		return nil, nil, fmt.Errorf("%w: %s.username %q must be in the form of an email address (for example jane@acme.com)", ErrInvalid, field, row.Username)
	}
	if !strings.Contains(row.Email, "@") {
		return nil, nil, fmt.Errorf("%w: %s.email %q must be an email address", ErrInvalid, field, row.Email)
	}
	if strings.TrimSpace(row.LastName) == "" {
		return nil, nil, fmt.Errorf("%w: %s.last_name is empty; Salesforce requires a last name", ErrInvalid, field)
	}
	pid, err := normalizeID(u.ProfileID, prefixProfile, field+".profile_id")
	if err != nil {
		return nil, nil, err
	}
	if ds.profileByID[pid] == nil {
		return nil, nil, fmt.Errorf("%w: %s.profile_id %s is not a profile of org %s; add the profile or fix the ID", ErrInvalid, field, pid, o.id)
	}
	row.ProfileID = pid
	var role *roleRow
	if name := strings.TrimSpace(u.UserRoleName); name != "" {
		if r := ds.roleByName(name); r != nil {
			row.RoleID = r.ID
		} else {
			role = &roleRow{ID: o.mint(prefixUserRole, func(id string) bool { return ds.roleByID[id] != nil }), Name: name}
			row.RoleID = role.ID
		}
	}
	return row, role, nil
}

func findUsername(ds *dataset, username string) *userRow {
	for _, u := range ds.users {
		if strings.EqualFold(u.Username, username) {
			return u
		}
	}
	return nil
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

// Users lists the users of an org, sorted by ID.
func (s *Server) Users(orgID string) ([]UserSeed, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	o, err := s.lookupOrg(orgID)
	if err != nil {
		return nil, err
	}
	out := make([]UserSeed, 0, len(o.data.users))
	for _, u := range o.data.users {
		out = append(out, userSeed(o.data, u))
	}
	return out, nil
}

// Profiles lists the profiles of an org, sorted by ID.
func (s *Server) Profiles(orgID string) ([]ProfileSeed, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	o, err := s.lookupOrg(orgID)
	if err != nil {
		return nil, err
	}
	out := make([]ProfileSeed, 0, len(o.data.profiles))
	for _, p := range o.data.profiles {
		out = append(out, ProfileSeed{ID: p.ID, Name: p.Name, ViewAllData: p.ViewAllData})
	}
	return out, nil
}

func userSeed(ds *dataset, u *userRow) UserSeed {
	seed := UserSeed{ID: u.ID, Username: u.Username, Email: u.Email, FirstName: u.FirstName, LastName: u.LastName, Active: u.Active, ProfileID: u.ProfileID}
	if r := ds.roleByID[u.RoleID]; r != nil {
		seed.UserRoleName = r.Name
	}
	return seed
}

// MintRefreshToken issues a refresh token for a user of the org, as if the
// user had approved the connected app. ttl 0 means it never expires.
func (s *Server) MintRefreshToken(orgID, username string, ttl time.Duration) (string, error) {
	if ttl < 0 {
		return "", fmt.Errorf("%w: refresh token lifetime %s is negative; use 0 for a token that never expires", ErrInvalid, ttl)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	o, err := s.lookupOrg(orgID)
	if err != nil {
		return "", err
	}
	u := findUsername(o.data, username)
	if u == nil {
		return "", fmt.Errorf("user %q in org %s: %w", username, o.id, ErrNotFound)
	}
	now := s.now()
	rt := &refreshToken{token: newRefreshToken(), orgID: o.id, userID: u.ID, issuedAt: now}
	if ttl > 0 {
		rt.expiresAt = now.Add(ttl)
	}
	s.refresh[rt.token] = rt
	return rt.token, nil
}

// ExpireRefreshToken marks a refresh token expired: the token endpoint
// answers invalid_grant "expired access/refresh token" for it, and the
// access tokens issued from it stop working.
func (s *Server) ExpireRefreshToken(token string) error {
	return s.killRefreshToken(token, func(rt *refreshToken) { rt.expired = true })
}

// RevokeRefreshToken marks a refresh token revoked: the token endpoint
// answers invalid_grant "token revoked" for it, and the access tokens
// issued from it stop working.
func (s *Server) RevokeRefreshToken(token string) error {
	return s.killRefreshToken(token, func(rt *refreshToken) { rt.revoked = true })
}

func (s *Server) killRefreshToken(token string, mark func(*refreshToken)) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	rt, ok := s.refresh[token]
	if !ok {
		return fmt.Errorf("refresh token: %w", ErrNotFound)
	}
	mark(rt)
	for k, at := range s.access {
		if at.refresh == token {
			delete(s.access, k)
		}
	}
	return nil
}

// ExpireAccessTokens ends every session of the org, so clients must run
// their grant again (a JWT bearer client simply re-authorizes). An unknown
// org is ignored.
func (s *Server) ExpireAccessTokens(orgID string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	o, err := s.lookupOrg(orgID)
	if err != nil {
		return
	}
	for k, at := range s.access {
		if at.orgID == o.id {
			delete(s.access, k)
		}
	}
}

// AddUser creates a user in the org and returns it as stored (ID minted
// when empty, IDs in 18-character form).
func (s *Server) AddUser(orgID string, u UserSeed) (UserSeed, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	o, err := s.lookupOrg(orgID)
	if err != nil {
		return UserSeed{}, err
	}
	ds := o.data
	row, role, err := o.userFromSeed(ds, u, "user")
	if err != nil {
		return UserSeed{}, err
	}
	if row.ID == "" {
		row.ID = o.mint(prefixUser, func(id string) bool { return ds.userByID[id] != nil })
	} else if ds.userByID[row.ID] != nil {
		return UserSeed{}, fmt.Errorf("%w: user.id %s already exists in org %s", ErrConflict, row.ID, o.id)
	}
	key := strings.ToLower(row.Username)
	if other, taken := s.usernames[key]; taken {
		return UserSeed{}, fmt.Errorf("%w: user.username %q is already used in org %s; usernames are unique across all of Salesforce", ErrConflict, row.Username, other)
	}
	if role != nil {
		ds = ds.withRole(role)
	}
	ds = ds.withUser(row)
	o.data = ds
	s.usernames[key] = o.id
	return userSeed(ds, row), nil
}

// UpdateUser changes the non-nil fields of a user and returns it as stored.
// Deactivating a user ends its sessions.
func (s *Server) UpdateUser(orgID, userID string, p UserPatch) (UserSeed, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	o, err := s.lookupOrg(orgID)
	if err != nil {
		return UserSeed{}, err
	}
	id, _ := sfid.Normalize(userID)
	old := o.data.userByID[id]
	if old == nil {
		return UserSeed{}, fmt.Errorf("user %q in org %s: %w", userID, o.id, ErrNotFound)
	}
	seed := userSeed(o.data, old)
	if p.Username != nil {
		seed.Username = *p.Username
	}
	if p.Email != nil {
		seed.Email = *p.Email
	}
	if p.FirstName != nil {
		seed.FirstName = *p.FirstName
	}
	if p.LastName != nil {
		seed.LastName = *p.LastName
	}
	if p.Active != nil {
		seed.Active = *p.Active
	}
	if p.ProfileID != nil {
		seed.ProfileID = *p.ProfileID
	}
	if p.UserRoleName != nil {
		seed.UserRoleName = *p.UserRoleName
	}
	ds := o.data
	row, role, err := o.userFromSeed(ds, seed, "user")
	if err != nil {
		return UserSeed{}, err
	}
	oldKey, newKey := strings.ToLower(old.Username), strings.ToLower(row.Username)
	if oldKey != newKey {
		if other, taken := s.usernames[newKey]; taken {
			return UserSeed{}, fmt.Errorf("%w: user.username %q is already used in org %s; usernames are unique across all of Salesforce", ErrConflict, row.Username, other)
		}
		delete(s.usernames, oldKey)
		s.usernames[newKey] = o.id
	}
	if role != nil {
		ds = ds.withRole(role)
	}
	ds = ds.withUser(row)
	o.data = ds
	return userSeed(ds, row), nil
}

// AddProfile creates a profile in the org and returns it as stored.
func (s *Server) AddProfile(orgID string, p ProfileSeed) (ProfileSeed, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	o, err := s.lookupOrg(orgID)
	if err != nil {
		return ProfileSeed{}, err
	}
	ds := o.data
	row, err := profileFromSeed(p, "profile")
	if err != nil {
		return ProfileSeed{}, err
	}
	if row.ID == "" {
		row.ID = o.mint(prefixProfile, func(id string) bool { return ds.profileByID[id] != nil })
	} else if ds.profileByID[row.ID] != nil {
		return ProfileSeed{}, fmt.Errorf("%w: profile.id %s already exists in org %s", ErrConflict, row.ID, o.id)
	}
	if err := checkProfileName(ds, row); err != nil {
		return ProfileSeed{}, err
	}
	o.data = ds.withProfile(row)
	return ProfileSeed{ID: row.ID, Name: row.Name, ViewAllData: row.ViewAllData}, nil
}

// UpdateProfile renames a profile and returns it as stored.
func (s *Server) UpdateProfile(orgID, profileID string, name string) (ProfileSeed, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	o, err := s.lookupOrg(orgID)
	if err != nil {
		return ProfileSeed{}, err
	}
	id, _ := sfid.Normalize(profileID)
	old := o.data.profileByID[id]
	if old == nil {
		return ProfileSeed{}, fmt.Errorf("profile %q in org %s: %w", profileID, o.id, ErrNotFound)
	}
	row, err := profileFromSeed(ProfileSeed{ID: old.ID, Name: name, ViewAllData: old.ViewAllData}, "profile")
	if err != nil {
		return ProfileSeed{}, err
	}
	if err := checkProfileName(o.data, row); err != nil {
		return ProfileSeed{}, err
	}
	o.data = o.data.withProfile(row)
	return ProfileSeed{ID: row.ID, Name: row.Name, ViewAllData: row.ViewAllData}, nil
}

func checkProfileName(ds *dataset, row *profileRow) error {
	for _, p := range ds.profiles {
		if p.ID != row.ID && strings.EqualFold(p.Name, row.Name) {
			return fmt.Errorf("%w: profile.name %q is already the name of profile %s; profile names are unique in an org", ErrConflict, row.Name, p.ID)
		}
	}
	return nil
}

// State is the whole state of a Server (orgs, their records and roles,
// refresh and access tokens) as JSON-serialisable data. Open query
// locators are not part of it: like Salesforce's, they do not survive a
// restart.
type State struct {
	Orgs          []OrgState          `json:"orgs"`
	RefreshTokens []RefreshTokenState `json:"refresh_tokens"`
	AccessTokens  []AccessTokenState  `json:"access_tokens"`
}

// OrgState is one org in a State. Its RefreshTokens are empty: tokens are
// kept in State.RefreshTokens.
type OrgState struct {
	OrgSeed
	Roles []RoleState `json:"roles"`
}

// RoleState is a user role of an org.
type RoleState struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// RefreshTokenState is an issued refresh token.
type RefreshTokenState struct {
	Token     string    `json:"token"`
	OrgID     string    `json:"org_id"`
	UserID    string    `json:"user_id"`
	IssuedAt  time.Time `json:"issued_at"`
	ExpiresAt time.Time `json:"expires_at,omitzero"`
	Expired   bool      `json:"expired,omitempty"`
	Revoked   bool      `json:"revoked,omitempty"`
}

// AccessTokenState is a live session.
type AccessTokenState struct {
	Token        string    `json:"token"`
	OrgID        string    `json:"org_id"`
	UserID       string    `json:"user_id"`
	RefreshToken string    `json:"refresh_token,omitempty"`
	ExpiresAt    time.Time `json:"expires_at"`
}

// Snapshot returns the whole state; Restore(Snapshot()) is a no-op.
func (s *Server) Snapshot() State {
	s.mu.RLock()
	defer s.mu.RUnlock()
	st := State{Orgs: []OrgState{}, RefreshTokens: []RefreshTokenState{}, AccessTokens: []AccessTokenState{}}
	for _, id := range s.order {
		o := s.orgs[id]
		ost := OrgState{OrgSeed: OrgSeed{
			ID: o.id, Name: o.name, IsSandbox: o.isSandbox, ConsumerKey: o.consumerKey, ConsumerSecret: o.consumerSecret,
			CertificatePEM: o.certPEM, Profiles: []ProfileSeed{}, Users: []UserSeed{},
		}, Roles: []RoleState{}}
		for _, p := range o.data.profiles {
			ost.Profiles = append(ost.Profiles, ProfileSeed{ID: p.ID, Name: p.Name, ViewAllData: p.ViewAllData})
		}
		for _, u := range o.data.users {
			ost.Users = append(ost.Users, userSeed(o.data, u))
		}
		for _, r := range o.data.roles {
			ost.Roles = append(ost.Roles, RoleState{ID: r.ID, Name: r.Name})
		}
		st.Orgs = append(st.Orgs, ost)
	}
	for _, rt := range s.refresh {
		st.RefreshTokens = append(st.RefreshTokens, RefreshTokenState{Token: rt.token, OrgID: rt.orgID, UserID: rt.userID,
			IssuedAt: rt.issuedAt, ExpiresAt: rt.expiresAt, Expired: rt.expired, Revoked: rt.revoked})
	}
	for _, at := range s.access {
		st.AccessTokens = append(st.AccessTokens, AccessTokenState{Token: at.token, OrgID: at.orgID, UserID: at.userID,
			RefreshToken: at.refresh, ExpiresAt: at.expiresAt})
	}
	sort.Slice(st.RefreshTokens, func(i, j int) bool { return st.RefreshTokens[i].Token < st.RefreshTokens[j].Token })
	sort.Slice(st.AccessTokens, func(i, j int) bool { return st.AccessTokens[i].Token < st.AccessTokens[j].Token })
	return st
}

// Restore replaces the whole state with st (as returned by Snapshot). It is
// validated first; on error nothing changes. Open query locators are
// dropped.
func (s *Server) Restore(st State) error {
	b, err := s.build(st)
	if err != nil {
		return err
	}
	s.install(b)
	return nil
}
