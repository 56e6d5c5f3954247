package salesforce_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/salesseat/terraform-provider-salesseat/internal/sandbox/salesforce"
	"github.com/salesseat/terraform-provider-salesseat/internal/sandbox/sforg"
	"github.com/salesseat/terraform-provider-salesseat/internal/sfid"
)

const (
	orgID15  = "00D000000000001"
	bulkSize = 2500
	// injection is a search text that would widen the filter to every user
	// if it were spliced into SOQL unescaped.
	injection = `' OR Name LIKE '%`
)

// testKeys holds the connected app's key pair (PKCS #8 and PKCS #1 PEM of
// the same key) and a stranger key, generated once per test binary.
var testKeys = sync.OnceValue(func() struct{ certPEM, pkcs8, pkcs1, stranger string } {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		panic(err)
	}
	other, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		panic(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(7), Subject: pkix.Name{CommonName: "connector test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		panic(err)
	}
	p8, _ := x509.MarshalPKCS8PrivateKey(key)
	o8, _ := x509.MarshalPKCS8PrivateKey(other)
	return struct{ certPEM, pkcs8, pkcs1, stranger string }{
		certPEM:  string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})),
		pkcs8:    string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: p8})),
		pkcs1:    string(pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(key)})),
		stranger: string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: o8})),
	}
})

func id18(t testing.TB, short string) string {
	t.Helper()
	id, err := sfid.Normalize(short)
	if err != nil {
		t.Fatal(err)
	}
	return id
}

// seed is the org the connector tests run against:
//
//	#  username                   name                 active profile    role
//	1  svc@acme.com               Service Account      yes    Admin      Ops
//	2  jane.doe@acme.com          Jane Doe             yes    Sales Rep  West
//	3  john.smith@acme.com        John Smith           no     Sales Rep  -
//	4  o'brien@acme.com           Pat O'Brien          yes    Marketing  -
//	5  under_score@example.org    Uma Underscore       yes    Sales Rep  West
//	6  odd@example.org            Mallory <injection>  yes    Marketing  -
//	1000.. bulk0000@bulk.example  Bulk User N          even   Sales Rep  -
//
// and the public groups
//
//	ID               API name     members
//	00G000000000001  West_Sales   2, 5
//	00G000000000002  Marketing    3, 4, 6
//	00G000000000003  Bulk_Sample  every fifth bulk user (1000, 1005, ...): 500
func seed() sforg.OrgSeed {
	u := func(n int, username, first, last string, active bool, profile int, role string) sforg.UserSeed {
		return sforg.UserSeed{ID: fmt.Sprintf("005000000%06d", n), Username: username, Email: username, FirstName: first, LastName: last,
			Active: active, ProfileID: fmt.Sprintf("00e00000000000%d", profile), UserRoleName: role}
	}
	s := sforg.OrgSeed{
		ID: orgID15, Name: "Acme Corp", ConsumerKey: "ck-acme", ConsumerSecret: "cs-acme", CertificatePEM: testKeys().certPEM,
		Profiles: []sforg.ProfileSeed{
			{ID: "00e000000000001", Name: "System Administrator", ViewAllData: true},
			{ID: "00e000000000002", Name: "Sales Rep"},
			{ID: "00e000000000003", Name: "Marketing User"},
		},
		Users: []sforg.UserSeed{
			u(1, "svc@acme.com", "Service", "Account", true, 1, "Ops"),
			u(2, "jane.doe@acme.com", "Jane", "Doe", true, 2, "West"),
			u(3, "john.smith@acme.com", "John", "Smith", false, 2, ""),
			u(4, "o'brien@acme.com", "Pat", "O'Brien", true, 3, ""),
			u(5, "under_score@example.org", "Uma", "Underscore", true, 2, "West"),
			u(6, "odd@example.org", "Mallory", injection, true, 3, ""),
		},
		RefreshTokens: []sforg.RefreshTokenSeed{
			{Token: "rt-svc", Username: "svc@acme.com"},
			{Token: "rt-expired", Username: "svc@acme.com", ExpiresAt: time.Now().Add(-time.Minute)},
			{Token: "rt-revoked", Username: "svc@acme.com", Revoked: true},
		},
	}
	s.Groups = []sforg.GroupSeed{
		{ID: groupWest, Name: "West Sales", DeveloperName: "West_Sales", MemberIDs: []string{"005000000000002", "005000000000005"}},
		{ID: groupMarketing, Name: "Marketing", DeveloperName: "Marketing", MemberIDs: []string{"005000000000003", "005000000000004", "005000000000006"}},
		{ID: groupBulk, Name: "Bulk sample", DeveloperName: "Bulk_Sample"},
	}
	for i := range bulkSize {
		s.Users = append(s.Users, u(1000+i, fmt.Sprintf("bulk%04d@bulk.example", i), "Bulk", fmt.Sprintf("User %d", i), i%2 == 0, 2, ""))
		if i%5 == 0 {
			s.Groups[2].MemberIDs = append(s.Groups[2].MemberIDs, fmt.Sprintf("005000000%06d", 1000+i))
		}
	}
	return s
}

