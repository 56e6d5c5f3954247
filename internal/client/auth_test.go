package client

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func TestTokenIsCachedUntilNearExpiry(t *testing.T) {
	cases := map[string]struct {
		expiresIn int64
		margin    time.Duration
		advance   time.Duration // clock change between the two calls
		wantNew   bool          // the second call fetches a new token
	}{
		"reused before the margin":            {expiresIn: 3600, advance: 3600*time.Second - DefaultTokenExpiryMargin - time.Minute},
		"refreshed inside the margin":         {expiresIn: 3600, advance: 3600*time.Second - DefaultTokenExpiryMargin + time.Second, wantNew: true},
		"configured margin is honored":        {expiresIn: 3600, margin: 20 * time.Minute, advance: 45 * time.Minute, wantNew: true},
		"refreshed once expired":              {expiresIn: 3600, advance: 2 * time.Hour, wantNew: true},
		"short-lived token reused for a half": {expiresIn: 60, advance: 20 * time.Second},
		"short-lived token refreshed after":   {expiresIn: 60, advance: 40 * time.Second, wantNew: true},
		"token without expiry is kept":        {expiresIn: 0, advance: 24 * time.Hour},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			f := newFakeAPI(t)
			f.tokenTTL.Store(tc.expiresIn)
			f.handle("GET /api/v1/account", func(w http.ResponseWriter, r *http.Request) {
				writeJSON(w, http.StatusOK, map[string]any{"id": "acc_1"})
			})
			c := newTestClient(t, f, func(c *Config) { c.TokenExpiryMargin = tc.margin })
			var offset atomic.Int64
			c.tokens.now = func() time.Time { return time.Now().Add(time.Duration(offset.Load())) }
			if _, err := c.Account.Read(context.Background()); err != nil {
				t.Fatalf("first call: %v", err)
			}
			offset.Store(int64(tc.advance))
			if _, err := c.Account.Read(context.Background()); err != nil {
				t.Fatalf("second call: %v", err)
			}
			wantTokens := int32(1)
			if tc.wantNew {
				wantTokens = 2
			}
			if got := f.tokenRequests.Load(); got != wantTokens {
				t.Errorf("token requests = %d, want %d", got, wantTokens)
			}
			reqs := f.apiRequests()
			sameToken := reqs[0].Header.Get("Authorization") == reqs[1].Header.Get("Authorization")
			if sameToken == tc.wantNew {
				t.Errorf("both calls used the same token: %v, want %v", sameToken, !tc.wantNew)
			}
		})
	}
}

func TestConcurrentCallsShareOneTokenFetch(t *testing.T) {
	f := newFakeAPI(t)
	f.handle("GET /api/v1/account", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, map[string]any{"id": "acc_1"})
	})
	c := newTestClient(t, f, nil)
	start := make(chan struct{})
	var wg sync.WaitGroup
	errs := make(chan error, 16)
	for range 16 {
		wg.Go(func() {
			<-start
			_, err := c.Account.Read(context.Background())
			errs <- err
		})
	}
	close(start)
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Errorf("Account.Read: %v", err)
		}
	}
	if got := f.tokenRequests.Load(); got != 1 {
		t.Errorf("token requests = %d, want 1", got)
	}
}

func TestAuthenticate(t *testing.T) {
	cases := map[string]struct {
		secret      string
		tokenStatus int
		tokenCT     string
		tokenBody   string
		wantIs      error
		wantInMsg   []string
		// wantTokenRequests is 1 unless set: a rejection is not retried.
		wantTokenRequests int32
	}{
		"valid credentials": {secret: testClientSecret},
		"invalid_client": {
			secret: "wrong-secret-value", wantIs: ErrUnauthorized,
			wantInMsg: []string{`the salesseat API rejected client_id "client-123": invalid_client: unknown client or wrong secret`, "check client_id/client_secret or SALESSEAT_CLIENT_ID/SALESSEAT_CLIENT_SECRET"},
		},
		"invalid_scope": {
			secret: testClientSecret, tokenStatus: http.StatusBadRequest, tokenCT: "application/json",
			tokenBody: `{"error":"invalid_scope","error_description":"scope salesseat.admin is not allowed"}`,
			wantIs:    ErrInsufficientScope, wantInMsg: []string{"invalid_scope", "check scopes"},
		},
		"problem from the token endpoint": {
			secret: testClientSecret, tokenStatus: http.StatusServiceUnavailable, tokenCT: "application/problem+json",
			tokenBody: `{"code":"unavailable","status":503,"detail":"maintenance until 10:00"}`,
			wantIs:    ErrUnavailable, wantInMsg: []string{"unavailable (503): maintenance until 10:00"},
			wantTokenRequests: DefaultRetryMax + 1,
		},
		"error page echoing the credentials": {
			secret: testClientSecret, tokenStatus: http.StatusBadRequest, tokenCT: "text/plain",
			tokenBody: "bad request from client-123 with secret " + testClientSecret,
			wantInMsg: []string{"HTTP 400", "[REDACTED]"},
		},
		"html error page": {
			secret: testClientSecret, tokenStatus: http.StatusForbidden, tokenCT: "text/html",
			tokenBody: "<html><body><h1>403 Forbidden</h1></body></html>",
			wantInMsg: []string{`could not get an access token for client_id "client-123"`, "HTTP 403", `content type "text/html"`, "403 Forbidden"},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			f := newFakeAPI(t)
			if tc.tokenBody != "" {
				f.tokenHandler = func(w http.ResponseWriter, r *http.Request) {
					w.Header().Set("Content-Type", tc.tokenCT)
					w.WriteHeader(tc.tokenStatus)
					_, _ = io.WriteString(w, tc.tokenBody)
				}
			}
			c := newTestClient(t, f, func(c *Config) { c.ClientSecret = tc.secret })
			err := c.Authenticate(context.Background())
			if len(tc.wantInMsg) == 0 {
				if err != nil {
					t.Fatalf("Authenticate: %v", err)
				}
				return
			}
			var authErr *AuthenticationError
			if !errors.As(err, &authErr) {
				t.Fatalf("Authenticate error = %v (%T), want *AuthenticationError", err, err)
			}
			if tc.wantIs != nil && !errors.Is(err, tc.wantIs) {
				t.Errorf("errors.Is(err, %v) = false", tc.wantIs)
			}
			for _, want := range tc.wantInMsg {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error %q does not contain %q", err, want)
				}
			}
			if strings.Contains(err.Error(), tc.secret) {
				t.Errorf("error %q contains the client secret", err)
			}
			wantRequests := max(tc.wantTokenRequests, 1)
			if got := f.tokenRequests.Load(); got != wantRequests {
				t.Errorf("token requests = %d, want %d", got, wantRequests)
			}
		})
	}
}

