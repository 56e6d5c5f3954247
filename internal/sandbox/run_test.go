package sandbox

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// startLines are the names Run prints, in order.
var startLines = []string{
	"SALESSEAT_ENDPOINT",
	"SALESSEAT_CLIENT_ID",
	"SALESSEAT_CLIENT_SECRET",
	"SALESSEAT_SANDBOX_LOGIN_URL",
	"SALESSEAT_SANDBOX_SERVICE_USERNAME",
	"SALESSEAT_SANDBOX_OAUTH_CLIENT_ID",
	"SALESSEAT_SANDBOX_REFRESH_TOKEN",
	"SALESSEAT_SANDBOX_ADMIN_TOKEN",
	"SALESSEAT_SANDBOX_JWT_PRIVATE_KEY_FILE",
	"SALESSEAT_SANDBOX_CONSOLE",
}

// runSandbox runs the subcommand in the background and returns the values it printed and a
// function that stops it and returns Run's error.
func runSandbox(t *testing.T, args ...string) (map[string]string, func() error) {
	t.Helper()
	return runSandboxLogging(t, io.Discard, args...)
}

// runSandboxLogging is runSandbox with the log written to stderr.
func runSandboxLogging(t *testing.T, stderr io.Writer, args ...string) (map[string]string, func() error) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	go func() {
		err := run(ctx, args, pw, stderr)
		_ = pw.CloseWithError(io.EOF)
		done <- err
	}()
	stop := sync.OnceValue(func() error {
		cancel()
		select {
		case err := <-done:
			return err
		case <-time.After(30 * time.Second):
			t.Error("Run did not return after its context was canceled")
			return nil
		}
	})
	t.Cleanup(func() { _ = stop() })

	values := map[string]string{}
	var names []string
	sc := bufio.NewScanner(pr)
	for len(names) < len(startLines) && sc.Scan() {
		name, value, ok := strings.Cut(sc.Text(), "=")
		if !ok {
			t.Fatalf("startup line %q is not NAME=value", sc.Text())
		}
		names = append(names, name)
		values[name] = shellUnquote(t, value)
	}
	if !slices.Equal(names, startLines) {
		t.Fatalf("startup lines name %v, want %v (Run: %v)", names, startLines, sc.Err())
	}
	go func() { _, _ = io.Copy(io.Discard, pr) }()
	return values, stop
}

// shellUnquote reverses shellQuote.
func shellUnquote(t *testing.T, v string) string {
	t.Helper()
	if !strings.HasPrefix(v, "'") {
		if !shellSafe.MatchString(v) && v != "" {
			t.Fatalf("value %q needs quoting", v)
		}
		return v
	}
	if !strings.HasSuffix(v, "'") {
		t.Fatalf("value %q is not quoted correctly", v)
	}
	return strings.ReplaceAll(v[1:len(v)-1], `'\''`, "'")
}

// TestRunEndToEnd is the end-to-end check: start the sandbox subcommand on a free port,
// get a token with the printed credentials, connect to the default org with the printed login
// URL, service username, consumer key and refresh token, and list its CRM users.
func TestRunEndToEnd(t *testing.T) {
	t.Parallel()
	statePath := filepath.Join(t.TempDir(), "state.json")
	values, stop := runSandbox(t, "--listen", "127.0.0.1:0", "--state", statePath, "--log-level", "debug")

	keyFile := values["SALESSEAT_SANDBOX_JWT_PRIVATE_KEY_FILE"]
	info, err := os.Stat(keyFile)
	if err != nil {
		t.Fatalf("private key file: %v", err)
	}
	if info.Mode().Perm() != 0o600 {
		t.Errorf("private key file mode %o, want 600", info.Mode().Perm())
	}
	if key, _ := os.ReadFile(keyFile); !strings.Contains(string(key), "PRIVATE KEY") {
		t.Errorf("the key file holds no private key")
	}

	endpoint := values["SALESSEAT_ENDPOINT"]
	if !strings.HasPrefix(endpoint, "http://127.0.0.1:") || strings.HasSuffix(endpoint, ":0") {
		t.Fatalf("endpoint %q", endpoint)
	}
	client := contractClient(t)
	call := func(req *http.Request) (int, []byte) {
		t.Helper()
		resp, err := client.Do(req)
		if err != nil {
			t.Fatalf("%s %s: %v", req.Method, req.URL.Path, err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, body
	}

	// The OpenAPI document.
	req, _ := http.NewRequestWithContext(t.Context(), http.MethodGet, endpoint+"/openapi.json", nil)
	status, body := call(req)
	var doc map[string]any
	if status != http.StatusOK || json.Unmarshal(body, &doc) != nil || doc["openapi"] != "3.0.3" {
		t.Fatalf("GET /openapi.json: %d %.200s", status, body)
	}

	// The console, at the printed URL.
	if console := values["SALESSEAT_SANDBOX_CONSOLE"]; console != endpoint+"/" {
		t.Errorf("SALESSEAT_SANDBOX_CONSOLE=%q, want %s/", console, endpoint)
	}
	req, _ = http.NewRequestWithContext(context.WithValue(t.Context(), offContractKey{}, true), http.MethodGet, values["SALESSEAT_SANDBOX_CONSOLE"], nil)
	if status, body := call(req); status != http.StatusOK || !strings.Contains(string(body), "<h1>Sandbox console</h1>") {
		t.Errorf("GET %s: %d %.200s", values["SALESSEAT_SANDBOX_CONSOLE"], status, body)
	}

	// A token with the printed API client.
	form := url.Values{"grant_type": {"client_credentials"}, "client_id": {values["SALESSEAT_CLIENT_ID"]}, "client_secret": {values["SALESSEAT_CLIENT_SECRET"]}}
	req, _ = http.NewRequestWithContext(t.Context(), http.MethodPost, endpoint+"/oauth/token", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	status, body = call(req)
	var tok tokenResponse
	if status != http.StatusOK || json.Unmarshal(body, &tok) != nil {
		t.Fatalf("token: %d %s", status, body)
	}

	api := func(method, path string, in any) (int, []byte) {
		t.Helper()
		var r io.Reader
		if in != nil {
			data, _ := json.Marshal(in)
			r = strings.NewReader(string(data))
		}
		req, _ := http.NewRequestWithContext(t.Context(), method, endpoint+path, r)
		req.Header.Set("Authorization", "Bearer "+tok.AccessToken)
		if in != nil {
			req.Header.Set("Content-Type", "application/json")
		}
		return call(req)
	}
	status, body = api(http.MethodPost, "/api/v1/connections", map[string]any{
		"name": "Acme sandbox", "environment": "sandbox",
		"login_url":        values["SALESSEAT_SANDBOX_LOGIN_URL"],
		"service_username": values["SALESSEAT_SANDBOX_SERVICE_USERNAME"],
		"oauth_client_id":  values["SALESSEAT_SANDBOX_OAUTH_CLIENT_ID"],
		"refresh_token":    values["SALESSEAT_SANDBOX_REFRESH_TOKEN"],
	})
	var conn struct {
		ID     string `json:"id"`
		Status string `json:"status"`
	}
	if status != http.StatusCreated || json.Unmarshal(body, &conn) != nil || conn.Status != "connected" {
		t.Fatalf("create connection: %d %s", status, body)
	}
	status, body = api(http.MethodGet, "/api/v1/connections/"+conn.ID+"/crm-users?active=true&limit=1000", nil)
	var users struct {
		Items []struct {
			Username string `json:"username"`
		} `json:"items"`
	}
	if status != http.StatusOK || json.Unmarshal(body, &users) != nil {
		t.Fatalf("list CRM users: %d %.300s", status, body)
	}
	var usernames []string
	for _, u := range users.Items {
		usernames = append(usernames, u.Username)
	}
	if len(usernames) < 100 || !slices.Contains(usernames, "jordan.lee@acme.example") || slices.Contains(usernames, "chris.walker@acme.example") {
		t.Errorf("active CRM users of the default org: %d, e.g. %v", len(usernames), usernames[:min(5, len(usernames))])
	}

	// The admin token works too.
	req, _ = http.NewRequestWithContext(t.Context(), http.MethodGet, endpoint+"/admin/v1/orgs", nil)
	req.Header.Set("Authorization", "Bearer "+values["SALESSEAT_SANDBOX_ADMIN_TOKEN"])
	if status, body := call(req); status != http.StatusOK {
		t.Errorf("admin orgs: %d %s", status, body)
	}

	if err := stop(); err != nil {
		t.Fatalf("Run returned %v after its context ended, want nil", err)
	}
	if _, err := os.Stat(keyFile); !os.IsNotExist(err) {
		t.Errorf("the private key file is still there after exit (%v)", err)
	}
	if _, err := os.Stat(statePath); err != nil {
		t.Errorf("no state file after exit: %v", err)
	}
}

func TestRunFlagErrors(t *testing.T) {
	t.Parallel()
	var lc net.ListenConfig
	busy, err := lc.Listen(t.Context(), "tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = busy.Close() })
	cases := map[string]struct {
		args []string
		want string // substring of the error; "" for a nil error
	}{
		"unknown flag":         {args: []string{"--port", "1"}, want: "flag provided but not defined"},
		"positional":           {args: []string{"serve"}, want: `unexpected argument "serve"`},
		"bad log level":        {args: []string{"--log-level", "loud"}, want: `--log-level "loud"`},
		"missing fixture":      {args: []string{"--fixture", "/nonexistent/fixture.yaml"}, want: "fixture"},
		"busy address":         {args: []string{"--listen", busy.Addr().String()}, want: "listening on " + busy.Addr().String()},
		"no port":              {args: []string{"--listen", "127.0.0.1"}, want: "listening on 127.0.0.1: address 127.0.0.1: missing port in address"},
		"every interface":      {args: []string{"--listen", "0.0.0.0:0"}, want: `refusing to listen on "0.0.0.0:0": that is every network interface`},
		"empty host":           {args: []string{"--listen", ":0"}, want: `refusing to listen on ":0": that is every network interface`},
		"LAN address":          {args: []string{"--listen", "192.0.2.10:8787"}, want: `refusing to listen on "192.0.2.10:8787": that is not a loopback address`},
		"published secrets":    {args: []string{"--listen", "0.0.0.0:0", "--allow-remote"}, want: "the fixture still holds the published value of api_clients[0].client_secret, admin_token,"},
		"help is not an error": {args: []string{"-help"}},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			var out strings.Builder
			// A sandbox that starts although it should not serves until this deadline.
			ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
			defer cancel()
			err := run(ctx, tc.args, &out, io.Discard)
			switch {
			case tc.want == "" && err != nil:
				t.Fatalf("error %v, want none", err)
			case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
				t.Fatalf("error %v, want one containing %q", err, tc.want)
			}
			if out.Len() != 0 {
				t.Errorf("printed %q on stdout although it did not start", out.String())
			}
		})
	}
}

// TestRunAllowRemote starts the subcommand on every interface with --allow-remote and a
// fixture of its own: it warns on stderr, prints this machine's host name with the bound port
// as SALESSEAT_ENDPOINT, and serves on the loopback login URL it prints.
func TestRunAllowRemote(t *testing.T) {
	t.Parallel()
	hostname, err := os.Hostname()
	if err != nil {
		t.Skipf("no host name: %v", err)
	}
	small, err := os.ReadFile("testdata/small-fixture.yaml")
	if err != nil {
		t.Fatal(err)
	}
	own := strings.NewReplacer(
		`"tiny secret with spaces & a quote's"`, rand.Text(),
		"tiny-reader-secret", rand.Text(),
		"tiny-admin-token-for-tests", rand.Text(),
	).Replace(string(small))
	fixturePath := filepath.Join(t.TempDir(), "fixture.yaml")
	if err := os.WriteFile(fixturePath, []byte(own), 0o600); err != nil { //nolint:gosec // a file in the test's own temporary directory
		t.Fatal(err)
	}

	logs := &lockedBuffer{}
	values, stop := runSandboxLogging(t, logs, "--listen", "0.0.0.0:0", "--allow-remote", "--fixture", fixturePath)
	login, err := url.Parse(values["SALESSEAT_SANDBOX_LOGIN_URL"])
	if err != nil || login.Hostname() != "127.0.0.1" || login.Port() == "0" {
		t.Fatalf("login URL %q, want the loopback address the sandbox reaches itself at", values["SALESSEAT_SANDBOX_LOGIN_URL"])
	}
	if got, want := values["SALESSEAT_ENDPOINT"], "http://"+net.JoinHostPort(hostname, login.Port()); got != want {
		t.Errorf("SALESSEAT_ENDPOINT=%s, want %s (this machine's host name and the bound port)", got, want)
	}
	if out := logs.String(); !strings.Contains(out, "[WARN]  sandbox: the sandbox is reachable from the network (--allow-remote)") ||
		!strings.Contains(out, "listen=0.0.0.0:0") {
		t.Errorf("no warning on stderr that the sandbox is reachable from the network:\n%s", out)
	}
	req, _ := http.NewRequestWithContext(t.Context(), http.MethodGet, values["SALESSEAT_SANDBOX_LOGIN_URL"]+"/openapi.json", nil)
	client := &http.Client{Transport: newLoopbackTransport()} // no proxy, whatever the environment says
	defer client.CloseIdleConnections()
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	_ = resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("GET /openapi.json: %d", resp.StatusCode)
	}
	if err := stop(); err != nil {
		t.Errorf("Run: %v", err)
	}
}

func TestShellQuote(t *testing.T) {
	t.Parallel()
	cases := map[string]string{
		"http://127.0.0.1:8787":    "http://127.0.0.1:8787",
		"svc@acme.example":         "svc@acme.example",
		"":                         "''",
		"with space":               "'with space'",
		"it's":                     `'it'\''s'`,
		"$HOME":                    "'$HOME'",
		"/tmp/key-1.pem":           "/tmp/key-1.pem",
		"5Aep861!token":            "'5Aep861!token'",
		"semi;colon":               "'semi;colon'",
		"3MVG9salesseatSandboxAcm": "3MVG9salesseatSandboxAcm",
	}
	for in, want := range cases {
		if got := shellQuote(in); got != want {
			t.Errorf("shellQuote(%q) = %s, want %s", in, got, want)
		}
	}
}