// The public groups of seed, by 15-character ID.
const (
	groupWest      = "00G000000000001"
	groupMarketing = "00G000000000002"
	groupBulk      = "00G000000000003"
)

// env is a simulated org behind an HTTP server that records requests.
type env struct {
	org   *sforg.Server
	url   string
	mu    sync.Mutex
	calls []string // "POST /services/oauth2/token", "GET /services/data/v63.0/query", ...
}

func newEnv(t testing.TB) *env {
	t.Helper()
	org, err := sforg.New([]sforg.OrgSeed{seed()}, sforg.Options{})
	if err != nil {
		t.Fatal(err)
	}
	e := &env{org: org}
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		e.mu.Lock()
		e.calls = append(e.calls, r.Method+" "+r.URL.Path)
		e.mu.Unlock()
		org.Handler().ServeHTTP(w, r)
	}))
	t.Cleanup(hs.Close)
	org.SetBaseURL(hs.URL)
	e.url = hs.URL
	return e
}

// count returns how many recorded requests start with prefix.
func (e *env) count(prefix string) int {
	e.mu.Lock()
	defer e.mu.Unlock()
	n := 0
	for _, c := range e.calls {
		if strings.HasPrefix(c, prefix) {
			n++
		}
	}
	return n
}

func (e *env) refreshCreds(token string) salesforce.Credentials {
	return salesforce.Credentials{LoginURL: e.url, ClientID: "ck-acme", ClientSecret: "cs-acme", RefreshToken: token}
}

func (e *env) jwtCreds(keyPEM string) salesforce.Credentials {
	return salesforce.Credentials{LoginURL: e.url + "/", ClientID: "ck-acme", Username: "svc@acme.com", PrivateKeyPEM: keyPEM}
}

func connect(t testing.TB, creds salesforce.Credentials) *salesforce.Client {
	t.Helper()
	c, err := salesforce.Connect(context.Background(), creds, salesforce.Options{})
	if err != nil {
		t.Fatalf("Connect: %v", err)
	}
	return c
}

func TestConnectGrants(t *testing.T) {
	e := newEnv(t)
	cases := map[string]salesforce.Credentials{
		"refresh token":                {LoginURL: e.url, ClientID: "ck-acme", ClientSecret: "cs-acme", RefreshToken: "rt-svc"},
		"refresh token without secret": {LoginURL: e.url, ClientID: "ck-acme", RefreshToken: "rt-svc"},
		"JWT bearer, PKCS #8 key":      e.jwtCreds(testKeys().pkcs8),
		"JWT bearer, PKCS #1 key":      e.jwtCreds(testKeys().pkcs1),
	}
	want := salesforce.Identity{OrganizationID: id18(t, orgID15), UserID: id18(t, "005000000000001"), InstanceURL: e.url}
	for name, creds := range cases {
		t.Run(name, func(t *testing.T) {
			c := connect(t, creds)
			if got := c.Identity(); got != want {
				t.Fatalf("Identity() = %+v, want %+v", got, want)
			}
			org, err := c.Organization(context.Background())
			if err != nil || org != (salesforce.Organization{ID: want.OrganizationID, Name: "Acme Corp"}) {
				t.Fatalf("Organization() = %+v, %v", org, err)
			}
		})
	}
}

func TestConnectAuthErrors(t *testing.T) {
	e := newEnv(t)
	cases := map[string]struct {
		creds salesforce.Credentials
		want  salesforce.AuthError
		text  string
	}{
		"expired refresh token": {e.refreshCreds("rt-expired"), salesforce.AuthError{Code: "invalid_grant", Description: "expired access/refresh token", Status: 400},
			"invalid_grant: expired access/refresh token"},
		"revoked refresh token": {e.refreshCreds("rt-revoked"), salesforce.AuthError{Code: "invalid_grant", Description: "token revoked", Status: 400},
			"invalid_grant: token revoked"},
		"unknown consumer key": {salesforce.Credentials{LoginURL: e.url, ClientID: "nope", RefreshToken: "rt-svc"},
			salesforce.AuthError{Code: "invalid_client_id", Description: "client identifier invalid", Status: 400}, "invalid_client_id: client identifier invalid"},
		"JWT signed by a stranger key": {e.jwtCreds(testKeys().stranger), salesforce.AuthError{Code: "invalid_grant", Description: "invalid assertion", Status: 400},
			"invalid_grant: invalid assertion"},
		"JWT for an unknown user": {salesforce.Credentials{LoginURL: e.url, ClientID: "ck-acme", Username: "nobody@acme.com", PrivateKeyPEM: testKeys().pkcs8},
			salesforce.AuthError{Code: "invalid_grant", Description: "user hasn't approved this consumer", Status: 400}, "invalid_grant: user hasn't approved this consumer"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			_, err := salesforce.Connect(context.Background(), tc.creds, salesforce.Options{})
			var ae *salesforce.AuthError
			if !errors.As(err, &ae) || *ae != tc.want || err.Error() != tc.text {
				t.Fatalf("Connect error = %#v (%v), want %+v", err, err, tc.want)
			}
		})
	}
}

