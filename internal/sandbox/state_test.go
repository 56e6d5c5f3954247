package sandbox

import (
	"context"
	"encoding/json"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hashicorp/go-hclog"
)

func TestStatePersistsAcrossRestart(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	statePath := filepath.Join(dir, "sandbox-state.json")

	// The same address on both runs; TestStateResumesOnAnotherPort covers a move.
	var lc net.ListenConfig
	ln, err := lc.Listen(t.Context(), "tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	_ = ln.Close()

	first := newEnvWith(t, Options{Listen: addr, StatePath: statePath})
	conn := first.createConnection()
	su := first.createSalesUser(conn, userJordan)
	first.do(http.MethodPut, "/admin/v1/account/seat-limit", map[string]any{"seat_limit": 40}).wantStatus(http.StatusOK)
	first.do(http.MethodPost, "/api/v1/sales-users", map[string]any{"connection_id": conn, "crm_user_id": userPriya, "role": "sales"},
		header("Idempotency-Key", "persisted-key")).wantStatus(http.StatusCreated)
	token := first.token
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := first.sb.Close(ctx); err != nil {
		t.Fatalf("Close: %v", err)
	}

	info, err := os.Stat(statePath)
	if err != nil {
		t.Fatalf("no state file after Close: %v", err)
	}
	if perm := info.Mode().Perm(); perm != 0o600 {
		t.Errorf("state file mode %o, want 600", perm)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("the state directory holds %d entries, want only the state file (no temporary files)", len(entries))
	}
	data, _ := os.ReadFile(statePath)
	if strings.Contains(string(data), token) {
		t.Error("the state file holds an access token in clear")
	}

	second := newEnvWith(t, Options{Listen: addr, StatePath: statePath})
	second.token = token // issued before the restart
	got := second.do(http.MethodGet, "/api/v1/sales-users/"+stringField(t, su, "id"), nil).wantStatus(http.StatusOK).object()
	if got["crm_username"] != "jordan.lee@acme.example" {
		t.Errorf("sales user after restart %v", got)
	}
	if c := second.do(http.MethodGet, "/api/v1/connections/"+conn, nil).wantStatus(http.StatusOK).object(); c["status"] != "connected" {
		t.Errorf("connection after restart: %v (%v)", c["status"], c["status_reason"])
	}
	acc := second.do(http.MethodGet, "/api/v1/account", nil).wantStatus(http.StatusOK).object()
	if acc["seat_limit"] != 40.0 || acc["seats_used"] != 2.0 {
		t.Errorf("account after restart %v", acc)
	}
	replay := second.do(http.MethodPost, "/api/v1/sales-users", map[string]any{"connection_id": conn, "crm_user_id": userPriya, "role": "sales"},
		header("Idempotency-Key", "persisted-key")).wantStatus(http.StatusCreated)
	if replay.header.Get("Idempotent-Replayed") != "true" {
		t.Error("the idempotency record did not survive the restart")
	}
	second.do(http.MethodGet, pathf("/api/v1/connections/%s/crm-users/%s", conn, userMarco), nil).wantStatus(http.StatusOK)
}

func TestStateResumesOnAnotherPort(t *testing.T) {
	t.Parallel()
	statePath := filepath.Join(t.TempDir(), "sandbox-state.json")

	first := newEnvWith(t, Options{StatePath: statePath})
	conn := first.createConnection()
	closeCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := first.sb.Close(closeCtx); err != nil {
		t.Fatalf("Close: %v", err)
	}

	// Hold the first address, so the second sandbox surely gets another one.
	var lc net.ListenConfig
	hold, err := lc.Listen(t.Context(), "tcp", strings.TrimPrefix(first.url, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer hold.Close()

	second := newEnvWith(t, Options{StatePath: statePath})
	if second.url == first.url {
		t.Fatalf("both sandboxes serve at %s", second.url)
	}
	c := second.do(http.MethodGet, "/api/v1/connections/"+conn, nil).wantStatus(http.StatusOK).object()
	if c["login_url"] != second.url || c["instance_url"] != second.url || c["status"] != "connected" {
		t.Fatalf("connection after moving from %s to %s: login_url %v, instance_url %v, status %v (%v)",
			first.url, second.url, c["login_url"], c["instance_url"], c["status"], c["status_reason"])
	}
	second.do(http.MethodGet, pathf("/api/v1/connections/%s/crm-users/%s", conn, userMarco), nil).wantStatus(http.StatusOK)

	// The move is saved at once: the file names the new address.
	if err := second.sb.persist.flush(); err != nil {
		t.Fatal(err)
	}
	st, ok, err := loadState(statePath)
	if err != nil || !ok || st.BaseURL != second.url {
		t.Fatalf("state file after the move: base_url %q, %t, %v; want %q", st.BaseURL, ok, err, second.url)
	}
}

func TestStateFileErrors(t *testing.T) {
	t.Parallel()
	cases := map[string]struct {
		content string
		want    string
	}{
		"not JSON":      {content: "{", want: "not valid JSON"},
		"other version": {content: `{"version": 99}`, want: "format version 99"},
		"bad platform":  {content: `{"version": 1, "platform": {}, "org": {"orgs": []}}`, want: "invalid"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			path := filepath.Join(t.TempDir(), "state.json")
			if err := os.WriteFile(path, []byte(tc.content), 0o600); err != nil {
				t.Fatal(err)
			}
			_, err := Start(t.Context(), Options{Listen: "127.0.0.1:0", StatePath: path})
			if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), "delete it") {
				t.Fatalf("Start error %v, want one naming %s, %q and the fix", err, path, tc.want)
			}
		})
	}
}

