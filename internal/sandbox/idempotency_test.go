package sandbox

import (
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func TestIdempotencyStore(t *testing.T) {
	now := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	var clockMu sync.Mutex
	clock := func() time.Time {
		clockMu.Lock()
		defer clockMu.Unlock()
		return now
	}
	var kept atomic.Int32
	st := newIdempotencyStore(clock, func() { kept.Add(1) })
	var calls atomic.Int32
	do := func(status int) func() storedResponse {
		return func() storedResponse {
			n := calls.Add(1)
			return storedResponse{Status: status, Body: fmt.Appendf(nil, `{"n":%d}`, n), ETag: `"1"`}
		}
	}
	first, replayed, prob := st.do("cli", "k1", "fp-a", do(201))
	if prob != nil || replayed || string(first.Body) != `{"n":1}` {
		t.Fatalf("first: %s %v %v", first.Body, replayed, prob)
	}
	if kept.Load() != 1 {
		t.Errorf("onChange ran %d times after the first kept response, want 1", kept.Load())
	}
	if recs := st.snapshot(); len(recs) != 1 || recs[0].Key != "k1" {
		t.Errorf("snapshot = %+v", recs)
	}

	cases := map[string]struct {
		scope, key, fp string
		status         int
		wantReplay     bool
		wantCode       string
		wantBody       string
	}{
		"same key and body replays":       {scope: "cli", key: "k1", fp: "fp-a", wantReplay: true, wantBody: `{"n":1}`},
		"same key, other body is refused": {scope: "cli", key: "k1", fp: "fp-b", wantCode: codeIdempotencyKeyReused},
		"same key, other client runs":     {scope: "other", key: "k1", fp: "fp-a", status: 201},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			resp, replayed, prob := st.do(tc.scope, tc.key, tc.fp, do(tc.status))
			if tc.wantCode != "" {
				if prob == nil || prob.Code != tc.wantCode || prob.Status() != 422 {
					t.Fatalf("got %+v, want a 422 %s", prob, tc.wantCode)
				}
				return
			}
			if prob != nil {
				t.Fatal(prob)
			}
			if replayed != tc.wantReplay || (tc.wantBody != "" && string(resp.Body) != tc.wantBody) {
				t.Errorf("replayed=%v body=%s", replayed, resp.Body)
			}
		})
	}

	t.Run("server errors are not kept", func(t *testing.T) {
		if _, _, prob := st.do("cli", "k5", "fp", do(503)); prob != nil {
			t.Fatal(prob)
		}
		resp, replayed, prob := st.do("cli", "k5", "fp", do(201))
		if prob != nil || replayed || resp.Status != 201 {
			t.Errorf("retry after 503: status %d replayed %v %v", resp.Status, replayed, prob)
		}
	})

	t.Run("records expire after 24 hours", func(t *testing.T) {
		clockMu.Lock()
		now = now.Add(idempotencyTTL)
		clockMu.Unlock()
		_, replayed, prob := st.do("cli", "k1", "fp-b", do(201))
		if prob != nil || replayed {
			t.Errorf("after expiry: replayed %v, %v", replayed, prob)
		}
	})

	t.Run("concurrent duplicates wait for the first", func(t *testing.T) {
		release := make(chan struct{})
		started := make(chan struct{})
		var runs atomic.Int32
		slow := func() storedResponse {
			runs.Add(1)
			close(started)
			<-release
			return storedResponse{Status: 201, Body: []byte("first")}
		}
		var wg sync.WaitGroup
		results := make([]string, 10)
		replays := make([]bool, 10)
		wg.Add(1)
		go func() {
			defer wg.Done()
			r, rep, _ := st.do("cli", "dup", "fp", slow)
			results[0], replays[0] = string(r.Body), rep
		}()
		<-started
		for i := 1; i < 10; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				r, rep, _ := st.do("cli", "dup", "fp", func() storedResponse {
					runs.Add(1)
					return storedResponse{Status: 201, Body: []byte("second")}
				})
				results[i], replays[i] = string(r.Body), rep
			}()
		}
		close(release)
		wg.Wait()
		if runs.Load() != 1 {
			t.Errorf("the operation ran %d times", runs.Load())
		}
		for i, r := range results {
			if r != "first" || replays[i] != (i != 0) {
				t.Errorf("caller %d got %q replayed=%v", i, r, replays[i])
			}
		}
	})
}

func TestFingerprint(t *testing.T) {
	base := fingerprint("POST", "/api/v1/sales-users", []byte(`{"connection_id":"conn_1","crm_user_id":"005"}`))
	cases := map[string]struct {
		method, path, body string
		same               bool
	}{
		"key order and spacing":   {"POST", "/api/v1/sales-users", "{ \"crm_user_id\": \"005\",\n \"connection_id\": \"conn_1\" }", true},
		"other value":             {"POST", "/api/v1/sales-users", `{"connection_id":"conn_1","crm_user_id":"006"}`, false},
		"other path":              {"POST", "/api/v1/role-mappings", `{"connection_id":"conn_1","crm_user_id":"005"}`, false},
		"other method":            {"PUT", "/api/v1/sales-users", `{"connection_id":"conn_1","crm_user_id":"005"}`, false},
		"not JSON, byte for byte": {"POST", "/api/v1/sales-users", `connection_id=conn_1`, false},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			got := fingerprint(tc.method, tc.path, []byte(tc.body))
			if (got == base) != tc.same {
				t.Errorf("same fingerprint = %v, want %v", got == base, tc.same)
			}
		})
	}
}
