package sforg

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/url"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

func TestRefreshTokenGrant(t *testing.T) {
	env := newTestEnv(t, func(c *fakeClock) []OrgSeed { return httpSeeds(t, c) })
	status, body := env.postToken(t, url.Values{
		"grant_type": {"refresh_token"}, "client_id": {"ck-acme"}, "client_secret": {"cs-acme"}, "refresh_token": {"rt-valid"},
	})
	if status != http.StatusOK {
		t.Fatalf("status %d: %v", status, body)
	}
	org, user := id18(t, acmeOrg15), id18(t, "005000000000001")
	keys := make([]string, 0, len(body))
	for k := range body {
		keys = append(keys, k)
	}
	wantKeys := []string{"access_token", "id", "instance_url", "issued_at", "scope", "signature", "token_type"}
	if !sameSet(keys, wantKeys) {
		t.Fatalf("token response members %v, want %v", keys, wantKeys)
	}
	if token, _ := body["access_token"].(string); !strings.HasPrefix(token, acmeOrg15+"!") {
		t.Errorf("access_token %q does not start with the 15-character org ID and '!'", body["access_token"])
	}
	idURL := env.http.URL + "/id/" + org + "/" + user
	if body["instance_url"] != env.http.URL || body["id"] != idURL || body["token_type"] != "Bearer" || body["scope"] != "api refresh_token" {
		t.Errorf("token response %v", body)
	}
	issuedAt, _ := body["issued_at"].(string)
	if ms, err := strconv.ParseInt(issuedAt, 10, 64); err != nil || ms != env.clock.Now().UnixMilli() {
		t.Errorf("issued_at %q is not the clock in milliseconds", issuedAt)
	}
	mac := hmac.New(sha256.New, []byte("cs-acme"))
	mac.Write([]byte(idURL + issuedAt))
	if body["signature"] != base64.StdEncoding.EncodeToString(mac.Sum(nil)) {
		t.Errorf("signature %q is not HMAC-SHA256(id + issued_at) with the consumer secret", body["signature"])
	}
}

func TestTokenEndpointErrors(t *testing.T) {
	env := newTestEnv(t, func(c *fakeClock) []OrgSeed { return httpSeeds(t, c) })
	adminExpired, err := env.srv.MintRefreshToken(acmeOrg15, "svc@acme.com", 0)
	if err != nil {
		t.Fatal(err)
	}
	if err := env.srv.ExpireRefreshToken(adminExpired); err != nil {
		t.Fatal(err)
	}
	adminRevoked, _ := env.srv.MintRefreshToken(acmeOrg15, "svc@acme.com", 0)
	if err := env.srv.RevokeRefreshToken(adminRevoked); err != nil {
		t.Fatal(err)
	}
	shortLived, _ := env.srv.MintRefreshToken(acmeOrg15, "svc@acme.com", time.Minute)
	env.clock.Advance(2 * time.Minute)

	refresh := func(clientID, token string) url.Values {
		return url.Values{"grant_type": {"refresh_token"}, "client_id": {clientID}, "refresh_token": {token}}
	}
	cases := map[string]struct {
		form     url.Values
		code     string
		desc     string
		wantHTTP int
	}{
		"unknown client":        {refresh("ck-nobody", "rt-valid"), "invalid_client_id", "client identifier invalid", 400},
		"missing client":        {url.Values{"grant_type": {"refresh_token"}, "refresh_token": {"rt-valid"}}, "invalid_client_id", "client identifier invalid", 400},
		"wrong client secret":   {url.Values{"grant_type": {"refresh_token"}, "client_id": {"ck-acme"}, "client_secret": {"nope"}, "refresh_token": {"rt-valid"}}, "invalid_client", "invalid client credentials", 400},
		"unknown refresh token": {refresh("ck-acme", "rt-nope"), "invalid_grant", "expired access/refresh token", 400},
		"seeded expired token":  {refresh("ck-acme", "rt-expired"), "invalid_grant", "expired access/refresh token", 400},
		"admin-expired token":   {refresh("ck-acme", adminExpired), "invalid_grant", "expired access/refresh token", 400},
		"lifetime elapsed":      {refresh("ck-acme", shortLived), "invalid_grant", "expired access/refresh token", 400},
		"seeded revoked token":  {refresh("ck-acme", "rt-revoked"), "invalid_grant", "token revoked", 400},
		"admin-revoked token":   {refresh("ck-acme", adminRevoked), "invalid_grant", "token revoked", 400},
		"other org's token":     {refresh("ck-acme", "rt-globex"), "invalid_grant", "expired access/refresh token", 400},
		"inactive user":         {refresh("ck-acme", "rt-inactive"), "invalid_grant", "authentication failure", 400},
		"no grant type":         {url.Values{"client_id": {"ck-acme"}}, "unsupported_grant_type", "grant type not supported", 400},
		"password grant":        {url.Values{"grant_type": {"password"}, "client_id": {"ck-acme"}}, "unsupported_grant_type", "grant type not supported", 400},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			status, body := env.postToken(t, tc.form)
			want := map[string]any{"error": tc.code, "error_description": tc.desc}
			if status != tc.wantHTTP || !reflect.DeepEqual(body, want) {
				t.Fatalf("got %d %v, want %d %v", status, body, tc.wantHTTP, want)
			}
		})
	}

	t.Run("GET is refused", func(t *testing.T) {
		status, _, body := env.get(t, "/services/oauth2/token", "", nil)
		if status != http.StatusBadRequest {
			t.Fatalf("status %d: %s", status, body)
		}
		mustContain(t, string(body), `"must use HTTP POST"`)
	})
}