func TestAuthenticateHonorsCallerContext(t *testing.T) {
	f := newFakeAPI(t)
	release := make(chan struct{})
	f.tokenHandler = func(w http.ResponseWriter, r *http.Request) {
		<-release
		f.issueToken(w, r)
	}
	c := newTestClient(t, f, nil)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	err := c.Authenticate(ctx)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("Authenticate = %v, want context.Canceled", err)
	}

	// The fetch the canceled caller started goes on and serves the next
	// caller: no second token request.
	close(release)
	if err := c.Authenticate(context.Background()); err != nil {
		t.Fatalf("Authenticate after the cancellation: %v", err)
	}
	if got := f.tokenRequests.Load(); got != 1 {
		t.Errorf("token requests = %d, want 1", got)
	}
}

func TestTokenFetchIsRetried(t *testing.T) {
	f := newFakeAPI(t)
	var calls int
	f.tokenHandler = func(w http.ResponseWriter, r *http.Request) {
		calls++
		if calls == 1 {
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		f.issueToken(w, r)
	}
	c := newTestClient(t, f, nil)
	if err := c.Authenticate(context.Background()); err != nil {
		t.Fatalf("Authenticate: %v", err)
	}
	if got := f.tokenRequests.Load(); got != 2 {
		t.Errorf("token requests = %d, want 2", got)
	}
}

func TestUnauthorizedRefetchesTokenOnce(t *testing.T) {
	cases := map[string]struct {
		revokeEveryTime bool
		wantErr         error
		wantAttempts    int
	}{
		"stale token is replaced":    {wantAttempts: 2},
		"persistent 401 is an error": {revokeEveryTime: true, wantErr: ErrUnauthorized, wantAttempts: 2},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			f := newFakeAPI(t)
			f.handle("GET /api/v1/account", func(w http.ResponseWriter, r *http.Request) {
				writeJSON(w, http.StatusOK, map[string]any{"id": "acc_1"})
			})
			c := newTestClient(t, f, nil)
			if err := c.Authenticate(context.Background()); err != nil {
				t.Fatal(err)
			}
			f.revokeTokens()
			if tc.revokeEveryTime {
				f.tokenHandler = func(w http.ResponseWriter, r *http.Request) {
					f.issueToken(w, r)
					f.revokeTokens()
				}
			}
			_, err := c.Account.Read(context.Background())
			if tc.wantErr == nil && err != nil {
				t.Fatalf("Account.Read: %v", err)
			}
			if tc.wantErr != nil && !errors.Is(err, tc.wantErr) {
				t.Fatalf("Account.Read = %v, want %v", err, tc.wantErr)
			}
			if got := len(f.apiRequests()); got != tc.wantAttempts {
				t.Errorf("API attempts = %d, want %d", got, tc.wantAttempts)
			}
		})
	}
}

func TestLate401KeepsAFresherToken(t *testing.T) {
	f := newFakeAPI(t)
	c := newTestClient(t, f, nil)
	ctx := context.Background()
	stale, err := c.tokens.token(ctx)
	if err != nil {
		t.Fatal(err)
	}
	c.tokens.invalidate(stale) // a 401 for the first token
	fresh, err := c.tokens.token(ctx)
	if err != nil {
		t.Fatal(err)
	}
	c.tokens.invalidate(stale) // a late 401 of a request that used the first token
	again, err := c.tokens.token(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if fresh == stale || again != fresh {
		t.Errorf("tokens = %q, %q, %q; want the second one kept", stale.AccessToken, fresh.AccessToken, again.AccessToken)
	}
	if got := f.tokenRequests.Load(); got != 2 {
		t.Errorf("token requests = %d, want 2", got)
	}
}
