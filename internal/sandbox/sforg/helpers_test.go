package sforg

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io"
	"math/big"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// fakeClock is a settable clock; it starts at the real time so assertions
// signed with the real clock are valid for it.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func newFakeClock() *fakeClock { return &fakeClock{t: time.Now()} }

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// testKey is an RSA key with a self-signed certificate, as uploaded to a
// connected app.
type testKey struct {
	key     *rsa.PrivateKey
	certPEM string
	keyPEM  string
}

func newTestKey(t testing.TB) testKey {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "salesseat connected app"},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(24 * time.Hour),
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	pkcs8, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	return testKey{
		key:     key,
		certPEM: string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})),
		keyPEM:  string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: pkcs8})),
	}
}

// assertion signs a JWT bearer assertion with the given claims.
func (k testKey) assertion(t testing.TB, claims jwt.MapClaims) string {
	t.Helper()
	s, err := jwt.NewWithClaims(jwt.SigningMethodRS256, claims).SignedString(k.key)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

var (
	keyOnce   sync.Once
	sharedKey testKey
	otherKey  testKey
)

// keys returns two keys generated once per test binary: the one whose
// certificate org Acme trusts, and a stranger.
func keys(t testing.TB) (testKey, testKey) {
	keyOnce.Do(func() {
		sharedKey, otherKey = newTestKey(t), newTestKey(t)
	})
	return sharedKey, otherKey
}

// Seeds of the HTTP tests.
const (
	acmeOrg15   = "00D000000000001"
	globexOrg15 = "00D000000000002"
)

func httpSeeds(t testing.TB, clock *fakeClock) []OrgSeed {
	k, _ := keys(t)
	return []OrgSeed{
		{
			ID: acmeOrg15, Name: "Acme", ConsumerKey: "ck-acme", ConsumerSecret: "cs-acme", CertificatePEM: k.certPEM,
			Profiles: []ProfileSeed{
				{ID: "00e000000000001", Name: "System Administrator", ViewAllData: true},
				{ID: "00e000000000002", Name: "Sales Rep"},
			},
			Users: []UserSeed{
				{ID: "005000000000001", Username: "svc@acme.com", Email: "svc@acme.com", FirstName: "Service", LastName: "Account", Active: true, ProfileID: "00e000000000001"},
				{ID: "005000000000002", Username: "jane@acme.com", Email: "jane@acme.com", FirstName: "Jane", LastName: "Doe", Active: true, ProfileID: "00e000000000002", UserRoleName: "West"},
				{ID: "005000000000003", Username: "gone@acme.com", Email: "gone@acme.com", LastName: "Gone", Active: false, ProfileID: "00e000000000002"},
			},
			Groups: []GroupSeed{
				{ID: "00G000000000001", Name: "West Sales", DeveloperName: "West_Sales", MemberIDs: []string{"005000000000002", "005000000000003AAA"}},
				{Name: "Everyone", DeveloperName: "Everyone", MemberIDs: []string{"005000000000001", "005000000000002", "005000000000003"}},
			},
			RefreshTokens: []RefreshTokenSeed{
				{Token: "rt-valid", Username: "svc@acme.com"},
				{Token: "rt-expired", Username: "svc@acme.com", ExpiresAt: clock.Now().Add(-time.Hour)},
				{Token: "rt-revoked", Username: "svc@acme.com", Revoked: true},
				{Token: "rt-inactive", Username: "gone@acme.com"},
			},
		},
		{
			ID: globexOrg15, Name: "Globex", IsSandbox: true, ConsumerKey: "ck-globex",
			Profiles: []ProfileSeed{{ID: "00e000000000009", Name: "System Administrator", ViewAllData: true}},
			Users: []UserSeed{
				{ID: "005000000000009", Username: "svc@globex.com", Email: "svc@globex.com", LastName: "Service", Active: true, ProfileID: "00e000000000009"},
			},
			RefreshTokens: []RefreshTokenSeed{{Token: "rt-globex", Username: "svc@globex.com"}},
		},
	}
}

// testEnv is a Server behind an httptest.Server.
type testEnv struct {
	srv   *Server
	http  *httptest.Server
	clock *fakeClock
}

func newTestEnv(t testing.TB, seeds func(*fakeClock) []OrgSeed) *testEnv {
	t.Helper()
	clock := newFakeClock()
	srv, err := New(seeds(clock), Options{Now: clock.Now, AccessTokenTTL: time.Hour})
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	hs := httptest.NewServer(srv.Handler())
	t.Cleanup(hs.Close)
	srv.SetBaseURL(hs.URL)
	return &testEnv{srv: srv, http: hs, clock: clock}
}

// postToken sends a form to the token endpoint and decodes the JSON body.
func (e *testEnv) postToken(t testing.TB, form url.Values) (int, map[string]any) {
	t.Helper()
	resp, err := postForm(t.Context(), e.http.URL+"/services/oauth2/token", form)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		t.Fatalf("token endpoint answered non-JSON: %v", err)
	}
	return resp.StatusCode, body
}

