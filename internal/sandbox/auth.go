package sandbox

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"maps"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/salesseat/terraform-provider-salesseat/internal/sandbox/platform"
)

// The OAuth2 scopes of the provisioning API (the platform defines them; API clients are
// allowed them in the fixture).
const (
	// ScopeRead allows every GET of /api/v1.
	ScopeRead = platform.ScopeRead
	// ScopeWrite allows every other method of /api/v1.
	ScopeWrite = platform.ScopeWrite
)

// defaultTokenTTL is the lifetime of an access token.
const defaultTokenTTL = time.Hour

// tokenGrant is what an access token stands for.
type tokenGrant struct {
	ClientID  string    `json:"client_id"`
	Scopes    []string  `json:"scopes"`
	ExpiresAt time.Time `json:"expires_at"`
}

// hasScope reports whether the grant includes scope.
func (g tokenGrant) hasScope(scope string) bool {
	return slices.Contains(g.Scopes, scope)
}

// tokenStore holds the issued access tokens, keyed by the SHA-256 of the token so that neither
// memory dumps nor the state file hold a usable token.
type tokenStore struct {
	mu     sync.Mutex
	ttl    time.Duration
	now    func() time.Time
	tokens map[string]tokenGrant
}

// newTokenStore returns an empty store issuing tokens valid for ttl.
func newTokenStore(ttl time.Duration, now func() time.Time) *tokenStore {
	return &tokenStore{ttl: ttl, now: now, tokens: make(map[string]tokenGrant)}
}

// tokenKey is the storage key of a token.
func tokenKey(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// issue mints an opaque token for the client.
func (ts *tokenStore) issue(clientID string, scopes []string) string {
	raw := make([]byte, 32)
	_, _ = rand.Read(raw) // crypto/rand.Read never fails
	token := "sst_" + base64.RawURLEncoding.EncodeToString(raw)
	ts.mu.Lock()
	defer ts.mu.Unlock()
	now := ts.now()
	grant := tokenGrant{ClientID: clientID, Scopes: slices.Clone(scopes), ExpiresAt: now.Add(ts.ttl).UTC()}
	for k, g := range ts.tokens {
		if !now.Before(g.ExpiresAt) {
			delete(ts.tokens, k)
		}
	}
	ts.tokens[tokenKey(token)] = grant
	return token
}

// lookup returns the grant of a token that exists and has not expired.
func (ts *tokenStore) lookup(token string) (tokenGrant, bool) {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	g, ok := ts.tokens[tokenKey(token)]
	if !ok || !ts.now().Before(g.ExpiresAt) {
		return tokenGrant{}, false
	}
	return g, true
}

// snapshot copies the store for the state file.
func (ts *tokenStore) snapshot() map[string]tokenGrant {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	return maps.Clone(ts.tokens)
}

// restore replaces the store's tokens.
func (ts *tokenStore) restore(tokens map[string]tokenGrant) {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	ts.tokens = maps.Clone(tokens)
	if ts.tokens == nil {
		ts.tokens = make(map[string]tokenGrant)
	}
}

// tokenResponse is the RFC 6749 section 5.1 success body.
type tokenResponse struct {
	AccessToken string `json:"access_token"`
	TokenType   string `json:"token_type"`
	ExpiresIn   int    `json:"expires_in"`
	Scope       string `json:"scope"`
}

// oauthError is the RFC 6749 section 5.2 error body.
type oauthError struct {
	Error            string `json:"error"`
	ErrorDescription string `json:"error_description,omitempty"`
}

// writeOAuthError answers a token request with an RFC 6749 error.
func writeOAuthError(w http.ResponseWriter, status int, code, description string, basic bool) {
	if status == http.StatusUnauthorized {
		if basic {
			w.Header().Set("WWW-Authenticate", `Basic realm="salesseat", charset="UTF-8"`)
		} else {
			w.Header().Set("WWW-Authenticate", `Basic realm="salesseat"`)
		}
	}
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Pragma", "no-cache")
	writeJSON(w, status, oauthError{Error: code, ErrorDescription: description})
}

// handleToken implements the client credentials grant (RFC 6749 section 4.4).
func (s *Sandbox) handleToken(w http.ResponseWriter, r *http.Request) {
	mediaType, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mediaType != "application/x-www-form-urlencoded" {
		writeOAuthError(w, http.StatusBadRequest, "invalid_request",
			"send the token request as application/x-www-form-urlencoded (RFC 6749 section 4.4.2)", false)
		return
	}
	body, prob := readBody(w, r)
	if prob != nil {
		writeOAuthError(w, http.StatusBadRequest, "invalid_request", prob.Detail, false)
		return
	}
	form, err := url.ParseQuery(string(body))
	if err != nil {
		writeOAuthError(w, http.StatusBadRequest, "invalid_request", "the form body cannot be parsed: "+err.Error(), false)
		return
	}
	for name, values := range form {
		if len(values) > 1 {
			writeOAuthError(w, http.StatusBadRequest, "invalid_request",
				fmt.Sprintf("parameter %q is repeated; send each parameter once", name), false)
			return
		}
	}

	clientID, secret, basic, errDesc := clientCredentials(r, form)
	if errDesc != "" {
		writeOAuthError(w, http.StatusBadRequest, "invalid_request", errDesc, basic)
		return
	}
	if clientID == "" {
		writeOAuthError(w, http.StatusUnauthorized, "invalid_client",
			"client authentication is missing: send client_id and client_secret with HTTP Basic or as form fields", false)
		return
	}
	allowed, ok := s.plat.AuthenticateClient(clientID, secret)
	if !ok {
		writeOAuthError(w, http.StatusUnauthorized, "invalid_client",
			"unknown client or wrong client secret; check SALESSEAT_CLIENT_ID and SALESSEAT_CLIENT_SECRET", basic)
		return
	}

	switch grant := form.Get("grant_type"); grant {
	case "client_credentials":
	case "":
		writeOAuthError(w, http.StatusBadRequest, "invalid_request", "grant_type is missing; send grant_type=client_credentials", basic)
		return
	default:
		writeOAuthError(w, http.StatusBadRequest, "unsupported_grant_type",
			fmt.Sprintf("grant type %q is not supported; this endpoint issues tokens for grant_type=client_credentials only", grant), basic)
		return
	}

	scopes := allowed
	if requested := strings.Fields(form.Get("scope")); len(requested) > 0 {
		for _, sc := range requested {
			if !slices.Contains(allowed, sc) {
				writeOAuthError(w, http.StatusBadRequest, "invalid_scope",
					fmt.Sprintf("scope %q is not allowed for this client; allowed: %s", sc, strings.Join(allowed, " ")), basic)
				return
			}
		}
		scopes = requested
	}
	scopes = slices.Compact(slices.Sorted(slices.Values(scopes)))

	token := s.tokens.issue(clientID, scopes)
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Pragma", "no-cache")
	writeJSON(w, http.StatusOK, tokenResponse{
		AccessToken: token,
		TokenType:   "Bearer",
		ExpiresIn:   max(1, int(s.tokens.ttl/time.Second)),
		Scope:       strings.Join(scopes, " "),
	})
}

// clientCredentials extracts the client authentication from HTTP Basic (each part form-urlencoded,
// RFC 6749 section 2.3.1) or from the form; using both is an error.
func clientCredentials(r *http.Request, form url.Values) (id, secret string, basic bool, errDesc string) {
	user, pass, basic := r.BasicAuth()
	formID, formSecret := form.Get("client_id"), form.Get("client_secret")
	if basic {
		if formSecret != "" || (formID != "" && formID != user) {
			return "", "", true, "the client authenticated twice (HTTP Basic and form fields); use one method"
		}
		var err error
		if id, err = url.QueryUnescape(user); err != nil {
			return "", "", true, "the HTTP Basic client_id is not form-urlencoded correctly"
		}
		if secret, err = url.QueryUnescape(pass); err != nil {
			return "", "", true, "the HTTP Basic client_secret is not form-urlencoded correctly"
		}
		return id, secret, true, ""
	}
	return formID, formSecret, false, ""
}

// grantKey is the context key of the authenticated token grant.
type grantKey struct{}

// grantFrom returns the grant of the authenticated request.
func grantFrom(ctx context.Context) tokenGrant {
	g, _ := ctx.Value(grantKey{}).(tokenGrant)
	return g
}

// bearerToken extracts the token of an `Authorization: Bearer` header.
func bearerToken(r *http.Request) (string, bool) {
	scheme, token, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return "", false
	}
	token = strings.TrimSpace(token)
	return token, token != ""
}