func TestConnectValidatesCredentials(t *testing.T) {
	ecKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	ecDER, _ := x509.MarshalPKCS8PrivateKey(ecKey)
	ecPEM := string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: ecDER}))
	secretToken := "5Aep861VERYSECRET"
	base := salesforce.Credentials{LoginURL: "https://login.salesforce.com", ClientID: "ck", RefreshToken: secretToken}
	cases := map[string]struct {
		mod  func(c *salesforce.Credentials, o *salesforce.Options)
		want string
	}{
		"no login URL":       {func(c *salesforce.Credentials, _ *salesforce.Options) { c.LoginURL = "" }, "Credentials.LoginURL \"\" is not an absolute http(s) URL"},
		"relative login URL": {func(c *salesforce.Credentials, _ *salesforce.Options) { c.LoginURL = "login.salesforce.com" }, "is not an absolute http(s) URL"},
		"ftp login URL":      {func(c *salesforce.Credentials, _ *salesforce.Options) { c.LoginURL = "ftp://login.salesforce.com" }, "is not an absolute http(s) URL"},
		"plain http":         {func(c *salesforce.Credentials, _ *salesforce.Options) { c.LoginURL = "http://login.salesforce.com" }, "uses http"},
		"query in login URL": {func(c *salesforce.Credentials, _ *salesforce.Options) {
			c.LoginURL = "https://login.salesforce.com?x=1"
		}, "has a query or fragment"},
		"no client ID": {func(c *salesforce.Credentials, _ *salesforce.Options) { c.ClientID = "" }, "Credentials.ClientID is empty"},
		"both grants":  {func(c *salesforce.Credentials, _ *salesforce.Options) { c.PrivateKeyPEM = testKeys().pkcs8 }, "are both set"},
		"no grant":     {func(c *salesforce.Credentials, _ *salesforce.Options) { c.RefreshToken = "" }, "neither Credentials.RefreshToken nor Credentials.PrivateKeyPEM"},
		"JWT without username": {func(c *salesforce.Credentials, _ *salesforce.Options) {
			c.RefreshToken, c.PrivateKeyPEM = "", testKeys().pkcs8
		}, "Credentials.Username is empty"},
		"key not PEM": {func(c *salesforce.Credentials, _ *salesforce.Options) {
			c.RefreshToken, c.Username, c.PrivateKeyPEM = "", "svc@acme.com", "MIIEvQIBADANBgkqhkiG9w0BAQEFAASC"
		}, "Credentials.PrivateKeyPEM is not PEM-encoded"},
		"EC key": {func(c *salesforce.Credentials, _ *salesforce.Options) {
			c.RefreshToken, c.Username, c.PrivateKeyPEM = "", "svc@acme.com", ecPEM
		},
			"needs an RSA key"},
		"bad API version": {func(_ *salesforce.Credentials, o *salesforce.Options) { o.APIVersion = "sixty" }, "Options.APIVersion \"sixty\" is not an API version"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			creds, opts := base, salesforce.Options{}
			tc.mod(&creds, &opts)
			// No server: validation must fail before any network I/O.
			_, err := salesforce.Connect(context.Background(), creds, opts)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Connect error = %v, want one containing %q", err, tc.want)
			}
			if strings.Contains(err.Error(), secretToken) || strings.Contains(err.Error(), "MIIE") {
				t.Fatalf("error leaks a secret: %v", err)
			}
		})
	}
}