func TestJWTBearerGrant(t *testing.T) {
	env := newTestEnv(t, func(c *fakeClock) []OrgSeed { return httpSeeds(t, c) })
	good, stranger := keys(t)
	now := env.clock.Now()
	claims := func(mod func(jwt.MapClaims)) jwt.MapClaims {
		c := jwt.MapClaims{"iss": "ck-acme", "sub": "svc@acme.com", "aud": "https://login.salesforce.com", "exp": now.Add(2 * time.Minute).Unix()}
		if mod != nil {
			mod(c)
		}
		return c
	}
	hs256, err := jwt.NewWithClaims(jwt.SigningMethodHS256, claims(nil)).SignedString([]byte("secret"))
	if err != nil {
		t.Fatal(err)
	}
	cases := map[string]struct {
		assertion string
		code      string // "" = success
		desc      string
	}{
		"production audience":       {assertion: good.assertion(t, claims(nil))},
		"sandbox audience":          {assertion: good.assertion(t, claims(func(c jwt.MapClaims) { c["aud"] = "https://test.salesforce.com" }))},
		"server's own URL":          {assertion: good.assertion(t, claims(func(c jwt.MapClaims) { c["aud"] = env.http.URL }))},
		"audience list":             {assertion: good.assertion(t, claims(func(c jwt.MapClaims) { c["aud"] = []string{"https://elsewhere", "https://login.salesforce.com/"} }))},
		"username ignores case":     {assertion: good.assertion(t, claims(func(c jwt.MapClaims) { c["sub"] = "SVC@ACME.COM" }))},
		"bad signature":             {good.assertion(t, claims(nil))[:len(good.assertion(t, claims(nil)))-4] + "AAAA", "invalid_grant", "invalid assertion"},
		"signed by another key":     {stranger.assertion(t, claims(nil)), "invalid_grant", "invalid assertion"},
		"HS256":                     {hs256, "invalid_grant", "invalid assertion"},
		"wrong audience":            {good.assertion(t, claims(func(c jwt.MapClaims) { c["aud"] = "https://evil.example" })), "invalid_grant", "invalid assertion"},
		"no audience":               {good.assertion(t, claims(func(c jwt.MapClaims) { delete(c, "aud") })), "invalid_grant", "invalid assertion"},
		"expired":                   {good.assertion(t, claims(func(c jwt.MapClaims) { c["exp"] = now.Add(-5 * time.Minute).Unix() })), "invalid_grant", "invalid assertion"},
		"exp in five minutes":       {assertion: good.assertion(t, claims(func(c jwt.MapClaims) { c["exp"] = now.Add(5 * time.Minute).Unix() }))},
		"exp as a string":           {assertion: good.assertion(t, claims(func(c jwt.MapClaims) { c["exp"] = strconv.FormatInt(now.Add(2*time.Minute).Unix(), 10) }))},
		"exp too far ahead":         {good.assertion(t, claims(func(c jwt.MapClaims) { c["exp"] = now.Add(10 * time.Minute).Unix() })), "invalid_grant", "invalid assertion"},
		"no exp":                    {good.assertion(t, claims(func(c jwt.MapClaims) { delete(c, "exp") })), "invalid_grant", "invalid assertion"},
		"not a JWT":                 {"not-a-jwt", "invalid_grant", "invalid assertion"},
		"empty assertion":           {"", "invalid_grant", "invalid assertion"},
		"unknown consumer key":      {good.assertion(t, claims(func(c jwt.MapClaims) { c["iss"] = "ck-nobody" })), "invalid_client_id", "client identifier invalid"},
		"org without a certificate": {good.assertion(t, claims(func(c jwt.MapClaims) { c["iss"], c["sub"] = "ck-globex", "svc@globex.com" })), "invalid_grant", "invalid assertion"},
		"unknown user":              {good.assertion(t, claims(func(c jwt.MapClaims) { c["sub"] = "nobody@acme.com" })), "invalid_grant", "user hasn't approved this consumer"},
		"user of another org":       {good.assertion(t, claims(func(c jwt.MapClaims) { c["sub"] = "svc@globex.com" })), "invalid_grant", "user hasn't approved this consumer"},
		"inactive user":             {good.assertion(t, claims(func(c jwt.MapClaims) { c["sub"] = "gone@acme.com" })), "invalid_grant", "authentication failure"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			status, body := env.postToken(t, url.Values{"grant_type": {"urn:ietf:params:oauth:grant-type:jwt-bearer"}, "assertion": {tc.assertion}})
			if tc.code == "" {
				if status != http.StatusOK || body["id"] != env.http.URL+"/id/"+id18(t, acmeOrg15)+"/"+id18(t, "005000000000001") {
					t.Fatalf("got %d %v, want a token for svc@acme.com", status, body)
				}
				return
			}
			want := map[string]any{"error": tc.code, "error_description": tc.desc}
			if status != http.StatusBadRequest || !reflect.DeepEqual(body, want) {
				t.Fatalf("got %d %v, want 400 %v", status, body, want)
			}
		})
	}
}

