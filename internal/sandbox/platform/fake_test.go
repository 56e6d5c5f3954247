package platform_test

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/salesseat/terraform-provider-salesseat/internal/sandbox/platform"
	"github.com/salesseat/terraform-provider-salesseat/internal/sandbox/salesforce"
	"github.com/salesseat/terraform-provider-salesseat/internal/sfid"
)

// fakeOrg is an in-memory Salesforce org behind the CRM interface. Refresh
// tokens can expire; every session then fails with invalid_grant, as a real
// client does when its token refresh fails.
type fakeOrg struct {
	mu       sync.Mutex
	id       string
	profiles []salesforce.Profile
	users    map[string]salesforce.User
	groups   []salesforce.Group
	members  map[string][]string // group ID -> user IDs
	tokens   map[string]string   // refresh token -> username
	expired  map[string]bool     // refresh token -> expired
	dials    int

	// barrier, when set, holds every User call until that many have
	// arrived, so concurrent imports reach the platform's lock together.
	barrier  int
	arrived  int
	released chan struct{}
}

// holdUserCalls makes the next n User calls wait for each other.
func (o *fakeOrg) holdUserCalls(n int) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.barrier, o.arrived, o.released = n, 0, make(chan struct{})
}

const (
	svcUsername = "integration@acme.example"
	goodToken   = "refresh-token-1"
	otherToken  = "refresh-token-other-org" // dials env.other
)

var (
	profAdmin       = sfid.FromSeq("00e", "5A", 1)
	profSalesRep    = sfid.FromSeq("00e", "5A", 2)
	profSalesMgr    = sfid.FromSeq("00e", "5A", 3)
	profMarketing   = sfid.FromSeq("00e", "5A", 4)
	profIntegration = sfid.FromSeq("00e", "5A", 5)
)

func newFakeOrg() *fakeOrg {
	o := &fakeOrg{
		id: sfid.FromSeq("00D", "5A", 1),
		profiles: []salesforce.Profile{
			{ID: profAdmin, Name: "System Administrator", ViewAllData: true},
			{ID: profSalesRep, Name: "Sales Rep"},
			{ID: profSalesMgr, Name: "Sales Manager"},
			{ID: profMarketing, Name: "Marketing User"},
			{ID: profIntegration, Name: "Integration User", ViewAllData: true},
		},
		users:   map[string]salesforce.User{},
		members: map[string][]string{},
		tokens:  map[string]string{goodToken: svcUsername},
		expired: map[string]bool{},
	}
	o.addUser(1, svcUsername, svcUsername, "Integration", "User", true, profIntegration)
	return o
}

// addUser adds user number seq and returns its ID.
func (o *fakeOrg) addUser(seq int, username, email, first, last string, active bool, profileID string) string {
	o.mu.Lock()
	defer o.mu.Unlock()
	u := salesforce.User{
		ID: sfid.FromSeq("005", "5A", seq), Username: username, Email: email, FirstName: first, LastName: last,
		Active: active, ProfileID: profileID,
	}
	for _, p := range o.profiles {
		if p.ID == profileID {
			u.ProfileName, u.ViewAllData = p.Name, p.ViewAllData
		}
	}
	o.users[u.ID] = u
	return u.ID
}

// addGroup adds public group number seq with its members and returns its ID.
func (o *fakeOrg) addGroup(seq int, developerName string, memberIDs ...string) string {
	o.mu.Lock()
	defer o.mu.Unlock()
	g := salesforce.Group{ID: sfid.FromSeq("00G", "5A", seq), Name: strings.ReplaceAll(developerName, "_", " "), DeveloperName: developerName}
	o.groups = append(o.groups, g)
	o.members[g.ID] = memberIDs
	return g.ID
}

// deleteGroup deletes a group.
func (o *fakeOrg) deleteGroup(groupID string) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.groups = slices.DeleteFunc(o.groups, func(g salesforce.Group) bool { return g.ID == groupID })
	delete(o.members, groupID)
}

// setMembers replaces the members of a group.
func (o *fakeOrg) setMembers(groupID string, memberIDs ...string) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.members[groupID] = memberIDs
}

func (o *fakeOrg) setActive(id string, active bool) {
	o.mu.Lock()
	defer o.mu.Unlock()
	u := o.users[id]
	u.Active = active
	o.users[id] = u
}

func (o *fakeOrg) expire(token string) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.expired[token] = true
}

func (o *fakeOrg) dialCount() int {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.dials
}

var errExpired = &salesforce.AuthError{Code: "invalid_grant", Description: "expired access/refresh token", Status: 400}

