package client

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// statusScript answers successive requests with the given statuses; 0 drops
// the connection and 200 writes ok.
func statusScript(t *testing.T, attempts *atomic.Int32, statuses []int, ok func(w http.ResponseWriter)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		n := int(attempts.Add(1))
		status := statuses[min(n, len(statuses))-1]
		switch status {
		case 0:
			dropConnection(t, w)
		case http.StatusOK:
			ok(w)
		default:
			writeProblem(w, status, "", "scripted failure", nil)
		}
	}
}

func TestRetryPolicy(t *testing.T) {
	okAccount := func(w http.ResponseWriter) { writeJSON(w, http.StatusOK, map[string]any{"id": "acc_1"}) }
	okUser := func(w http.ResponseWriter) { writeJSON(w, http.StatusOK, salesUserJSON("su_1")) }
	cases := map[string]struct {
		restore      bool // POST /recycle-bin/{id}/restore: not safe to repeat
		statuses     []int
		retryMax     int
		wantAttempts int32
		wantOK       bool
		wantIs       error
	}{
		"503 then success":           {statuses: []int{503, 503, 200}, wantAttempts: 3, wantOK: true},
		"429 then success":           {statuses: []int{429, 200}, wantAttempts: 2, wantOK: true},
		"502 on a read is retried":   {statuses: []int{502, 504, 200}, wantAttempts: 3, wantOK: true},
		"dropped read is retried":    {statuses: []int{0, 200}, wantAttempts: 2, wantOK: true},
		"500 is not retried":         {statuses: []int{500, 200}, wantAttempts: 1, wantIs: ErrInternal},
		"501 is not retried":         {statuses: []int{501, 200}, wantAttempts: 1},
		"404 is not retried":         {statuses: []int{404, 200}, wantAttempts: 1, wantIs: ErrNotFound},
		"retries are bounded":        {statuses: []int{503}, retryMax: 2, wantAttempts: 3, wantIs: ErrUnavailable},
		"negative RetryMax disables": {statuses: []int{503, 200}, retryMax: -1, wantAttempts: 1, wantIs: ErrUnavailable},
		"429 on restore is retried":  {restore: true, statuses: []int{429, 200}, wantAttempts: 2, wantOK: true},
		"502 on restore is not":      {restore: true, statuses: []int{502, 200}, wantAttempts: 1},
		"dropped restore is not":     {restore: true, statuses: []int{0, 200}, wantAttempts: 1},
		"default RetryMax is four":   {statuses: []int{503}, wantAttempts: DefaultRetryMax + 1, wantIs: ErrUnavailable},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			f := newFakeAPI(t)
			var attempts atomic.Int32
			if tc.restore {
				f.handle("POST /api/v1/recycle-bin/su_1/restore", statusScript(t, &attempts, tc.statuses, okUser))
			} else {
				f.handle("GET /api/v1/account", statusScript(t, &attempts, tc.statuses, okAccount))
			}
			c := newTestClient(t, f, func(c *Config) { c.RetryMax = tc.retryMax })
			var err error
			if tc.restore {
				_, err = c.RecycleBin.Restore(context.Background(), "su_1", RecycleBinRestoreOptions{})
			} else {
				_, err = c.Account.Read(context.Background())
			}
			if got := attempts.Load(); got != tc.wantAttempts {
				t.Errorf("attempts = %d, want %d", got, tc.wantAttempts)
			}
			if tc.wantOK != (err == nil) {
				t.Fatalf("err = %v, want success %v", err, tc.wantOK)
			}
			if tc.wantIs != nil && !errors.Is(err, tc.wantIs) {
				t.Errorf("err = %v, want errors.Is %v", err, tc.wantIs)
			}
		})
	}
}

func TestRetryAfterLongerThanMaxIsNotWaitedFor(t *testing.T) {
	f := newFakeAPI(t)
	var attempts atomic.Int32
	f.handle("GET /api/v1/account", func(w http.ResponseWriter, r *http.Request) {
		attempts.Add(1)
		w.Header().Set("Retry-After", "120")
		writeProblem(w, http.StatusTooManyRequests, CodeRateLimited, "slow down", nil)
	})
	c := newTestClient(t, f, nil)
	_, err := c.Account.Read(context.Background())
	var apiErr *Error
	if !errors.As(err, &apiErr) || !errors.Is(err, ErrRateLimited) {
		t.Fatalf("err = %v, want a rate_limited *Error", err)
	}
	if apiErr.RetryAfter != 2*time.Minute {
		t.Errorf("RetryAfter = %s, want 2m0s", apiErr.RetryAfter)
	}
	if apiErr.RetryWaitMax == 0 || apiErr.RetryWaitMax >= apiErr.RetryAfter {
		t.Errorf("RetryWaitMax = %s, want the client's retry_wait_max, below Retry-After, to say why it did not retry", apiErr.RetryWaitMax)
	}
	if attempts.Load() != 1 {
		t.Errorf("attempts = %d, want 1", attempts.Load())
	}
}

