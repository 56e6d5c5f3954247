package sforg

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/salesseat/terraform-provider-salesseat/internal/sfid"
)

// OAuth grant types the token endpoint accepts.
const (
	grantRefreshToken = "refresh_token"
	grantJWTBearer    = "urn:ietf:params:oauth:grant-type:jwt-bearer" //nolint:gosec // a grant type name, not a credential
)

// Error answers of the token endpoint, worded as Salesforce words them.
const (
	descExpiredToken  = "expired access/refresh token"
	descAuthFailure   = "authentication failure"
	descTokenRevoked  = "token revoked"
	descBadAssertion  = "invalid assertion"
	descNotApproved   = "user hasn't approved this consumer"
	descInvalidClient = "client identifier invalid"
)

// JWT assertion checks. Salesforce's guide asks for an exp within three
// minutes, but Salesforce accepts five: Apex's own Auth.JWT signs assertions
// valid for 300 seconds by default, and client libraries (go-salesforce, for
// one) do the same. A little clock skew is tolerated either way.
const (
	assertionMaxLifetime = 5 * time.Minute
	assertionClockSkew   = 30 * time.Second
)

// audiences Salesforce accepts in a JWT assertion besides the server's own
// URL.
var standardAudiences = []string{"https://login.salesforce.com", "https://test.salesforce.com"}

// oauthError is the token endpoint's error body.
type oauthError struct {
	Error       string `json:"error"`
	Description string `json:"error_description"`
}

// tokenResponse is the token endpoint's success body.
type tokenResponse struct {
	AccessToken string `json:"access_token"`
	Signature   string `json:"signature"`
	Scope       string `json:"scope"`
	InstanceURL string `json:"instance_url"`
	ID          string `json:"id"`
	TokenType   string `json:"token_type"`
	IssuedAt    string `json:"issued_at"`
}

func writeOAuthError(w http.ResponseWriter, code, desc string) {
	status := http.StatusBadRequest
	body, _ := json.Marshal(oauthError{Error: code, Description: desc})
	h := w.Header()
	h.Set("Content-Type", "application/json;charset=UTF-8")
	h.Set("Cache-Control", "no-cache,must-revalidate,max-age=0,no-store,private")
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// serveToken is POST /services/oauth2/token.
func (s *Server) serveToken(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		writeOAuthError(w, "invalid_request", "must use HTTP POST")
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, 1<<20)
	if err := r.ParseForm(); err != nil {
		writeOAuthError(w, "invalid_request", "request body must be application/x-www-form-urlencoded")
		return
	}
	switch r.Form.Get("grant_type") {
	case grantRefreshToken:
		s.refreshGrant(w, r)
	case grantJWTBearer:
		s.jwtGrant(w, r)
	default:
		writeOAuthError(w, "unsupported_grant_type", "grant type not supported")
	}
}

func (s *Server) refreshGrant(w http.ResponseWriter, r *http.Request) {
	clientID := r.Form.Get("client_id")
	token := r.Form.Get("refresh_token")
	s.mu.Lock()
	defer s.mu.Unlock()
	o, ok := s.byKey[clientID]
	if !ok {
		writeOAuthError(w, "invalid_client_id", descInvalidClient)
		return
	}
	if secret := r.Form.Get("client_secret"); secret != "" && !hmac.Equal([]byte(secret), []byte(o.consumerSecret)) {
		writeOAuthError(w, "invalid_client", "invalid client credentials")
		return
	}
	if token == "" {
		writeOAuthError(w, "invalid_request", "refresh_token is missing; send the refresh token the user approved")
		return
	}
	now := s.now()
	rt, ok := s.refresh[token]
	switch {
	case !ok || rt.orgID != o.id || rt.expired || (!rt.expiresAt.IsZero() && !now.Before(rt.expiresAt)):
		writeOAuthError(w, "invalid_grant", descExpiredToken)
		return
	case rt.revoked:
		writeOAuthError(w, "invalid_grant", descTokenRevoked)
		return
	}
	u := o.data.userByID[rt.userID]
	if u == nil || !u.Active {
		writeOAuthError(w, "invalid_grant", descAuthFailure)
		return
	}
	s.issue(w, r, o, u, token)
}