func TestWriteFileAtomic(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	path := filepath.Join(dir, "state.json")
	for _, content := range []string{`{"a":1}`, `{"a":2}`} {
		if err := writeFileAtomic(path, []byte(content)); err != nil {
			t.Fatal(err)
		}
		got, err := os.ReadFile(path)
		if err != nil || string(got) != content {
			t.Fatalf("content %q (%v), want %q", got, err, content)
		}
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("%d entries in the directory, want 1", len(entries))
	}
	if err := writeFileAtomic(filepath.Join(dir, "missing", "state.json"), []byte("{}")); err == nil {
		t.Error("writing into a missing directory succeeded")
	}
}

func TestSaveIsDebouncedAndFlushedOnClose(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "state.json")
	var writes atomic.Int32
	// A delay no test run reaches: only Close writes.
	p := &persister{path: path, logger: hclog.NewNullLogger(), delay: time.Hour, snapshot: func() stateFile {
		writes.Add(1)
		return stateFile{Version: stateFormatVersion}
	}}
	for range 50 {
		p.schedule()
	}
	if err := p.close(); err != nil {
		t.Fatal(err)
	}
	if n := writes.Load(); n != 1 {
		t.Errorf("%d writes for a burst of 50 changes, want 1", n)
	}
	var st stateFile
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, &st); err != nil || st.Version != stateFormatVersion {
		t.Errorf("state file %s (%v)", data, err)
	}
	p.schedule() // after close: ignored
	if err := p.flush(); err != nil || writes.Load() != 1 {
		t.Errorf("a change after close was written (%d writes, %v)", writes.Load(), err)
	}
}

// TestCloseWaitsForASaveInProgress: when the debounce timer's save is still writing, close must
// not return before the file is there (a sandbox stopped right after a change left no file).
func TestCloseWaitsForASaveInProgress(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "state.json")
	inSnapshot, release := make(chan struct{}), make(chan struct{})
	var once sync.Once
	p := &persister{path: path, logger: hclog.NewNullLogger(), delay: time.Nanosecond, snapshot: func() stateFile {
		once.Do(func() {
			close(inSnapshot)
			<-release
		})
		return stateFile{Version: stateFormatVersion}
	}}
	p.schedule()
	<-inSnapshot // the timer's save has started and holds its snapshot

	closed := make(chan error, 1)
	go func() { closed <- p.close() }()
	select {
	case err := <-closed:
		t.Fatalf("close returned (%v) while a save was still in progress", err)
	case <-time.After(50 * time.Millisecond):
	}
	close(release)
	if err := <-closed; err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(path); err != nil {
		t.Fatalf("no state file after close: %v", err)
	}
}