func TestIdentityServices(t *testing.T) {
	env := newTestEnv(t, func(c *fakeClock) []OrgSeed { return httpSeeds(t, c) })
	token := env.login(t, "ck-acme", "rt-valid")
	org, svc, jane := id18(t, acmeOrg15), id18(t, "005000000000001"), id18(t, "005000000000002")
	cases := map[string]struct {
		path     string
		token    string
		status   int
		contains string
	}{
		"userinfo":                       {"/services/oauth2/userinfo", token, 200, `"preferred_username":"svc@acme.com"`},
		"userinfo without token":         {"/services/oauth2/userinfo", "", 403, "Bad_OAuth_Token"},
		"own identity URL":               {"/id/" + org + "/" + svc, token, 200, `"id":"` + env.http.URL + "/id/" + org + "/" + svc + `"`},
		"colleague, 15 chars":            {"/id/" + acmeOrg15 + "/005000000000002", token, 200, `"user_id":"` + jane + `","user_type":"STANDARD","username":"jane@acme.com"`},
		"identity URL of a stranger org": {"/id/" + id18(t, globexOrg15) + "/" + id18(t, "005000000000009"), token, 404, "Bad_Id"},
		"malformed identity URL":         {"/id/nope", token, 404, "Bad_Id"},
		"identity without token":         {"/id/" + org + "/" + svc, "", 403, "Bad_OAuth_Token"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			status, _, body := env.get(t, tc.path, tc.token, nil)
			if status != tc.status {
				t.Fatalf("status %d, want %d: %s", status, tc.status, body)
			}
			mustContain(t, string(body), tc.contains)
		})
	}
}