func TestBackoff(t *testing.T) {
	now := time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)
	c := &Client{now: func() time.Time { return now }}
	cases := map[string]struct {
		status     int // 0: no response (connection error)
		retryAfter string
		attempt    int
		min, max   time.Duration
		want       time.Duration // upper bound (exact when equal to wantMin)
		wantMin    time.Duration
	}{
		"retry-after seconds":       {status: 429, retryAfter: "7", min: time.Second, max: time.Minute, want: 7 * time.Second, wantMin: 7 * time.Second},
		"retry-after http date":     {status: 503, retryAfter: now.Add(12 * time.Second).Format(http.TimeFormat), min: time.Second, max: time.Minute, want: 12 * time.Second, wantMin: 12 * time.Second},
		"retry-after date in past":  {status: 503, retryAfter: now.Add(-time.Hour).Format(http.TimeFormat), min: time.Second, max: time.Minute},
		"retry-after capped at max": {status: 429, retryAfter: "90", min: time.Second, max: 30 * time.Second, want: 30 * time.Second, wantMin: 30 * time.Second},
		"retry-after zero":          {status: 429, retryAfter: "0", min: time.Second, max: time.Minute},
		"garbage retry-after":       {status: 503, retryAfter: "soon", min: time.Second, max: time.Minute, want: time.Second, wantMin: 500 * time.Millisecond},
		"401 retries at once":       {status: 401, min: time.Second, max: time.Minute},
		"connection error attempt0": {min: time.Second, max: time.Minute, want: time.Second, wantMin: 500 * time.Millisecond},
		"connection error attempt3": {attempt: 3, min: time.Second, max: time.Minute, want: 8 * time.Second, wantMin: 4 * time.Second},
		"exponential capped":        {attempt: 10, min: time.Second, max: 30 * time.Second, want: 30 * time.Second, wantMin: 15 * time.Second},
		"huge attempt":              {attempt: 200, min: time.Second, max: 30 * time.Second, want: 30 * time.Second, wantMin: 15 * time.Second},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			var resp *http.Response
			if tc.status != 0 {
				resp = &http.Response{StatusCode: tc.status, Header: http.Header{}, Body: http.NoBody}
				defer resp.Body.Close()
				if tc.retryAfter != "" {
					resp.Header.Set("Retry-After", tc.retryAfter)
				}
			}
			for range 50 {
				got := c.backoff(tc.min, tc.max, tc.attempt, resp)
				if got < tc.wantMin || got > tc.want {
					t.Fatalf("backoff = %s, want within [%s, %s]", got, tc.wantMin, tc.want)
				}
			}
		})
	}
}

func TestJitteredBackoffBounds(t *testing.T) {
	cases := map[string]struct {
		waitMin time.Duration // 0: 1s at attempt 2
		attempt int
		randN   func(int64) int64
		want    time.Duration
	}{
		"lowest jitter":  {randN: func(int64) int64 { return 0 }, want: 2 * time.Second},
		"highest jitter": {randN: func(n int64) int64 { return n - 1 }, want: 4 * time.Second},
		"late attempt is capped, not overflowed": {
			waitMin: 1<<33 + 1, attempt: 31, randN: func(n int64) int64 { return n - 1 }, want: time.Minute,
		},
		"wait min above max": {waitMin: 2 * time.Minute, randN: func(n int64) int64 { return n - 1 }, want: time.Minute},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			waitMin, attempt := tc.waitMin, tc.attempt
			if waitMin == 0 {
				waitMin, attempt = time.Second, 2
			}
			if got := jitteredBackoff(waitMin, time.Minute, attempt, tc.randN); got != tc.want {
				t.Errorf("jitteredBackoff = %s, want %s", got, tc.want)
			}
		})
	}
}

func TestRetryUsesBackoffHook(t *testing.T) {
	// The Retry-After the server sends reaches the Backoff hook through
	// retryablehttp; a recording Backoff shows what the client would wait.
	f := newFakeAPI(t)
	var attempts atomic.Int32
	f.handle("GET /api/v1/account", func(w http.ResponseWriter, r *http.Request) {
		if attempts.Add(1) == 1 {
			w.Header().Set("Retry-After", "3")
			writeProblem(w, http.StatusServiceUnavailable, CodeUnavailable, "maintenance", nil)
			return
		}
		writeJSON(w, http.StatusOK, map[string]any{"id": "acc_1"})
	})
	c := newTestClient(t, f, func(c *Config) { c.RetryWaitMax = time.Minute })
	var mu sync.Mutex
	var waits []time.Duration
	c.http.Backoff = func(waitMin, waitMax time.Duration, attempt int, resp *http.Response) time.Duration {
		d := c.backoff(waitMin, waitMax, attempt, resp)
		mu.Lock()
		waits = append(waits, d)
		mu.Unlock()
		return 0
	}
	if _, err := c.Account.Read(context.Background()); err != nil {
		t.Fatalf("Account.Read: %v", err)
	}
	if len(waits) != 1 || waits[0] != 3*time.Second {
		t.Errorf("backoff waits = %v, want [3s]", waits)
	}
}