func (s *Server) jwtGrant(w http.ResponseWriter, r *http.Request) {
	assertion := r.Form.Get("assertion")
	var claims jwt.RegisteredClaims
	if _, _, err := jwt.NewParser().ParseUnverified(assertion, &claims); err != nil {
		writeOAuthError(w, "invalid_grant", descBadAssertion)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	o, ok := s.byKey[claims.Issuer]
	if !ok {
		writeOAuthError(w, "invalid_client_id", descInvalidClient)
		return
	}
	if o.publicKey == nil {
		// No certificate uploaded to the connected app: nothing can verify
		// the signature.
		writeOAuthError(w, "invalid_grant", descBadAssertion)
		return
	}
	now := s.now()
	claims = jwt.RegisteredClaims{}
	_, err := jwt.ParseWithClaims(assertion, &claims, func(*jwt.Token) (any, error) { return o.publicKey, nil },
		jwt.WithValidMethods([]string{jwt.SigningMethodRS256.Alg()}),
		jwt.WithExpirationRequired(),
		jwt.WithLeeway(assertionClockSkew),
		jwt.WithTimeFunc(func() time.Time { return now }),
	)
	if err != nil || claims.ExpiresAt.After(now.Add(assertionMaxLifetime+assertionClockSkew)) || !s.audienceOK(r, claims.Audience) {
		writeOAuthError(w, "invalid_grant", descBadAssertion)
		return
	}
	u := findUsername(o.data, claims.Subject)
	switch {
	case u == nil:
		writeOAuthError(w, "invalid_grant", descNotApproved)
		return
	case !u.Active:
		writeOAuthError(w, "invalid_grant", descAuthFailure)
		return
	}
	s.issue(w, r, o, u, "")
}

// audienceOK reports whether one of the assertion's audiences is a login
// URL this server answers for. Callers hold s.mu.
func (s *Server) audienceOK(r *http.Request, aud jwt.ClaimStrings) bool {
	accepted := append([]string{s.baseURLFor(r)}, standardAudiences...)
	for _, a := range aud {
		a = strings.TrimRight(a, "/")
		for _, ok := range accepted {
			if strings.EqualFold(a, ok) {
				return true
			}
		}
	}
	return false
}

// baseURLFor is the configured base URL, or the one the request reached.
// Callers hold s.mu.
func (s *Server) baseURLFor(r *http.Request) string {
	if s.baseURL != "" {
		return s.baseURL
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

// issue creates an access token for u and writes Salesforce's token
// response. Callers hold s.mu for writing.
func (s *Server) issue(w http.ResponseWriter, r *http.Request, o *org, u *userRow, refresh string) {
	now := s.now()
	s.sweepTokens(now)
	at := &accessToken{token: newAccessToken(o.id), orgID: o.id, userID: u.ID, refresh: refresh, expiresAt: now.Add(s.ttl)}
	s.access[at.token] = at

	base := s.baseURLFor(r)
	idURL := base + "/id/" + o.id + "/" + u.ID
	issuedAt := strconv.FormatInt(now.UnixMilli(), 10)
	mac := hmac.New(sha256.New, []byte(o.consumerSecret))
	mac.Write([]byte(idURL + issuedAt))
	body, _ := json.Marshal(tokenResponse{
		AccessToken: at.token,
		Signature:   base64.StdEncoding.EncodeToString(mac.Sum(nil)),
		Scope:       "api refresh_token",
		InstanceURL: base,
		ID:          idURL,
		TokenType:   "Bearer",
		IssuedAt:    issuedAt,
	})
	h := w.Header()
	h.Set("Content-Type", "application/json;charset=UTF-8")
	h.Set("Cache-Control", "no-cache,must-revalidate,max-age=0,no-store,private")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(body)
}

// sweepTokens drops expired access tokens, at most once a minute. Callers
// hold s.mu for writing.
func (s *Server) sweepTokens(now time.Time) {
	if now.Sub(s.lastSweep) < time.Minute {
		return
	}
	s.lastSweep = now
	for k, at := range s.access {
		if !now.Before(at.expiresAt) {
			delete(s.access, k)
		}
	}
}

// errSession is the reason a bearer token is refused; the client only ever
// sees INVALID_SESSION_ID.
var errSession = errors.New("session expired or invalid")

// session resolves the bearer token of a request to its org, the org's
// data and the token's user.
func (s *Server) session(r *http.Request) (*org, *dataset, *userRow, error) {
	auth := r.Header.Get("Authorization")
	var token string
	for _, scheme := range []string{"Bearer ", "OAuth "} {
		if len(auth) > len(scheme) && strings.EqualFold(auth[:len(scheme)], scheme) {
			token = strings.TrimSpace(auth[len(scheme):])
		}
	}
	if token == "" {
		return nil, nil, nil, errSession
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	at, ok := s.access[token]
	if !ok || !s.now().Before(at.expiresAt) {
		return nil, nil, nil, errSession
	}
	o := s.orgs[at.orgID]
	if o == nil {
		return nil, nil, nil, errSession
	}
	u := o.data.userByID[at.userID]
	if u == nil || !u.Active {
		return nil, nil, nil, errSession
	}
	return o, o.data, u, nil
}

const tokenAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._"

func randomString(n int) string {
	buf := make([]byte, n)
	if _, err := rand.Read(buf); err != nil {
		panic(err)
	}
	for i := range buf {
		buf[i] = tokenAlphabet[int(buf[i])%len(tokenAlphabet)]
	}
	return string(buf)
}

// newAccessToken returns a session ID shaped like Salesforce's: the org's
// 15-character ID, '!', then an opaque part.
func newAccessToken(orgID string) string {
	return orgID[:15] + "!AQ" + randomString(94)
}

// newRefreshToken returns an opaque refresh token shaped like Salesforce's.
func newRefreshToken() string {
	return "5Aep861" + randomString(80)
}

func writePlain(w http.ResponseWriter, status int, text string) {
	w.Header().Set("Content-Type", "text/plain;charset=UTF-8")
	w.WriteHeader(status)
	_, _ = w.Write([]byte(text))
}

// serveUserInfo is the OpenID Connect UserInfo endpoint for the token's
// user.
func (s *Server) serveUserInfo(w http.ResponseWriter, r *http.Request) {
	o, _, u, err := s.session(r)
	if err != nil {
		writePlain(w, http.StatusForbidden, "Bad_OAuth_Token")
		return
	}
	s.mu.RLock()
	base := s.baseURLFor(r)
	s.mu.RUnlock()
	body, _ := json.Marshal(map[string]any{
		"sub":                base + "/id/" + o.id + "/" + u.ID,
		"user_id":            u.ID,
		"organization_id":    o.id,
		"preferred_username": u.Username,
		"name":               userFullName(u),
		"given_name":         u.FirstName,
		"family_name":        u.LastName,
		"email":              u.Email,
		"email_verified":     true,
		"active":             u.Active,
		"user_type":          "STANDARD",
	})
	writeJSON(w, http.StatusOK, body)
}

// serveIdentity is the identity URL of a user of the token's org; rest is
// "{orgID}/{userID}".
func (s *Server) serveIdentity(w http.ResponseWriter, r *http.Request, rest string) {
	o, ds, _, err := s.session(r)
	if err != nil {
		writePlain(w, http.StatusForbidden, "Bad_OAuth_Token")
		return
	}
	orgPart, userPart, _ := strings.Cut(strings.TrimSuffix(rest, "/"), "/")
	orgID, errOrg := sfid.Normalize(orgPart)
	userID, errUser := sfid.Normalize(userPart)
	s.mu.RLock()
	base := s.baseURLFor(r)
	s.mu.RUnlock()
	u := ds.userByID[userID]
	if errOrg != nil || errUser != nil || orgID != o.id || u == nil {
		writePlain(w, http.StatusNotFound, "Bad_Id")
		return
	}
	version := strconv.Itoa(MaxAPIVersion) + ".0"
	body, _ := json.Marshal(map[string]any{
		"id":              base + "/id/" + o.id + "/" + u.ID,
		"asserted_user":   true,
		"user_id":         u.ID,
		"organization_id": o.id,
		"username":        u.Username,
		"display_name":    userFullName(u),
		"first_name":      u.FirstName,
		"last_name":       u.LastName,
		"email":           u.Email,
		"active":          u.Active,
		"user_type":       "STANDARD",
		"urls": map[string]string{
			"rest":  base + "/services/data/v" + version + "/",
			"query": base + "/services/data/v" + version + "/query/",
		},
	})
	writeJSON(w, http.StatusOK, body)
}