func TestVersions(t *testing.T) {
	env := newTestEnv(t, func(c *fakeClock) []OrgSeed { return httpSeeds(t, c) })
	for _, path := range []string{"/services/data/", "/services/data"} {
		status, _, body := env.get(t, path, "", nil)
		var versions []struct{ Label, URL, Version string }
		if err := json.Unmarshal(body, &versions); err != nil || status != http.StatusOK {
			t.Fatalf("GET %s: %d %s", path, status, body)
		}
		if len(versions) != 14 || versions[0].Version != "50.0" || versions[13].Version != "63.0" ||
			versions[13].URL != "/services/data/v63.0" || versions[13].Label != "Spring '25" {
			t.Fatalf("GET %s = %+v", path, versions)
		}
	}
}

func TestQueryEndpoint(t *testing.T) {
	env := newTestEnv(t, func(c *fakeClock) []OrgSeed { return httpSeeds(t, c) })
	token := env.login(t, "ck-acme", "rt-valid")
	globex := env.login(t, "ck-globex", "rt-globex")
	cases := map[string]struct {
		path      string
		token     string
		status    int
		code      string // error code, or "" for success
		usernames []string
	}{
		"v63.0":                     {path: queryPath("63.0", "SELECT Username FROM User WHERE IsActive = true"), token: token, status: 200, usernames: []string{"svc@acme.com", "jane@acme.com"}},
		"v50.0":                     {path: queryPath("50.0", "SELECT Username FROM User WHERE Username = 'jane@acme.com'"), token: token, status: 200, usernames: []string{"jane@acme.com"}},
		"trailing slash":            {path: "/services/data/v60.0/query/?q=" + url.QueryEscape("SELECT Username FROM User WHERE LastName = 'Gone'"), token: token, status: 200, usernames: []string{"gone@acme.com"}},
		"queryAll":                  {path: "/services/data/v60.0/queryAll?q=" + url.QueryEscape("SELECT Username FROM User WHERE LastName = 'Gone'"), token: token, status: 200, usernames: []string{"gone@acme.com"}},
		"other org sees its own":    {path: queryPath("63.0", "SELECT Username FROM User"), token: globex, status: 200, usernames: []string{"svc@globex.com"}},
		"v49.0":                     {path: queryPath("49.0", "SELECT Id FROM User"), token: token, status: 404, code: CodeNotFound},
		"v64.0":                     {path: queryPath("64.0", "SELECT Id FROM User"), token: token, status: 404, code: CodeNotFound},
		"v63 without minor":         {path: queryPath("63", "SELECT Id FROM User"), token: token, status: 404, code: CodeNotFound},
		"v63.1":                     {path: queryPath("63.1", "SELECT Id FROM User"), token: token, status: 404, code: CodeNotFound},
		"unknown resource":          {path: "/services/data/v63.0/sobjects/User", token: token, status: 404, code: CodeNotFound},
		"outside /services":         {path: "/nope", token: token, status: 404, code: CodeNotFound},
		"no q":                      {path: "/services/data/v63.0/query", token: token, status: 400, code: CodeMalformedQuery},
		"syntax error":              {path: queryPath("63.0", "SELECT FROM User"), token: token, status: 400, code: CodeMalformedQuery},
		"unknown field":             {path: queryPath("63.0", "SELECT Nope FROM User"), token: token, status: 400, code: CodeInvalidField},
		"unknown object":            {path: queryPath("63.0", "SELECT Id FROM Lead"), token: token, status: 400, code: CodeInvalidType},
		"no token":                  {path: queryPath("63.0", "SELECT Id FROM User"), status: 401, code: CodeInvalidSessionID},
		"bogus token":               {path: queryPath("63.0", "SELECT Id FROM User"), token: acmeOrg15 + "!AQbogus", status: 401, code: CodeInvalidSessionID},
		"refresh token as bearer":   {path: queryPath("63.0", "SELECT Id FROM User"), token: "rt-valid", status: 401, code: CodeInvalidSessionID},
		"bad locator":               {path: "/services/data/v63.0/query/01g000000000000AAA-2000", token: token, status: 400, code: CodeInvalidQueryLocator},
		"locator without an offset": {path: "/services/data/v63.0/query/01g000000000000AAA", token: token, status: 400, code: CodeInvalidQueryLocator},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			status, header, body := env.get(t, tc.path, tc.token, nil)
			if status != tc.status {
				t.Fatalf("status %d, want %d: %s", status, tc.status, body)
			}
			if ct := header.Get("Content-Type"); ct != "application/json;charset=UTF-8" {
				t.Errorf("Content-Type %q", ct)
			}
			if tc.code != "" {
				errs := apiErrors(t, body)
				if len(errs) != 1 || errs[0].ErrorCode != tc.code || errs[0].Message == "" {
					t.Fatalf("errors %+v, want one %s", errs, tc.code)
				}
				if tc.code == CodeInvalidSessionID && (errs[0].Message != "Session expired or invalid" || header.Get("WWW-Authenticate") != "Token") {
					t.Fatalf("INVALID_SESSION_ID answer %+v, WWW-Authenticate %q", errs, header.Get("WWW-Authenticate"))
				}
				return
			}
			var page struct {
				TotalSize int  `json:"totalSize"`
				Done      bool `json:"done"`
				Records   []struct {
					Attributes struct{ Type, URL string } `json:"attributes"`
					Username   string
				} `json:"records"`
			}
			if err := json.Unmarshal(body, &page); err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, r := range page.Records {
				got = append(got, r.Username)
				if r.Attributes.Type != "User" || !strings.HasPrefix(r.Attributes.URL, "/services/data/v") {
					t.Errorf("attributes %+v", r.Attributes)
				}
			}
			if !reflect.DeepEqual(got, tc.usernames) || page.TotalSize != len(tc.usernames) || !page.Done {
				t.Fatalf("got %v (totalSize %d, done %v), want %v", got, page.TotalSize, page.Done, tc.usernames)
			}
		})
	}

	t.Run("POST is refused", func(t *testing.T) {
		req, _ := http.NewRequestWithContext(t.Context(), http.MethodPost, env.http.URL+queryPath("63.0", "SELECT Id FROM User"), nil)
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusMethodNotAllowed || resp.Header.Get("Allow") != "GET,HEAD" {
			t.Fatalf("status %d, Allow %q", resp.StatusCode, resp.Header.Get("Allow"))
		}
	})
	t.Run("locator belongs to its org", func(t *testing.T) {
		res, qerr := execute("SELECT Id FROM User", env.srv.orgs[id18(t, globexOrg15)].data)
		if qerr != nil {
			t.Fatal(qerr)
		}
		res.size = 500 // pretend the result is long enough to page
		res.render = func(buf []byte, _ int, _ string) []byte { return append(buf, "{}"...) }
		locator := env.srv.openCursor(id18(t, globexOrg15), res, 200)
		path := "/services/data/v63.0/query/" + locator + "-200"
		if status, _, body := env.get(t, path, globex, nil); status != http.StatusOK {
			t.Fatalf("owner: %d %s", status, body)
		}
		status, _, body := env.get(t, path, token, nil)
		if errs := apiErrors(t, body); status != http.StatusBadRequest || errs[0].ErrorCode != CodeInvalidQueryLocator {
			t.Fatalf("other org: %d %s", status, body)
		}
	})
	t.Run("version resources", func(t *testing.T) {
		status, _, body := env.get(t, "/services/data/v63.0/", token, nil)
		if status != http.StatusOK {
			t.Fatalf("status %d: %s", status, body)
		}
		mustContain(t, string(body), `"query":"/services/data/v63.0/query"`)
		mustContain(t, string(body), `"limits":"/services/data/v63.0/limits"`)
	})
	t.Run("limits", func(t *testing.T) {
		cases := map[string]struct {
			path, token string
			status      int
		}{
			"valid session":   {"/services/data/v58.0/limits", token, http.StatusOK},
			"trailing slash":  {"/services/data/v63.0/limits/", token, http.StatusOK},
			"no session":      {"/services/data/v63.0/limits", "", http.StatusUnauthorized},
			"unknown version": {"/services/data/v49.0/limits", token, http.StatusNotFound},
			"sub-resource":    {"/services/data/v63.0/limits/recordCount", token, http.StatusNotFound},
		}
		for name, tc := range cases {
			t.Run(name, func(t *testing.T) {
				status, _, body := env.get(t, tc.path, tc.token, nil)
				if status != tc.status {
					t.Fatalf("status %d, want %d: %s", status, tc.status, body)
				}
				if status == http.StatusOK {
					var limits map[string]struct{ Max, Remaining int }
					if err := json.Unmarshal(body, &limits); err != nil || limits["DailyApiRequests"].Max == 0 {
						t.Fatalf("limits %s (%v), want DailyApiRequests with Max and Remaining", body, err)
					}
				}
			})
		}
	})
}