func TestContextCanceledDuringBackoff(t *testing.T) {
	f := newFakeAPI(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var attempts atomic.Int32
	f.handle("GET /api/v1/account", func(w http.ResponseWriter, r *http.Request) {
		attempts.Add(1)
		w.Header().Set("Retry-After", strconv.Itoa(3600))
		writeProblem(w, http.StatusServiceUnavailable, CodeUnavailable, "down", nil)
	})
	c := newTestClient(t, f, func(c *Config) { c.RetryWaitMax = 2 * time.Hour })
	// Cancel once the client has decided to back off (for an hour).
	c.http.Backoff = func(waitMin, waitMax time.Duration, attempt int, resp *http.Response) time.Duration {
		cancel()
		return c.backoff(waitMin, waitMax, attempt, resp)
	}
	_, err := c.Account.Read(ctx)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	if attempts.Load() != 1 {
		t.Errorf("attempts = %d, want 1", attempts.Load())
	}
}

func TestIdempotentCreateSurvivesDroppedResponse(t *testing.T) {
	f := newFakeAPI(t)
	var (
		mu      sync.Mutex
		created = map[string][]byte{} // idempotency key → stored body
		keys    []string
		creates int
	)
	f.handle("POST /api/v1/sales-users", func(w http.ResponseWriter, r *http.Request) {
		key := r.Header.Get("Idempotency-Key")
		mu.Lock()
		keys = append(keys, key)
		stored, replay := created[key]
		if !replay {
			creates++
			body, _ := jsonMarshal(salesUserJSON("su_" + strconv.Itoa(creates)))
			created[key] = body
		}
		first := !replay
		mu.Unlock()
		if first {
			// The user is committed, but the response is lost.
			dropConnection(t, w)
			return
		}
		w.Header().Set("Idempotent-Replayed", "true")
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("ETag", `"1"`)
		w.WriteHeader(http.StatusCreated)
		_, _ = w.Write(stored)
	})
	c := newTestClient(t, f, nil)
	u, err := c.SalesUsers.Create(context.Background(), SalesUserCreateOptions{ConnectionID: "conn_1", CRMUserID: "005000000000001"})
	if err != nil {
		t.Fatalf("Create: %v", err)
	}
	if u.ID != "su_1" || u.ETag != `"1"` {
		t.Errorf("created user = %s (ETag %s), want su_1 (ETag \"1\")", u.ID, u.ETag)
	}
	snapshot := func() (int, []string) {
		mu.Lock()
		defer mu.Unlock()
		return creates, append([]string(nil), keys...)
	}
	n, got := snapshot()
	if n != 1 {
		t.Errorf("creates = %d, want exactly 1", n)
	}
	if len(got) != 2 || got[0] == "" || got[0] != got[1] {
		t.Errorf("Idempotency-Keys = %q, want the same non-empty key twice", got)
	}

	// A second, separate create gets a key of its own.
	if _, err := c.SalesUsers.Create(context.Background(), SalesUserCreateOptions{ConnectionID: "conn_1", CRMUsername: "b@acme.com"}); err != nil {
		t.Fatalf("second Create: %v", err)
	}
	n, got = snapshot()
	if n != 2 || len(got) != 4 || got[2] == got[0] || got[2] != got[3] {
		t.Errorf("after a second create: creates = %d, keys = %q; want 2 creates and a new key", n, got)
	}
}

func TestConditionalUpdateIsNotRetriedAfterDrop(t *testing.T) {
	cases := map[string]struct {
		ifMatch      string
		wantAttempts int32
	}{
		"unconditional update is retried": {wantAttempts: 2},
		"conditional update is not":       {ifMatch: `"3"`, wantAttempts: 1},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			f := newFakeAPI(t)
			var attempts atomic.Int32
			f.handle("PATCH /api/v1/sales-users/su_1", func(w http.ResponseWriter, r *http.Request) {
				if attempts.Add(1) == 1 {
					dropConnection(t, w)
					return
				}
				writeJSON(w, http.StatusOK, salesUserJSON("su_1"))
			})
			c := newTestClient(t, f, nil)
			team := "East"
			_, _ = c.SalesUsers.Update(context.Background(), "su_1", SalesUserUpdateOptions{Team: &team, IfMatch: tc.ifMatch})
			if attempts.Load() != tc.wantAttempts {
				t.Errorf("attempts = %d, want %d", attempts.Load(), tc.wantAttempts)
			}
		})
	}
}