// requireToken authenticates /api/v1 calls: a valid bearer token with salesseat.read for GET and
// salesseat.write for every other method.
func (s *Sandbox) requireToken(next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		token, ok := bearerToken(r)
		if !ok {
			w.Header().Set("WWW-Authenticate", `Bearer realm="salesseat"`)
			writeProblem(w, r, apiProblem(platform.Unauthorized(
				"The request has no bearer token. Get one from POST /oauth/token with the client credentials and send it as \"Authorization: Bearer <token>\".")))
			return
		}
		grant, ok := s.tokens.lookup(token)
		if !ok {
			w.Header().Set("WWW-Authenticate", `Bearer realm="salesseat", error="invalid_token"`)
			writeProblem(w, r, apiProblem(platform.Unauthorized("The bearer token is unknown or expired. Get a new one from POST /oauth/token.")))
			return
		}
		need := ScopeWrite
		if r.Method == http.MethodGet || r.Method == http.MethodHead {
			need = ScopeRead
		}
		if !grant.hasScope(need) {
			w.Header().Set("WWW-Authenticate", fmt.Sprintf(`Bearer realm="salesseat", error="insufficient_scope", scope=%q`, need))
			writeProblem(w, r, apiProblem(platform.InsufficientScope(need)))
			return
		}
		next(w, r.WithContext(context.WithValue(r.Context(), grantKey{}, grant)))
	}
}

// requireAdmin authenticates /admin/v1 calls with the sandbox admin token.
func (s *Sandbox) requireAdmin(next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		token, ok := bearerToken(r)
		if !ok || subtle.ConstantTimeCompare([]byte(token), []byte(s.adminToken)) != 1 {
			w.Header().Set("WWW-Authenticate", `Bearer realm="salesseat-admin"`)
			writeProblem(w, r, apiProblem(platform.Unauthorized(
				"The admin API needs \"Authorization: Bearer <admin token>\" with the sandbox admin token (printed as SALESSEAT_SANDBOX_ADMIN_TOKEN at start).")))
			return
		}
		next(w, r)
	}
}

// idempotencyScope is the idempotency scope of a request: its API client.
func idempotencyScope(r *http.Request) string {
	return grantFrom(r.Context()).ClientID
}
