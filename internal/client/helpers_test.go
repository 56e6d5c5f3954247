package client

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

const (
	testClientID     = "client-123"
	testClientSecret = "s3cr3t-client-secret-value"
)

// recorded is one request the fake API received.
type recorded struct {
	Method, Path, RawQuery string
	Header                 http.Header
	Body                   []byte
}

// fakeAPI is an httptest server speaking the salesseat wire protocol for the
// routes a test registers. It issues bearer tokens at /oauth/token and
// rejects /api/ requests without a valid one.
type fakeAPI struct {
	t   *testing.T
	srv *httptest.Server
	mux *http.ServeMux

	tokenTTL      atomic.Int64 // expires_in of issued tokens
	tokenRequests atomic.Int32
	tokenHandler  http.HandlerFunc // overrides the token endpoint when set

	mu       sync.Mutex
	tokens   map[string]bool
	requests []recorded
	nextTok  int
}

func newFakeAPI(t *testing.T) *fakeAPI {
	t.Helper()
	f := &fakeAPI{t: t, mux: http.NewServeMux(), tokens: map[string]bool{}}
	f.tokenTTL.Store(3600)
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeAPI) handle(pattern string, h http.HandlerFunc) { f.mux.HandleFunc(pattern, h) }

func (f *fakeAPI) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	r.Body = io.NopCloser(bytes.NewReader(body))
	f.mu.Lock()
	f.requests = append(f.requests, recorded{Method: r.Method, Path: r.URL.EscapedPath(), RawQuery: r.URL.RawQuery, Header: r.Header.Clone(), Body: body})
	f.mu.Unlock()

	if r.URL.Path == "/oauth/token" {
		f.tokenRequests.Add(1)
		if f.tokenHandler != nil {
			f.tokenHandler(w, r)
			return
		}
		f.issueToken(w, r)
		return
	}
	if strings.HasPrefix(r.URL.Path, "/api/") {
		tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		f.mu.Lock()
		valid := ok && f.tokens[tok]
		f.mu.Unlock()
		if !valid {
			writeProblem(w, http.StatusUnauthorized, CodeUnauthorized, "missing or invalid bearer token", nil)
			return
		}
	}
	f.mux.ServeHTTP(w, r)
}

func (f *fakeAPI) issueToken(w http.ResponseWriter, r *http.Request) {
	id, secret, ok := r.BasicAuth()
	if !ok || id != testClientID || secret != testClientSecret {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusUnauthorized)
		_, _ = io.WriteString(w, `{"error":"invalid_client","error_description":"unknown client or wrong secret"}`)
		return
	}
	f.mu.Lock()
	f.nextTok++
	tok := fmt.Sprintf("access-token-%d-QWxhZGRpbjpvcGVu", f.nextTok)
	f.tokens[tok] = true
	f.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]any{
		"access_token":  tok,
		"refresh_token": "refresh-token-should-never-be-logged",
		"token_type":    "Bearer",
		"expires_in":    f.tokenTTL.Load(),
		"scope":         "salesseat.read salesseat.write",
	})
}

// revokeTokens invalidates every issued token.
func (f *fakeAPI) revokeTokens() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.tokens = map[string]bool{}
}

// apiRequests returns the recorded requests to /api/ paths.
func (f *fakeAPI) apiRequests() []recorded {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []recorded
	for _, r := range f.requests {
		if strings.HasPrefix(r.Path, "/api/") {
			out = append(out, r)
		}
	}
	return out
}

// lastAPIRequest returns the most recent request to an /api/ path.
func (f *fakeAPI) lastAPIRequest(t *testing.T) recorded {
	t.Helper()
	reqs := f.apiRequests()
	if len(reqs) == 0 {
		t.Fatal("the fake API received no /api/ request")
	}
	return reqs[len(reqs)-1]
}

// newTestClient returns a client of f with fast retries; mutate adjusts the
// config.
func newTestClient(t *testing.T, f *fakeAPI, mutate func(*Config)) *Client {
	t.Helper()
	cfg := Config{
		Endpoint:     f.srv.URL,
		ClientID:     testClientID,
		ClientSecret: testClientSecret,
		RetryWaitMin: time.Millisecond,
		RetryWaitMax: 5 * time.Millisecond,
		UserAgent:    "terraform-provider-salesseat/test",
	}
	if mutate != nil {
		mutate(&cfg)
	}
	c, err := New(cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return c
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func writeProblem(w http.ResponseWriter, status int, code, detail string, ext map[string]any) {
	body := map[string]any{
		"type":   "https://salesseat.dev/problems/" + code,
		"title":  strings.ReplaceAll(code, "_", " "),
		"status": status,
		"detail": detail,
		"code":   code,
	}
	for k, v := range ext {
		body[k] = v
	}
	w.Header().Set("Content-Type", "application/problem+json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(body)
}

// dropConnection closes the connection without writing a response.
func dropConnection(t *testing.T, w http.ResponseWriter) {
	t.Helper()
	hj, ok := w.(http.Hijacker)
	if !ok {
		t.Error("response writer cannot be hijacked")
		return
	}
	conn, _, err := hj.Hijack()
	if err != nil {
		t.Errorf("hijack: %v", err)
		return
	}
	_ = conn.Close()
}

func salesUserJSON(id string) map[string]any {
	return map[string]any{
		"id": id, "connection_id": "conn_1", "crm_user_id": "005000000000001AAA", "crm_username": "a@acme.com",
		"email": "a@acme.com", "first_name": "A", "last_name": "B", "crm_active": true,
		"crm_profile_id": "00e000000000001AAA", "crm_profile_name": "Sales Rep", "role": "sales",
		"role_source": "explicit", "team": "West", "hidden_components": []string{"hot_prospects"},
		"status": "active", "adopted_existing_user": false, "platform_user_id": "pu_1",
		"created_by": "api", "deleted_at": nil, "created_at": "2025-01-02T03:04:05Z",
		"updated_at": "2025-01-02T03:04:05Z", "version": 1,
	}
}

func jsonMarshal(v any) ([]byte, error) { return json.Marshal(v) }