func TestSessionsEnd(t *testing.T) {
	q := queryPath("63.0", "SELECT Id FROM Organization")
	cases := map[string]struct {
		end func(t *testing.T, env *testEnv)
	}{
		"access token lifetime elapses": {func(_ *testing.T, env *testEnv) { env.clock.Advance(time.Hour) }},
		"org's access tokens expired":   {func(_ *testing.T, env *testEnv) { env.srv.ExpireAccessTokens(acmeOrg15) }},
		"refresh token expired": {func(t *testing.T, env *testEnv) {
			if err := env.srv.ExpireRefreshToken("rt-valid"); err != nil {
				t.Fatal(err)
			}
		}},
		"refresh token revoked": {func(t *testing.T, env *testEnv) {
			if err := env.srv.RevokeRefreshToken("rt-valid"); err != nil {
				t.Fatal(err)
			}
		}},
		"user deactivated": {func(t *testing.T, env *testEnv) {
			inactive := false
			if _, err := env.srv.UpdateUser(acmeOrg15, "005000000000001", UserPatch{Active: &inactive}); err != nil {
				t.Fatal(err)
			}
		}},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			env := newTestEnv(t, func(c *fakeClock) []OrgSeed { return httpSeeds(t, c) })
			token := env.login(t, "ck-acme", "rt-valid")
			other := env.login(t, "ck-globex", "rt-globex")
			if status, _, body := env.get(t, q, token, nil); status != http.StatusOK {
				t.Fatalf("before: %d %s", status, body)
			}
			tc.end(t, env)
			status, _, body := env.get(t, q, token, nil)
			if errs := apiErrors(t, body); status != http.StatusUnauthorized || errs[0].ErrorCode != CodeInvalidSessionID {
				t.Fatalf("after: %d %s, want 401 INVALID_SESSION_ID", status, body)
			}
			if name != "access token lifetime elapses" {
				if status, _, body := env.get(t, q, other, nil); status != http.StatusOK {
					t.Fatalf("the other org's session ended too: %d %s", status, body)
				}
			}
		})
	}

	t.Run("access token shape", func(t *testing.T) {
		env := newTestEnv(t, func(c *fakeClock) []OrgSeed { return httpSeeds(t, c) })
		token := env.login(t, "ck-acme", "rt-valid")
		if !regexp.MustCompile(`^00D000000000001![A-Za-z0-9._]{96}$`).MatchString(token) {
			t.Fatalf("access token %q is not shaped like Salesforce's", token)
		}
	})
}