// login runs the refresh-token grant and returns the access token.
func (e *testEnv) login(t testing.TB, clientID, refreshToken string) string {
	t.Helper()
	token, err := e.tryLogin(clientID, refreshToken)
	if err != nil {
		t.Fatal(err)
	}
	return token
}

// tryLogin is login for goroutines other than the test's.
func (e *testEnv) tryLogin(clientID, refreshToken string) (string, error) {
	resp, err := postForm(context.Background(), e.http.URL+"/services/oauth2/token", url.Values{"grant_type": {"refresh_token"}, "client_id": {clientID}, "refresh_token": {refreshToken}})
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	var body struct {
		AccessToken string `json:"access_token"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil || resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("login failed: HTTP %d (%w)", resp.StatusCode, err)
	}
	return body.AccessToken, nil
}

// tryGet is get for goroutines other than the test's.
func (e *testEnv) tryGet(path, token string) (int, []byte, error) {
	req, err := http.NewRequestWithContext(context.Background(), http.MethodGet, e.http.URL+path, nil)
	if err != nil {
		return 0, nil, err
	}
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	return resp.StatusCode, body, err
}

// get sends an authorized GET and returns status, headers and raw body.
func (e *testEnv) get(t testing.TB, path, token string, header map[string]string) (int, http.Header, []byte) {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, e.http.URL+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, resp.Header, body
}

func queryPath(version, soql string) string {
	return fmt.Sprintf("/services/data/v%s/query?q=%s", version, url.QueryEscape(soql))
}

// apiErrors decodes Salesforce's error array.
func apiErrors(t testing.TB, body []byte) []apiError {
	t.Helper()
	var errs []apiError
	if err := json.Unmarshal(body, &errs); err != nil {
		t.Fatalf("body is not an error array: %v: %s", err, body)
	}
	return errs
}

// manyUsersSeed is one org with n active users plus a service account.
func manyUsersSeed(n int) func(*fakeClock) []OrgSeed {
	return func(*fakeClock) []OrgSeed {
		seed := OrgSeed{
			ID: acmeOrg15, Name: "Big", ConsumerKey: "ck-big",
			Profiles:      []ProfileSeed{{ID: "00e000000000001", Name: "System Administrator", ViewAllData: true}, {ID: "00e000000000002", Name: "Sales Rep"}},
			Users:         []UserSeed{{Username: "svc@big.com", Email: "svc@big.com", LastName: "Service", Active: true, ProfileID: "00e000000000001"}},
			RefreshTokens: []RefreshTokenSeed{{Token: "rt-big", Username: "svc@big.com"}},
		}
		for i := range n {
			domain := "acme.com"
			if i%3 == 0 {
				domain = "example.org"
			}
			seed.Users = append(seed.Users, UserSeed{
				Username: fmt.Sprintf("user%05d@%s", i, domain), Email: fmt.Sprintf("user%05d@%s", i, domain),
				FirstName: "User", LastName: fmt.Sprintf("Number %d", i), Active: i%10 != 0, ProfileID: "00e000000000002",
				UserRoleName: []string{"East", "West", ""}[i%3],
			})
		}
		return []OrgSeed{seed}
	}
}

func mustContain(t testing.TB, got, want string) {
	t.Helper()
	if !strings.Contains(got, want) {
		t.Fatalf("%q does not contain %q", got, want)
	}
}

// nextRecordsURL reads nextRecordsUrl from a query page ("" when done).
func nextRecordsURL(t testing.TB, body []byte) string {
	t.Helper()
	var page struct {
		NextRecordsURL string `json:"nextRecordsUrl"`
	}
	if err := json.Unmarshal(body, &page); err != nil {
		t.Fatal(err)
	}
	return page.NextRecordsURL
}

// postForm is http.PostForm with a context.
func postForm(ctx context.Context, target string, form url.Values) (*http.Response, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, target, strings.NewReader(form.Encode()))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return http.DefaultClient.Do(req)
}
