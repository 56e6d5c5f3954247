package sandbox

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

func TestTokenEndpoint(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	id, secret := e.creds.ClientID, e.creds.ClientSecret
	form := func(kv ...string) url.Values {
		v := url.Values{}
		for i := 0; i+1 < len(kv); i += 2 {
			v.Add(kv[i], kv[i+1])
		}
		return v
	}
	cases := map[string]struct {
		body      any
		opts      []reqOption
		status    int
		errorCode string // RFC 6749 error; "" for success
		scope     string // granted scope on success
		basicAuth bool   // WWW-Authenticate expected
	}{
		"basic auth": {
			body: form("grant_type", "client_credentials"), opts: []reqOption{basicAuth(id, secret)},
			status: 200, scope: "salesseat.read salesseat.write",
		},
		"form auth": {
			body:   form("grant_type", "client_credentials", "client_id", id, "client_secret", secret),
			status: 200, scope: "salesseat.read salesseat.write",
		},
		"narrower scope": {
			body: form("grant_type", "client_credentials", "scope", "salesseat.read"), opts: []reqOption{basicAuth(id, secret)},
			status: 200, scope: "salesseat.read",
		},
		"both client authentication methods": {
			body: form("grant_type", "client_credentials", "client_secret", secret), opts: []reqOption{basicAuth(id, secret)},
			status: 400, errorCode: "invalid_request",
		},
		"no client authentication": {
			body:   form("grant_type", "client_credentials"),
			status: 401, errorCode: "invalid_client", basicAuth: true,
		},
		"wrong secret": {
			body: form("grant_type", "client_credentials"), opts: []reqOption{basicAuth(id, "nope")},
			status: 401, errorCode: "invalid_client", basicAuth: true,
		},
		"unknown client in form": {
			body:   form("grant_type", "client_credentials", "client_id", "who", "client_secret", secret),
			status: 401, errorCode: "invalid_client", basicAuth: true,
		},
		"missing grant type": {
			body: form("scope", "salesseat.read"), opts: []reqOption{basicAuth(id, secret), violatesContract()},
			status: 400, errorCode: "invalid_request",
		},
		"password grant": {
			body: form("grant_type", "password"), opts: []reqOption{basicAuth(id, secret)},
			status: 400, errorCode: "unsupported_grant_type",
		},
		"unknown scope": {
			body: form("grant_type", "client_credentials", "scope", "salesseat.read salesseat.admin"), opts: []reqOption{basicAuth(id, secret)},
			status: 400, errorCode: "invalid_scope",
		},
		"JSON body": {
			body: rawBody(`{"grant_type":"client_credentials"}`), opts: []reqOption{basicAuth(id, secret), violatesContract()},
			status: 400, errorCode: "invalid_request",
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			e := e.sub(t)
			resp := e.do(http.MethodPost, "/oauth/token", tc.body, tc.opts...)
			resp.wantStatus(tc.status)
			if tc.errorCode != "" {
				var oe oauthError
				resp.decode(&oe)
				if oe.Error != tc.errorCode || oe.ErrorDescription == "" {
					t.Fatalf("error %q (%q), want %q with a description", oe.Error, oe.ErrorDescription, tc.errorCode)
				}
				if got := resp.header.Get("WWW-Authenticate") != ""; got != tc.basicAuth {
					t.Errorf("WWW-Authenticate present = %v, want %v", got, tc.basicAuth)
				}
				if strings.Contains(string(resp.body), secret) {
					t.Errorf("the error echoes the client secret: %s", resp.body)
				}
				return
			}
			var tok tokenResponse
			resp.decode(&tok)
			if tok.TokenType != "Bearer" || tok.AccessToken == "" || tok.ExpiresIn <= 0 || tok.Scope != tc.scope {
				t.Fatalf("token response %+v, want a bearer token with scope %q", tok, tc.scope)
			}
			if resp.header.Get("Cache-Control") != "no-store" {
				t.Errorf("Cache-Control %q, want no-store", resp.header.Get("Cache-Control"))
			}
			e.do(http.MethodGet, "/api/v1/account", nil, bearer(tok.AccessToken)).wantStatus(http.StatusOK)
		})
	}
}

func TestAPIAuthentication(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	readOnly := e.issueToken(ScopeRead)
	writeOnly := e.issueToken(ScopeWrite)
	cases := map[string]struct {
		method, path string
		body         any
		opt          reqOption
		status       int
		code         string
		challenge    string // substring of WWW-Authenticate
	}{
		"no token": {
			method: http.MethodGet, path: "/api/v1/account", opt: noAuth(),
			status: 401, code: "unauthorized", challenge: `Bearer realm="salesseat"`,
		},
		"unknown token": {
			method: http.MethodGet, path: "/api/v1/roles", opt: bearer("sst_not-a-token"),
			status: 401, code: "unauthorized", challenge: `error="invalid_token"`,
		},
		"basic instead of bearer": {
			method: http.MethodGet, path: "/api/v1/roles", opt: basicAuth(e.creds.ClientID, e.creds.ClientSecret),
			status: 401, code: "unauthorized", challenge: "Bearer",
		},
		"read token writing": {
			method: http.MethodDelete, path: "/api/v1/sales-users/su_whatever", opt: bearer(readOnly),
			status: 403, code: "insufficient_scope", challenge: `scope="salesseat.write"`,
		},
		"write token reading": {
			method: http.MethodGet, path: "/api/v1/sales-users", opt: bearer(writeOnly),
			status: 403, code: "insufficient_scope", challenge: `scope="salesseat.read"`,
		},
		"validation needs write": {
			method: http.MethodPost, path: "/api/v1/sales-users/validate", body: map[string]any{"items": []any{}}, opt: bearer(readOnly),
			status: 403, code: "insufficient_scope", challenge: `error="insufficient_scope"`,
		},
		"read token reading": {
			method: http.MethodGet, path: "/api/v1/account", opt: bearer(readOnly), status: 200,
		},
		"write token writing": {
			method: http.MethodPost, path: "/api/v1/sales-users/validate", body: map[string]any{"items": []any{}}, opt: bearer(writeOnly), status: 200,
		},
		"admin without admin token": {
			method: http.MethodGet, path: "/admin/v1/counters", opt: bearer(e.token),
			status: 401, code: "unauthorized", challenge: "Bearer",
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			e := e.sub(t)
			resp := e.do(tc.method, tc.path, tc.body, tc.opt)
			if tc.code == "" {
				resp.wantStatus(tc.status)
				return
			}
			resp.wantProblem(tc.status, tc.code)
			if got := resp.header.Get("WWW-Authenticate"); !strings.Contains(got, tc.challenge) {
				t.Errorf("WWW-Authenticate %q, want it to contain %q", got, tc.challenge)
			}
		})
	}
}

func TestExpiredAccessToken(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.do(http.MethodGet, "/api/v1/account", nil).wantStatus(http.StatusOK)

	ts := e.sb.tokens
	ts.mu.Lock()
	ts.now = func() time.Time { return time.Now().Add(defaultTokenTTL + time.Minute) }
	ts.mu.Unlock()

	e.do(http.MethodGet, "/api/v1/account", nil).wantProblem(http.StatusUnauthorized, "unauthorized")
}