func TestPagination(t *testing.T) {
	env := newTestEnv(t, manyUsersSeed(4500))
	token := env.login(t, "ck-big", "rt-big")
	cases := map[string]struct {
		header    map[string]string
		wantPages []int
	}{
		"default batch of 2000":  {nil, []int{2000, 2000, 501}},
		"batchSize=1000":         {map[string]string{"Sforce-Query-Options": "batchSize=1000"}, []int{1000, 1000, 1000, 1000, 501}},
		"batchSize below 200":    {map[string]string{"Sforce-Query-Options": "batchSize=50"}, append(repeat(200, 22), 101)},
		"batchSize above 2000":   {map[string]string{"Sforce-Query-Options": "batchSize=5000"}, []int{2000, 2000, 501}},
		"unparsable batch size":  {map[string]string{"Sforce-Query-Options": "batchSize=lots"}, []int{2000, 2000, 501}},
		"batch size among flags": {map[string]string{"Sforce-Query-Options": "foo=bar, batchSize=2000"}, []int{2000, 2000, 501}},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			path := queryPath("61.0", "SELECT Id, Username, Profile.Name FROM User ORDER BY Id")
			var pages []int
			var ids []string
			locatorRE := regexp.MustCompile(`^/services/data/v61\.0/query/01g[0-9A-Za-z]{15}-(\d+)$`)
			for path != "" {
				status, _, body := env.get(t, path, token, tc.header)
				if status != http.StatusOK {
					t.Fatalf("GET %s: %d %s", path, status, body)
				}
				var page struct {
					TotalSize      int    `json:"totalSize"`
					Done           bool   `json:"done"`
					NextRecordsURL string `json:"nextRecordsUrl"`
					Records        []struct{ Id string }
				}
				if err := json.Unmarshal(body, &page); err != nil {
					t.Fatal(err)
				}
				if page.TotalSize != 4501 {
					t.Fatalf("totalSize %d on every page, want 4501", page.TotalSize)
				}
				pages = append(pages, len(page.Records))
				for _, r := range page.Records {
					ids = append(ids, r.Id)
				}
				if page.Done != (page.NextRecordsURL == "") {
					t.Fatalf("done %v with nextRecordsUrl %q", page.Done, page.NextRecordsURL)
				}
				if page.NextRecordsURL != "" {
					m := locatorRE.FindStringSubmatch(page.NextRecordsURL)
					if m == nil || m[1] != strconv.Itoa(len(ids)) {
						t.Fatalf("nextRecordsUrl %q after %d records", page.NextRecordsURL, len(ids))
					}
				}
				path = page.NextRecordsURL
			}
			if !reflect.DeepEqual(pages, tc.wantPages) {
				t.Fatalf("page sizes %v, want %v", pages, tc.wantPages)
			}
			for i := 1; i < len(ids); i++ {
				if ids[i-1] >= ids[i] {
					t.Fatalf("IDs not strictly ascending at %d: %s, %s", i, ids[i-1], ids[i])
				}
			}
		})
	}

	t.Run("locator expires after 15 idle minutes", func(t *testing.T) {
		status, _, body := env.get(t, queryPath("63.0", "SELECT Id FROM User"), token, nil)
		var page struct{ NextRecordsURL string }
		if err := json.Unmarshal(body, &page); err != nil || status != 200 || page.NextRecordsURL == "" {
			t.Fatalf("%d %s", status, body)
		}
		env.clock.Advance(16 * time.Minute)
		fresh := env.login(t, "ck-big", "rt-big")
		status, _, body = env.get(t, page.NextRecordsURL, fresh, nil)
		if errs := apiErrors(t, body); status != http.StatusBadRequest || errs[0].ErrorCode != CodeInvalidQueryLocator {
			t.Fatalf("expired locator: %d %s", status, body)
		}
	})

	t.Run("COUNT() over many users", func(t *testing.T) {
		status, _, body := env.get(t, queryPath("63.0", "SELECT COUNT() FROM User WHERE IsActive = true"), token, nil)
		if status != http.StatusOK || string(body) != `{"totalSize":4051,"done":true,"records":[]}` {
			t.Fatalf("%d %s", status, body)
		}
	})
}

func repeat(n, times int) []int {
	out := make([]int, times)
	for i := range out {
		out[i] = n
	}
	return out
}

func sameSet(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	seen := map[string]int{}
	for _, s := range a {
		seen[s]++
	}
	for _, s := range b {
		seen[s]--
	}
	for _, n := range seen {
		if n != 0 {
			return false
		}
	}
	return true
}