// dial is the platform.Dialer of the fake.
func (o *fakeOrg) dial(_ context.Context, creds salesforce.Credentials) (platform.CRM, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.dials++
	if strings.Contains(creds.LoginURL, "unreachable") {
		return nil, fmt.Errorf("salesforce: requesting an access token: dial tcp: lookup %s: no such host", creds.LoginURL)
	}
	if creds.ClientID != "consumer-key" {
		return nil, &salesforce.AuthError{Code: "invalid_client_id", Description: "client identifier invalid", Status: 400}
	}
	var username string
	switch {
	case creds.RefreshToken != "":
		u, ok := o.tokens[creds.RefreshToken]
		if !ok {
			return nil, &salesforce.AuthError{Code: "invalid_grant", Description: "authentication failure", Status: 400}
		}
		if o.expired[creds.RefreshToken] {
			return nil, errExpired
		}
		username = u
	case creds.PrivateKeyPEM != "":
		username = creds.Username
	default:
		return nil, fmt.Errorf("no credentials")
	}
	for _, u := range o.users {
		if strings.EqualFold(u.Username, username) {
			return &fakeCRM{org: o, token: creds.RefreshToken, ident: salesforce.Identity{
				OrganizationID: o.id, UserID: u.ID, InstanceURL: "https://acme.example.my.salesforce.com",
			}}, nil
		}
	}
	return nil, &salesforce.AuthError{Code: "invalid_grant", Description: "user hasn't approved this consumer", Status: 400}
}

type fakeCRM struct {
	org   *fakeOrg
	token string
	ident salesforce.Identity
}

func (c *fakeCRM) check() error {
	if c.token != "" && c.org.expired[c.token] {
		return errExpired
	}
	return nil
}

func (c *fakeCRM) Identity() salesforce.Identity { return c.ident }

func (c *fakeCRM) Users(_ context.Context, q salesforce.UserQuery) ([]salesforce.User, error) {
	c.org.mu.Lock()
	defer c.org.mu.Unlock()
	if err := c.check(); err != nil {
		return nil, err
	}
	var out []salesforce.User
	for _, u := range c.org.users {
		if q.Active != nil && u.Active != *q.Active ||
			len(q.ProfileIDs) > 0 && !slices.Contains(q.ProfileIDs, u.ProfileID) ||
			len(q.ProfileNames) > 0 && !slices.Contains(q.ProfileNames, u.ProfileName) ||
			q.EmailDomain != "" && !strings.HasSuffix(strings.ToLower(u.Email), "@"+strings.ToLower(q.EmailDomain)) ||
			q.Search != "" && !strings.Contains(strings.ToLower(u.Username+" "+u.Email+" "+u.FirstName+" "+u.LastName), strings.ToLower(q.Search)) ||
			q.IDs != nil && !slices.Contains(q.IDs, u.ID) ||
			len(q.GroupIDs) > 0 && !slices.ContainsFunc(q.GroupIDs, func(g string) bool { return slices.Contains(c.org.members[g], u.ID) }) ||
			slices.Contains(q.ExcludeIDs, u.ID) ||
			q.AfterID != "" && u.ID <= q.AfterID {
			continue
		}
		out = append(out, u)
	}
	slices.SortFunc(out, func(a, b salesforce.User) int { return strings.Compare(a.ID, b.ID) })
	if q.Limit > 0 && len(out) > q.Limit {
		out = out[:q.Limit]
	}
	return out, nil
}

func (c *fakeCRM) Groups(context.Context) ([]salesforce.Group, error) {
	c.org.mu.Lock()
	defer c.org.mu.Unlock()
	if err := c.check(); err != nil {
		return nil, err
	}
	return slices.Clone(c.org.groups), nil
}

func (c *fakeCRM) User(_ context.Context, id string) (salesforce.User, error) {
	c.org.mu.Lock()
	if c.org.barrier > 0 {
		c.org.arrived++
		if c.org.arrived == c.org.barrier {
			close(c.org.released)
			c.org.barrier = 0
		}
		released := c.org.released
		c.org.mu.Unlock()
		<-released
		c.org.mu.Lock()
	}
	defer c.org.mu.Unlock()
	if err := c.check(); err != nil {
		return salesforce.User{}, err
	}
	u, ok := c.org.users[id]
	if !ok {
		return salesforce.User{}, fmt.Errorf("user %s: %w", id, salesforce.ErrNotFound)
	}
	return u, nil
}

func (c *fakeCRM) UserByUsername(_ context.Context, username string) (salesforce.User, error) {
	c.org.mu.Lock()
	defer c.org.mu.Unlock()
	if err := c.check(); err != nil {
		return salesforce.User{}, err
	}
	for _, u := range c.org.users {
		if strings.EqualFold(u.Username, username) {
			return u, nil
		}
	}
	return salesforce.User{}, fmt.Errorf("user %q: %w", username, salesforce.ErrNotFound)
}

func (c *fakeCRM) Profiles(context.Context) ([]salesforce.Profile, error) {
	c.org.mu.Lock()
	defer c.org.mu.Unlock()
	if err := c.check(); err != nil {
		return nil, err
	}
	return slices.Clone(c.org.profiles), nil
}