func TestUsers(t *testing.T) {
	e := newEnv(t)
	c := connect(t, e.refreshCreds("rt-svc"))
	yes, no := true, false
	cases := map[string]struct {
		q    salesforce.UserQuery
		want []string // usernames in ID order; "bulk:N" stands for N bulk users
	}{
		"inactive":               {salesforce.UserQuery{Active: &no, Limit: 3}, []string{"john.smith@acme.com", "bulk0001@bulk.example", "bulk0003@bulk.example"}},
		"profile IDs, 15 chars":  {salesforce.UserQuery{ProfileIDs: []string{"00e000000000003"}}, []string{"o'brien@acme.com", "odd@example.org"}},
		"profile names":          {salesforce.UserQuery{ProfileNames: []string{"System Administrator", "marketing user"}}, []string{"svc@acme.com", "o'brien@acme.com", "odd@example.org"}},
		"email domain":           {salesforce.UserQuery{EmailDomain: "example.org"}, []string{"under_score@example.org", "odd@example.org"}},
		"email domain with @":    {salesforce.UserQuery{EmailDomain: "@ACME.com", Active: &yes}, []string{"svc@acme.com", "jane.doe@acme.com", "o'brien@acme.com"}},
		"email domain is suffix": {salesforce.UserQuery{EmailDomain: "acme"}, nil},
		"search username":        {salesforce.UserQuery{Search: "JANE"}, []string{"jane.doe@acme.com"}},
		"search full name":       {salesforce.UserQuery{Search: "pat o'b"}, []string{"o'brien@acme.com"}},
		"search with quote":      {salesforce.UserQuery{Search: "o'brien"}, []string{"o'brien@acme.com"}},
		"search _ is literal":    {salesforce.UserQuery{Search: "_"}, []string{"under_score@example.org"}},
		"search % is literal":    {salesforce.UserQuery{Search: "%"}, []string{"odd@example.org"}},
		"search injection":       {salesforce.UserQuery{Search: injection}, []string{"odd@example.org"}},
		"search backslash":       {salesforce.UserQuery{Search: `\`}, nil},
		"search newline":         {salesforce.UserQuery{Search: "Jane\nDoe"}, nil},
		"IDs":                    {salesforce.UserQuery{IDs: []string{"005000000000004", id18(t, "005000000000002")}}, []string{"jane.doe@acme.com", "o'brien@acme.com"}},
		"exclude IDs":            {salesforce.UserQuery{ExcludeIDs: []string{"005000000000001", "005000000000003"}, Limit: 2}, []string{"jane.doe@acme.com", "o'brien@acme.com"}},
		"after ID":               {salesforce.UserQuery{AfterID: "005000000000005", Limit: 2}, []string{"odd@example.org", "bulk0000@bulk.example"}},
		"filters are AND-ed": {salesforce.UserQuery{Active: &yes, ProfileNames: []string{"Sales Rep"}, EmailDomain: "example.org", Search: "uma"},
			[]string{"under_score@example.org"}},
		"group, 15 chars":  {salesforce.UserQuery{GroupIDs: []string{groupWest}}, []string{"jane.doe@acme.com", "under_score@example.org"}},
		"groups, 18 chars": {salesforce.UserQuery{GroupIDs: []string{id18(t, groupWest), id18(t, groupMarketing)}}, []string{"jane.doe@acme.com", "john.smith@acme.com", "o'brien@acme.com", "under_score@example.org", "odd@example.org"}},
		"group and active": {salesforce.UserQuery{GroupIDs: []string{groupMarketing}, Active: &yes}, []string{"o'brien@acme.com", "odd@example.org"}},
		"groups, active and exclude": {salesforce.UserQuery{GroupIDs: []string{groupWest, groupMarketing}, Active: &yes, ExcludeIDs: []string{"005000000000004"}},
			[]string{"jane.doe@acme.com", "under_score@example.org", "odd@example.org"}},
		"group and IDs":      {salesforce.UserQuery{GroupIDs: []string{groupMarketing}, IDs: []string{"005000000000001", "005000000000003", "005000000000005"}}, []string{"john.smith@acme.com"}},
		"group and after ID": {salesforce.UserQuery{GroupIDs: []string{groupWest, groupMarketing}, AfterID: "005000000000003", Limit: 2}, []string{"o'brien@acme.com", "under_score@example.org"}},
		"group and search":   {salesforce.UserQuery{GroupIDs: []string{groupMarketing}, Search: "o'b"}, []string{"o'brien@acme.com"}},
		"group and profile":  {salesforce.UserQuery{GroupIDs: []string{groupWest, groupMarketing}, ProfileNames: []string{"Sales Rep"}}, []string{"jane.doe@acme.com", "john.smith@acme.com", "under_score@example.org"}},
		"nothing matches":    {salesforce.UserQuery{ProfileNames: []string{"Nobody"}}, nil},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			users, err := c.Users(context.Background(), tc.q)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, u := range users {
				got = append(got, u.Username)
			}
			if strings.Join(got, ",") != strings.Join(tc.want, ",") {
				t.Fatalf("got %q, want %q", got, tc.want)
			}
		})
	}

	t.Run("user fields", func(t *testing.T) {
		users, err := c.Users(context.Background(), salesforce.UserQuery{IDs: []string{"005000000000001", "005000000000004"}})
		if err != nil {
			t.Fatal(err)
		}
		want := []salesforce.User{
			{ID: id18(t, "005000000000001"), Username: "svc@acme.com", Email: "svc@acme.com", FirstName: "Service", LastName: "Account", Active: true,
				ProfileID: id18(t, "00e000000000001"), ProfileName: "System Administrator", UserRoleName: "Ops", ViewAllData: true},
			{ID: id18(t, "005000000000004"), Username: "o'brien@acme.com", Email: "o'brien@acme.com", FirstName: "Pat", LastName: "O'Brien", Active: true,
				ProfileID: id18(t, "00e000000000003"), ProfileName: "Marketing User"},
		}
		if len(users) != 2 || users[0] != want[0] || users[1] != want[1] {
			t.Fatalf("got %+v\nwant %+v", users, want)
		}
	})

	t.Run("bad input", func(t *testing.T) {
		cases := map[string]struct {
			q    salesforce.UserQuery
			want string
		}{
			"bad profile ID": {salesforce.UserQuery{ProfileIDs: []string{"00e000000000001", "nope"}}, "UserQuery.ProfileIDs[1]"},
			"bad ID":         {salesforce.UserQuery{IDs: []string{"x'--"}}, "UserQuery.IDs[0]"},
			"bad exclude":    {salesforce.UserQuery{ExcludeIDs: []string{"x"}}, "UserQuery.ExcludeIDs[0]"},
			"bad after":      {salesforce.UserQuery{AfterID: "' OR Id != '"}, "UserQuery.AfterID"},
			"negative limit": {salesforce.UserQuery{Limit: -1}, "UserQuery.Limit is -1"},
			"bad group ID":   {salesforce.UserQuery{GroupIDs: []string{groupWest, "nope"}}, "UserQuery.GroupIDs[1]"},
			"user ID as a group": {salesforce.UserQuery{GroupIDs: []string{"005000000000001"}},
				`UserQuery.GroupIDs[0]: invalid Salesforce ID "005000000000001": it starts with "005", but group IDs start with "00G"`},
			"too many groups": {salesforce.UserQuery{GroupIDs: manyGroupIDs(301)}, "UserQuery.GroupIDs has 301 group IDs, more than the 300 one statement holds"},
		}
		before := e.count("GET ")
		for name, tc := range cases {
			t.Run(name, func(t *testing.T) {
				if _, err := c.Users(context.Background(), tc.q); err == nil || !strings.Contains(err.Error(), tc.want) {
					t.Fatalf("Users error = %v, want one containing %q", err, tc.want)
				}
			})
		}
		if after := e.count("GET "); after != before {
			t.Fatalf("bad input sent %d queries", after-before)
		}
	})
}

// manyGroupIDs returns n distinct group IDs.
func manyGroupIDs(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("00G000000%06d", 100+i)
	}
	return out
}

func TestGroups(t *testing.T) {
	e := newEnv(t)
	c := connect(t, e.refreshCreds("rt-svc"))
	ctx := context.Background()
	before := e.count("GET /services/data/v63.0/query")
	groups, err := c.Groups(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want := []salesforce.Group{
		{ID: id18(t, groupBulk), Name: "Bulk sample", DeveloperName: "Bulk_Sample"},
		{ID: id18(t, groupMarketing), Name: "Marketing", DeveloperName: "Marketing"},
		{ID: id18(t, groupWest), Name: "West Sales", DeveloperName: "West_Sales"},
	}
	if len(groups) != len(want) || groups[0] != want[0] || groups[1] != want[1] || groups[2] != want[2] {
		t.Fatalf("Groups() = %+v\nwant %+v", groups, want)
	}
	if n := e.count("GET /services/data/v63.0/query") - before; n != 1 {
		t.Fatalf("Groups() sent %d queries, want 1", n)
	}

	// A group created later is listed, in API name order.
	if _, err := e.org.AddGroup(orgID15, sforg.GroupSeed{Name: "Account Executives", DeveloperName: "Account_Executives"}); err != nil {
		t.Fatal(err)
	}
	groups, err = c.Groups(ctx)
	if err != nil || len(groups) != 4 || groups[0].DeveloperName != "Account_Executives" || len(groups[0].ID) != 18 {
		t.Fatalf("Groups() after AddGroup = %+v, %v", groups, err)
	}
}

func TestUsersAtScale(t *testing.T) {
	e := newEnv(t)
	c := connect(t, e.refreshCreds("rt-svc"))
	ctx := context.Background()
	all, err := c.Users(ctx, salesforce.UserQuery{})
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != 6+bulkSize {
		t.Fatalf("got %d users, want %d", len(all), 6+bulkSize)
	}
	for i := 1; i < len(all); i++ {
		if all[i-1].ID >= all[i].ID {
			t.Fatalf("users not sorted by ID at %d", i)
		}
	}

	t.Run("pages follow nextRecordsUrl", func(t *testing.T) {
		before := e.count("GET /services/data/v63.0/query/01g")
		if _, err := c.Users(ctx, salesforce.UserQuery{}); err != nil {
			t.Fatal(err)
		}
		if n := e.count("GET /services/data/v63.0/query/01g") - before; n != 1 {
			t.Fatalf("%d continuation requests for %d users, want 1", n, len(all))
		}
	})

	t.Run("more IDs than one statement holds", func(t *testing.T) {
		var ids []string
		for i := 0; i < len(all); i += 3 {
			ids = append(ids, all[i].ID[:15])
		}
		got, err := c.Users(ctx, salesforce.UserQuery{IDs: ids})
		if err != nil || len(got) != len(ids) {
			t.Fatalf("got %d users (%v), want %d", len(got), err, len(ids))
		}
		for i := range got {
			if got[i].ID != all[i*3].ID {
				t.Fatalf("user %d is %s, want %s", i, got[i].ID, all[i*3].ID)
			}
		}
		limited, err := c.Users(ctx, salesforce.UserQuery{IDs: ids, Limit: 5})
		if err != nil || len(limited) != 5 || limited[4].ID != all[12].ID {
			t.Fatalf("limited: %d users, %v", len(limited), err)
		}
	})

	t.Run("more exclusions than one statement holds", func(t *testing.T) {
		var exclude []string
		for _, u := range all[:1200] {
			exclude = append(exclude, u.ID)
		}
		got, err := c.Users(ctx, salesforce.UserQuery{ExcludeIDs: exclude, Limit: 50})
		if err != nil || len(got) != 50 || got[0].ID != all[1200].ID || got[49].ID != all[1249].ID {
			t.Fatalf("got %d users starting %v (%v), want all[1200:1250]", len(got), got[:min(1, len(got))], err)
		}
		rest, err := c.Users(ctx, salesforce.UserQuery{ExcludeIDs: exclude})
		if err != nil || len(rest) != len(all)-1200 {
			t.Fatalf("got %d users (%v), want %d", len(rest), err, len(all)-1200)
		}
	})

	t.Run("users of a large group", func(t *testing.T) {
		inGroup := map[string]bool{}
		for i := 0; i < bulkSize; i += 5 {
			inGroup[id18(t, fmt.Sprintf("005000000%06d", 1000+i))] = true
		}
		// filter returns the users of list that are in the group, in order.
		filter := func(list []salesforce.User) []salesforce.User {
			var out []salesforce.User
			for _, u := range list {
				if inGroup[u.ID] {
					out = append(out, u)
				}
			}
			return out
		}
		same := func(t *testing.T, got, want []salesforce.User) {
			t.Helper()
			if len(got) != len(want) {
				t.Fatalf("got %d users, want %d", len(got), len(want))
			}
			for i := range got {
				if got[i] != want[i] {
					t.Fatalf("user %d is %s, want %s", i, got[i].ID, want[i].ID)
				}
			}
		}

		before := e.count("GET /services/data/v63.0/query")
		members, err := c.Users(ctx, salesforce.UserQuery{GroupIDs: []string{groupBulk}})
		if err != nil {
			t.Fatal(err)
		}
		same(t, members, filter(all))
		if n := e.count("GET /services/data/v63.0/query") - before; n != 1 {
			t.Fatalf("%d requests for the %d members of one group, want 1 (the semi-join)", n, len(members))
		}

		var ids []string
		for i := 0; i < len(all); i += 3 {
			ids = append(ids, all[i].ID[:15])
		}
		before = e.count("GET /services/data/v63.0/query")
		got, err := c.Users(ctx, salesforce.UserQuery{GroupIDs: []string{groupBulk}, IDs: ids})
		if err != nil {
			t.Fatal(err)
		}
		var chosen []salesforce.User
		for i := 0; i < len(all); i += 3 {
			chosen = append(chosen, all[i])
		}
		same(t, got, filter(chosen))
		if n, chunks := e.count("GET /services/data/v63.0/query")-before, (len(ids)+299)/300; n != chunks {
			t.Fatalf("%d requests for %d ID chunks", n, chunks)
		}

		var exclude []string
		for _, u := range all[:1200] {
			exclude = append(exclude, u.ID)
		}
		got, err = c.Users(ctx, salesforce.UserQuery{GroupIDs: []string{groupBulk}, ExcludeIDs: exclude, Limit: 50})
		if err != nil {
			t.Fatal(err)
		}
		same(t, got, filter(all[1200:])[:50])

		active := true
		var seen []salesforce.User
		after := ""
		for {
			page, err := c.Users(ctx, salesforce.UserQuery{GroupIDs: []string{groupBulk}, Active: &active, AfterID: after, Limit: 100})
			if err != nil {
				t.Fatal(err)
			}
			seen = append(seen, page...)
			if len(page) < 100 {
				break
			}
			after = page[len(page)-1].ID
		}
		var activeMembers []salesforce.User
		for _, u := range members {
			if u.Active {
				activeMembers = append(activeMembers, u)
			}
		}
		same(t, seen, activeMembers)
		if len(seen) != 250 {
			t.Fatalf("cursor saw %d active members, want 250", len(seen))
		}
	})

	t.Run("AfterID cursor visits every user once", func(t *testing.T) {
		var seen []salesforce.User
		after := ""
		for {
			page, err := c.Users(ctx, salesforce.UserQuery{AfterID: after, Limit: 1000})
			if err != nil {
				t.Fatal(err)
			}
			seen = append(seen, page...)
			if len(page) < 1000 {
				break
			}
			after = page[len(page)-1].ID
		}
		if len(seen) != len(all) || seen[len(seen)-1] != all[len(all)-1] {
			t.Fatalf("cursor saw %d users, want %d", len(seen), len(all))
		}
	})
}

func TestSingleRecordLookups(t *testing.T) {
	e := newEnv(t)
	c := connect(t, e.jwtCreds(testKeys().pkcs8))
	ctx := context.Background()

	u, err := c.User(ctx, "005000000000002")
	if err != nil || u.Username != "jane.doe@acme.com" || u.ID != id18(t, "005000000000002") || u.UserRoleName != "West" {
		t.Fatalf("User(15 chars) = %+v, %v", u, err)
	}
	if _, err := c.User(ctx, "005000000000099"); !errors.Is(err, salesforce.ErrNotFound) {
		t.Fatalf("User(unknown) error = %v, want ErrNotFound", err)
	}
	if _, err := c.User(ctx, "'; DROP"); err == nil || errors.Is(err, salesforce.ErrNotFound) || !errors.Is(err, sfid.ErrInvalid) {
		t.Fatalf("User(malformed) error = %v, want sfid.ErrInvalid", err)
	}
	u, err = c.UserByUsername(ctx, "O'BRIEN@acme.com")
	if err != nil || u.ID != id18(t, "005000000000004") {
		t.Fatalf("UserByUsername = %+v, %v", u, err)
	}
	if _, err := c.UserByUsername(ctx, "nobody' OR Username != '"); !errors.Is(err, salesforce.ErrNotFound) {
		t.Fatalf("UserByUsername(injection) error = %v, want ErrNotFound", err)
	}

	profiles, err := c.Profiles(ctx)
	want := []salesforce.Profile{
		{ID: id18(t, "00e000000000001"), Name: "System Administrator", ViewAllData: true},
		{ID: id18(t, "00e000000000002"), Name: "Sales Rep"},
		{ID: id18(t, "00e000000000003"), Name: "Marketing User"},
	}
	if err != nil || len(profiles) != 3 || profiles[0] != want[0] || profiles[1] != want[1] || profiles[2] != want[2] {
		t.Fatalf("Profiles() = %+v, %v", profiles, err)
	}

	active := true
	counts, err := c.ProfileUserCounts(ctx, &active)
	if err != nil || len(counts) != 3 || counts[want[0].ID] != 1 || counts[want[1].ID] != 2+bulkSize/2 || counts[want[2].ID] != 2 {
		t.Fatalf("ProfileUserCounts(active) = %v, %v", counts, err)
	}
	counts, err = c.ProfileUserCounts(ctx, nil)
	if err != nil || counts[want[1].ID] != 3+bulkSize {
		t.Fatalf("ProfileUserCounts(nil) = %v, %v", counts, err)
	}
}

func TestQueryIterator(t *testing.T) {
	e := newEnv(t)
	c := connect(t, e.refreshCreds("rt-svc"))
	ctx := context.Background()

	var recs []map[string]any
	for rec, err := range c.Query(ctx, "SELECT Id, Profile.Name, UserRole.Name FROM User WHERE Id IN ('005000000000001', '005000000000003')") {
		if err != nil {
			t.Fatal(err)
		}
		recs = append(recs, rec)
	}
	if len(recs) != 2 {
		t.Fatalf("got %d records", len(recs))
	}
	profile, _ := recs[0]["Profile"].(map[string]any)
	role, _ := recs[0]["UserRole"].(map[string]any)
	if profile["Name"] != "System Administrator" || role["Name"] != "Ops" || recs[1]["UserRole"] != nil {
		t.Fatalf("records %v", recs)
	}

	t.Run("breaking early stops paging", func(t *testing.T) {
		before := e.count("GET ")
		n := 0
		for _, err := range c.Query(ctx, "SELECT Id FROM User") {
			if err != nil {
				t.Fatal(err)
			}
			if n++; n == 2500 {
				break
			}
		}
		if got := e.count("GET ") - before; got != 2 {
			t.Fatalf("%d requests for 2500 of %d records, want 2", got, 6+bulkSize)
		}
	})

	t.Run("API errors", func(t *testing.T) {
		cases := map[string]struct {
			soql string
			code string
		}{
			"syntax":         {"SELECT FROM User", "MALFORMED_QUERY"},
			"unknown field":  {"SELECT Nope FROM User", "INVALID_FIELD"},
			"unknown object": {"SELECT Id FROM Contact", "INVALID_TYPE"},
		}
		for name, tc := range cases {
			t.Run(name, func(t *testing.T) {
				yields := 0
				var got error
				for rec, err := range c.Query(ctx, tc.soql) {
					yields++
					if rec != nil {
						t.Fatalf("record %v alongside an error", rec)
					}
					got = err
				}
				var apiErr *salesforce.APIError
				if yields != 1 || !errors.As(got, &apiErr) || apiErr.Status != 400 || !apiErr.HasCode(tc.code) ||
					!strings.HasPrefix(got.Error(), "salesforce: HTTP 400 "+tc.code+": ") {
					t.Fatalf("%d yields, error %v, want one *APIError %s", yields, got, tc.code)
				}
			})
		}
	})

	t.Run("Count", func(t *testing.T) {
		n, err := c.Count(ctx, "SELECT COUNT() FROM User WHERE IsActive = false")
		if err != nil || n != 1+bulkSize/2 {
			t.Fatalf("Count = %d, %v", n, err)
		}
	})
}

func TestSessionRefresh(t *testing.T) {
	cases := map[string]func(e *env) salesforce.Credentials{
		"refresh token": func(e *env) salesforce.Credentials { return e.refreshCreds("rt-svc") },
		"JWT bearer":    func(e *env) salesforce.Credentials { return e.jwtCreds(testKeys().pkcs8) },
	}
	for name, creds := range cases {
		t.Run(name, func(t *testing.T) {
			e := newEnv(t)
			// The client is built with a context that ends right after
			// Connect: later grants must not depend on it.
			ctx, cancel := context.WithCancel(context.Background())
			c, err := salesforce.Connect(ctx, creds(e), salesforce.Options{})
			cancel()
			if err != nil {
				t.Fatal(err)
			}
			if n := e.count("POST /services/oauth2/token"); n != 1 {
				t.Fatalf("%d grants after Connect, want 1", n)
			}
			e.org.ExpireAccessTokens(orgID15)

			var wg sync.WaitGroup
			errs := make(chan error, 8)
			for range 8 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					if _, err := c.Organization(context.Background()); err != nil {
						errs <- err
					}
				}()
			}
			wg.Wait()
			close(errs)
			for err := range errs {
				t.Fatalf("after the session ended: %v", err)
			}
			if n := e.count("POST /services/oauth2/token"); n != 2 {
				t.Fatalf("%d grants, want 2 (one new grant shared by all callers)", n)
			}
		})
	}
}

func TestRefreshTokenExpiresMidSession(t *testing.T) {
	e := newEnv(t)
	c := connect(t, e.refreshCreds("rt-svc"))
	if err := e.org.ExpireRefreshToken("rt-svc"); err != nil {
		t.Fatal(err)
	}
	_, err := c.Users(context.Background(), salesforce.UserQuery{Limit: 1})
	var ae *salesforce.AuthError
	if !errors.As(err, &ae) || ae.Code != "invalid_grant" || ae.Description != "expired access/refresh token" || ae.Status != http.StatusBadRequest {
		t.Fatalf("error = %#v, want *AuthError invalid_grant", err)
	}
	if err.Error() != "invalid_grant: expired access/refresh token" {
		t.Fatalf("Error() = %q", err.Error())
	}
	// A JWT client of the same org is unaffected.
	jc := connect(t, e.jwtCreds(testKeys().pkcs8))
	if _, err := jc.Users(context.Background(), salesforce.UserQuery{Limit: 1}); err != nil {
		t.Fatalf("JWT client: %v", err)
	}
}

func TestOptions(t *testing.T) {
	e := newEnv(t)
	t.Run("API version", func(t *testing.T) {
		c, err := salesforce.Connect(context.Background(), e.refreshCreds("rt-svc"), salesforce.Options{APIVersion: "v55.0"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := c.Organization(context.Background()); err != nil || e.count("GET /services/data/v55.0/query") != 1 {
			t.Fatalf("Organization on v55.0: %v, calls %v", err, e.calls)
		}
		old, err := salesforce.Connect(context.Background(), e.refreshCreds("rt-svc"), salesforce.Options{APIVersion: "40.0"})
		if err != nil {
			t.Fatal(err)
		}
		_, err = old.Organization(context.Background())
		var apiErr *salesforce.APIError
		if !errors.As(err, &apiErr) || apiErr.Status != 404 || !apiErr.HasCode("NOT_FOUND") {
			t.Fatalf("unsupported version: %v", err)
		}
	})
	t.Run("HTTP client", func(t *testing.T) {
		used := 0
		hc := &http.Client{Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
			used++
			return http.DefaultTransport.RoundTrip(r)
		})}
		c, err := salesforce.Connect(context.Background(), e.refreshCreds("rt-svc"), salesforce.Options{HTTPClient: hc})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := c.Profiles(context.Background()); err != nil || used != 2 {
			t.Fatalf("custom client carried %d requests (%v), want 2 (grant and query)", used, err)
		}
	})
	t.Run("canceled context", func(t *testing.T) {
		c := connect(t, e.refreshCreds("rt-svc"))
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		if _, err := c.Users(ctx, salesforce.UserQuery{}); !errors.Is(err, context.Canceled) {
			t.Fatalf("error = %v, want context.Canceled", err)
		}
	})
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }
