package platform_test

import (
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/salesseat/terraform-provider-salesseat/internal/sandbox/platform"
)

func TestIdempotency(t *testing.T) {
	e := newEnv(t, envOptions{noConnection: true})
	var calls atomic.Int32
	do := func(status int) func() platform.StoredResponse {
		return func() platform.StoredResponse {
			n := calls.Add(1)
			return platform.StoredResponse{Status: status, Body: fmt.Appendf(nil, `{"n":%d}`, n), ETag: `"1"`}
		}
	}
	first, replayed, err := e.p.Idempotent("cli", "k1", "fp-a", do(201))
	if err != nil || replayed || string(first.Body) != `{"n":1}` {
		t.Fatalf("first: %s %v %v", first.Body, replayed, err)
	}

	cases := map[string]struct {
		scope, key, fp string
		status         int
		wantReplay     bool
		wantCode       string
		wantBody       string
	}{
		"same key and body replays":       {scope: "cli", key: "k1", fp: "fp-a", wantReplay: true, wantBody: `{"n":1}`},
		"same key, other body is refused": {scope: "cli", key: "k1", fp: "fp-b", wantCode: platform.CodeIdempotencyKeyReused},
		"same key, other client runs":     {scope: "other", key: "k1", fp: "fp-a", status: 201},
		"empty key is refused":            {scope: "cli", key: "", fp: "fp-a", wantCode: platform.CodeValidationFailed},
		"over-long key is refused":        {scope: "cli", key: strings.Repeat("k", 256), fp: "fp-a", wantCode: platform.CodeValidationFailed},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			resp, replayed, err := e.p.Idempotent(tc.scope, tc.key, tc.fp, do(tc.status))
			if tc.wantCode != "" {
				requireProblem(t, err, tc.wantCode, 422, nil)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if replayed != tc.wantReplay || (tc.wantBody != "" && string(resp.Body) != tc.wantBody) {
				t.Errorf("replayed=%v body=%s", replayed, resp.Body)
			}
		})
	}

	t.Run("server errors are not kept", func(t *testing.T) {
		if _, _, err := e.p.Idempotent("cli", "k5", "fp", do(503)); err != nil {
			t.Fatal(err)
		}
		resp, replayed, err := e.p.Idempotent("cli", "k5", "fp", do(201))
		if err != nil || replayed || resp.Status != 201 {
			t.Errorf("retry after 503: status %d replayed %v %v", resp.Status, replayed, err)
		}
	})

	t.Run("records expire after 24 hours", func(t *testing.T) {
		e.clock.Advance(platform.IdempotencyTTL)
		_, replayed, err := e.p.Idempotent("cli", "k1", "fp-b", do(201))
		if err != nil || replayed {
			t.Errorf("after expiry: replayed %v, %v", replayed, err)
		}
	})

	t.Run("concurrent duplicates wait for the first", func(t *testing.T) {
		release := make(chan struct{})
		started := make(chan struct{})
		var runs atomic.Int32
		slow := func() platform.StoredResponse {
			runs.Add(1)
			close(started)
			<-release
			return platform.StoredResponse{Status: 201, Body: []byte("first")}
		}
		var wg sync.WaitGroup
		results := make([]string, 10)
		replays := make([]bool, 10)
		wg.Add(1)
		go func() {
			defer wg.Done()
			r, rep, _ := e.p.Idempotent("cli", "dup", "fp", slow)
			results[0], replays[0] = string(r.Body), rep
		}()
		<-started
		for i := 1; i < 10; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				r, rep, _ := e.p.Idempotent("cli", "dup", "fp", func() platform.StoredResponse {
					runs.Add(1)
					return platform.StoredResponse{Status: 201, Body: []byte("second")}
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
	base := platform.Fingerprint("POST", "/api/v1/sales-users", []byte(`{"connection_id":"conn_1","crm_user_id":"005"}`))
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
			got := platform.Fingerprint(tc.method, tc.path, []byte(tc.body))
			if (got == base) != tc.same {
				t.Errorf("same fingerprint = %v, want %v", got == base, tc.same)
			}
		})
	}
}