func (c *fakeCRM) Organization(context.Context) (salesforce.Organization, error) {
	c.org.mu.Lock()
	defer c.org.mu.Unlock()
	if err := c.check(); err != nil {
		return salesforce.Organization{}, err
	}
	return salesforce.Organization{ID: c.org.id, Name: "Acme Sandbox", IsSandbox: true}, nil
}

// clock is a settable test clock.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// env is a platform wired to a fake org with one connection.
type env struct {
	p     *platform.Platform
	org   *fakeOrg
	other *fakeOrg // a second org, reached by connectOther
	clock *clock
	conn  platform.Connection
}

type envOptions struct {
	seatLimit     int
	platformUsers []platform.PlatformUserSeed
	recycleBin    []platform.RecycleBinSeed
	userSync      *bool
	automatic     bool
	noConnection  bool
}

func newEnv(t *testing.T, opts envOptions) *env {
	t.Helper()
	org := newFakeOrg()
	clk := &clock{now: time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)}
	if opts.seatLimit == 0 {
		opts.seatLimit = 25
	}
	other := newFakeOrg()
	other.id = sfid.FromSeq("00D", "5A", 2)
	other.tokens = map[string]string{otherToken: svcUsername}
	dial := func(ctx context.Context, creds salesforce.Credentials) (platform.CRM, error) {
		if creds.RefreshToken == otherToken {
			return other.dial(ctx, creds)
		}
		return org.dial(ctx, creds)
	}
	p := platform.New(platform.Seed{
		AccountName: "Acme Corp", SeatLimit: opts.seatLimit,
		PlatformUsers: opts.platformUsers, RecycleBin: opts.recycleBin,
		APIClients: []platform.APIClientSeed{{ClientID: "cli", ClientSecret: "sec", Scopes: []string{platform.ScopeRead, platform.ScopeWrite}}},
	}, dial, platform.Options{Now: clk.Now})
	e := &env{p: p, org: org, other: other, clock: clk}
	if !opts.noConnection {
		e.conn = e.connect(t, opts.userSync, opts.automatic)
	}
	return e
}

func (e *env) connect(t *testing.T, userSync *bool, automatic bool) platform.Connection {
	t.Helper()
	c, err := e.p.CreateConnection(context.Background(), platform.ConnectionInput{
		Name: "Acme Sandbox", Environment: platform.EnvironmentSandbox, ServiceUsername: svcUsername,
		OAuthClientID: "consumer-key", RefreshToken: goodToken, UserSync: userSync, AutomaticUserSync: &automatic,
	})
	if err != nil {
		t.Fatalf("CreateConnection: %v", err)
	}
	return c
}

// connectOther creates a connection to the second org.
func (e *env) connectOther(t *testing.T) platform.Connection {
	t.Helper()
	c, err := e.p.CreateConnection(context.Background(), platform.ConnectionInput{
		Name: "Other Org", Environment: platform.EnvironmentSandbox, ServiceUsername: svcUsername,
		OAuthClientID: "consumer-key", RefreshToken: otherToken,
	})
	if err != nil {
		t.Fatalf("CreateConnection to the other org: %v", err)
	}
	return c
}

func (e *env) mapProfile(t *testing.T, profileID, role string) platform.RoleMapping {
	t.Helper()
	m, err := e.p.CreateRoleMapping(context.Background(), platform.RoleMappingInput{ConnectionID: e.conn.ID, CRMProfileID: profileID, Role: role})
	if err != nil {
		t.Fatalf("CreateRoleMapping: %v", err)
	}
	return m
}

func (e *env) importUser(t *testing.T, crmUserID string) platform.SalesUser {
	t.Helper()
	su, err := e.p.CreateSalesUser(context.Background(), platform.SalesUserInput{ConnectionID: e.conn.ID, CRMUserID: crmUserID})
	if err != nil {
		t.Fatalf("CreateSalesUser(%s): %v", crmUserID, err)
	}
	return su
}

// requireProblem fails unless err is a *Problem with the code, whose
// extension members include ext. (Statuses are the HTTP layer's.)
// It returns the problem by value, so callers may ignore it.
func requireProblem(t *testing.T, err error, code string, ext map[string]any) platform.Problem {
	t.Helper()
	if err == nil {
		t.Fatalf("got no error, want %s", code)
	}
	prob := platform.AsProblem(err)
	if prob.Code != code {
		t.Fatalf("got %s (%s), want %s", prob.Code, prob.Detail, code)
	}
	for k, want := range ext {
		if got := prob.Ext[k]; fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("%s: ext %s = %v, want %v", code, k, got, want)
		}
	}
	return *prob
}

var testKey = sync.OnceValues(func() (string, error) {
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return "", err
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(k)})), nil
})

func testKeyPEM(t *testing.T) string {
	t.Helper()
	k, err := testKey()
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func ptr[T any](v T) *T { return &v }
