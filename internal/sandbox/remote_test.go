package sandbox

import (
	"context"
	"crypto/rand"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/go-hclog"

	"github.com/salesseat/terraform-provider-salesseat/internal/sandbox/fixture"
)

// privateFixture is testdata/small-fixture.yaml with secrets nobody else knows, so that a test
// listening beyond loopback serves nothing anyone could use.
func privateFixture(t *testing.T) *fixture.Fixture {
	t.Helper()
	f, err := fixture.Load("testdata/small-fixture.yaml")
	if err != nil {
		t.Fatal(err)
	}
	f.AdminBearer = rand.Text()
	for i := range f.APIClients {
		f.APIClients[i].ClientSecret = rand.Text()
	}
	return f
}

// publishedValues are the default fixture's secret values, none of which an error may repeat.
func publishedValues() map[string]string {
	d := fixture.Default()
	app := d.Orgs[0].ConnectedApp
	return map[string]string{
		"client secret":     d.APIClients[0].ClientSecret,
		"admin token":       d.AdminToken(),
		"consumer secret":   app.ConsumerSecret,
		"refresh token":     d.Orgs[0].RefreshTokens[0].Token,
		"certificate":       strings.Split(strings.TrimSpace(app.Certificate), "\n")[1],
		"private key":       strings.Split(strings.TrimSpace(app.PrivateKey), "\n")[1],
		"private key (PEM)": "PRIVATE KEY",
	}
}

func TestStartRefusesNonLoopbackWithoutAllowRemote(t *testing.T) {
	t.Parallel()
	for _, addr := range []string{"0.0.0.0:0", ":0", "[::]:0", "192.0.2.10:0", "[2001:db8::1]:0", "sandbox.example:0", "0.0.0.0:8787"} {
		t.Run(addr, func(t *testing.T) {
			t.Parallel()
			// Refused even with secrets of its own: listening beyond loopback is a choice.
			sb, err := Start(t.Context(), Options{Listen: addr, Fixture: privateFixture(t)})
			if err == nil {
				_ = sb.Close(context.Background())
				t.Fatalf("Start on %s without AllowRemote started", addr)
			}
			for _, want := range []string{`refusing to listen on "` + addr + `"`, "to the network", "well-known secrets", "127.0.0.1", "--allow-remote", "--fixture"} {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error %q does not contain %q", err, want)
				}
			}
		})
	}
}

func TestStartOnLoopbackNeedsNoFlag(t *testing.T) {
	t.Parallel()
	cases := map[string]string{ // --listen: URL prefix
		"127.0.0.1:0": "http://127.0.0.1:",
		"localhost:0": "http://127.0.0.1:",
		"[::1]:0":     "http://[::1]:",
	}
	for addr, prefix := range cases {
		t.Run(addr, func(t *testing.T) {
			t.Parallel()
			if addr == "[::1]:0" {
				var lc net.ListenConfig
				ln, err := lc.Listen(t.Context(), "tcp", addr)
				if err != nil {
					t.Skipf("no IPv6 loopback here: %v", err)
				}
				_ = ln.Close()
			}
			logs := &lockedBuffer{}
			e := newEnvWith(t, Options{Listen: addr, Logger: hclog.New(&hclog.LoggerOptions{Output: logs})})
			creds := e.sb.Credentials()
			if !strings.HasPrefix(e.sb.URL(), prefix) || creds.Endpoint != e.sb.URL() || creds.LoginURL != e.sb.URL() {
				t.Errorf("URL %q, endpoint %q, login URL %q; want all three alike, starting with %q", e.sb.URL(), creds.Endpoint, creds.LoginURL, prefix)
			}
			if strings.Contains(logs.String(), "[WARN]") {
				t.Errorf("a loopback sandbox logged a warning:\n%s", logs)
			}
		})
	}
}

func TestStartAllowRemoteRefusesPublishedSecrets(t *testing.T) {
	t.Parallel()
	published := publishedValues()
	check := func(t *testing.T, err error, want, notWant []string) {
		t.Helper()
		if err == nil {
			t.Fatal("Start with published secrets started")
		}
		msg := err.Error()
		for _, w := range want {
			if !strings.Contains(msg, w) {
				t.Errorf("error %q does not name %q", msg, w)
			}
		}
		for _, w := range notWant {
			if strings.Contains(msg, w) {
				t.Errorf("error %q names %q", msg, w)
			}
		}
		for name, v := range published {
			if strings.Contains(msg, v) {
				t.Errorf("the error contains the published %s", name)
			}
		}
	}

	t.Run("default fixture", func(t *testing.T) {
		t.Parallel()
		_, err := Start(t.Context(), Options{Listen: "0.0.0.0:0", AllowRemote: true})
		check(t, err, []string{
			`refusing to listen on "0.0.0.0:0" with --allow-remote`,
			"the fixture still holds the published value of api_clients[0].client_secret, admin_token, " +
				"orgs[0].connected_app.consumer_secret, orgs[0].connected_app.certificate, " +
				"orgs[0].connected_app.private_key and orgs[0].refresh_tokens[0].token",
			"--fixture", "openssl req",
		}, []string{"state file"})
	})

	t.Run("one secret left", func(t *testing.T) {
		t.Parallel()
		fix := privateFixture(t)
		fix.AdminBearer = fixture.Default().AdminToken()
		_, err := Start(t.Context(), Options{Listen: "[::]:0", AllowRemote: true, Fixture: fix})
		check(t, err, []string{"the fixture still holds the published value of admin_token,"}, []string{"client_secret", "openssl"})
	})

	t.Run("state file", func(t *testing.T) {
		t.Parallel()
		// A state saved by a sandbox started from the default fixture: the platform and the
		// orgs resume their API clients, connected apps and refresh tokens from it, not from
		// the fixture.
		statePath := filepath.Join(t.TempDir(), "state.json")
		first := newEnvWith(t, Options{StatePath: statePath})
		first.do(http.MethodPut, "/admin/v1/account/seat-limit", map[string]any{"seat_limit": 30}).wantStatus(http.StatusOK)
		if err := first.sb.Close(t.Context()); err != nil {
			t.Fatal(err)
		}
		_, err := Start(t.Context(), Options{Listen: "0.0.0.0:0", AllowRemote: true, Fixture: privateFixture(t), StatePath: statePath})
		check(t, err, []string{
			"the state file " + statePath + " still holds the published value of platform.api_clients[0].client_secret, " +
				"org.orgs[0].consumer_secret, org.orgs[0].certificate_pem and org.refresh_tokens[0].token",
			"delete the state file",
		}, []string{"the fixture still holds"})
	})
}

func TestStartAllowRemote(t *testing.T) {
	t.Parallel()
	hostname, err := os.Hostname()
	if err != nil {
		t.Skipf("no host name: %v", err)
	}

	// start starts a sandbox with AllowRemote and a fixture of its own on addr, and checks
	// that it warns and answers on its login URL.
	start := func(t *testing.T, addr string) *Sandbox {
		t.Helper()
		logs := &lockedBuffer{}
		fix := privateFixture(t)
		sb, err := Start(t.Context(), Options{Listen: addr, AllowRemote: true, Fixture: fix,
			Logger: hclog.New(&hclog.LoggerOptions{Level: hclog.Info, Output: logs})})
		if err != nil {
			t.Fatalf("Start: %v", err)
		}
		t.Cleanup(func() {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			_ = sb.Close(ctx)
		})
		if out := logs.String(); !strings.Contains(out, "[WARN]") || !strings.Contains(out, "reachable from the network") ||
			!strings.Contains(out, "listen="+addr) {
			t.Errorf("no warning that the sandbox is reachable from the network:\n%s", out)
		}
		if strings.Contains(logs.String(), fix.AdminToken()) {
			t.Error("the log contains the admin token")
		}
		return sb
	}

	t.Run("wildcard", func(t *testing.T) {
		t.Parallel()
		sb := start(t, "0.0.0.0:0")
		creds := sb.Credentials()
		login, err := url.Parse(creds.LoginURL)
		if err != nil || login.Hostname() != "127.0.0.1" || login.Port() == "0" {
			t.Fatalf("login URL %q, want the loopback address the sandbox reaches itself at", creds.LoginURL)
		}
		if want := "http://" + net.JoinHostPort(hostname, login.Port()); creds.Endpoint != want || sb.URL() != want {
			t.Errorf("endpoint %q, URL %q; want %q (this machine's host name and the bound port)", creds.Endpoint, sb.URL(), want)
		}

		// The sandbox works: a connection to its simulated org over the loopback login URL.
		e := &env{t: t, sb: sb, url: creds.LoginURL, creds: creds, client: contractClient(t)}
		e.token = e.issueToken("")
		body := e.connectionBody("Tiny production")
		body["environment"] = "production"
		conn := e.do(http.MethodPost, "/api/v1/connections", body).wantStatus(http.StatusCreated).object()
		if conn["status"] != "connected" {
			t.Errorf("connection over the login URL: %v (%v)", conn["status"], conn["status_reason"])
		}
	})

	t.Run("specific address", func(t *testing.T) {
		t.Parallel()
		ip := nonLoopbackIPv4(t)
		sb := start(t, ip+":0")
		u, err := url.Parse(sb.URL())
		if err != nil || u.Hostname() != ip || u.Port() == "0" || u.Port() == "" {
			t.Fatalf("URL %q, want http://%s:<port>", sb.URL(), ip)
		}
		client := &http.Client{Transport: newLoopbackTransport()} // no proxy, whatever the environment says
		defer client.CloseIdleConnections()
		req, _ := http.NewRequestWithContext(t.Context(), http.MethodGet, sb.URL()+"/openapi.json", nil)
		resp, err := client.Do(req)
		if err != nil {
			t.Fatalf("GET %s: %v", sb.URL(), err)
		}
		_ = resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Errorf("GET /openapi.json at %s: %d", sb.URL(), resp.StatusCode)
		}
	})
}

// nonLoopbackIPv4 is an IPv4 address of this machine other than loopback; the test is skipped
// when there is none.
func nonLoopbackIPv4(t *testing.T) string {
	t.Helper()
	addrs, err := net.InterfaceAddrs()
	if err != nil {
		t.Skipf("no interface addresses: %v", err)
	}
	for _, a := range addrs {
		if n, ok := a.(*net.IPNet); ok && n.IP.To4() != nil && !n.IP.IsLoopback() && !n.IP.IsLinkLocalUnicast() {
			return n.IP.String()
		}
	}
	t.Skip("this machine has no IPv4 address beyond loopback")
	return ""
}

func TestParseListenAndEndpointURL(t *testing.T) {
	t.Parallel()
	bound := &net.TCPAddr{IP: net.ParseIP("10.1.2.3"), Port: 4321}
	loop := &net.TCPAddr{IP: net.ParseIP("127.0.0.1"), Port: 4321}
	cases := []struct {
		listen           string
		remote, wildcard bool
		addr             net.Addr
		want             string // endpoint for the host as given ("" for a wildcard)
	}{
		{"127.0.0.1:0", false, false, loop, "http://127.0.0.1:4321"},
		{"127.0.0.2:0", false, false, &net.TCPAddr{IP: net.ParseIP("127.0.0.2"), Port: 4321}, "http://127.0.0.2:4321"},
		{"localhost:8787", false, false, loop, "http://127.0.0.1:4321"},
		{"[::1]:0", false, false, &net.TCPAddr{IP: net.IPv6loopback, Port: 4321}, "http://[::1]:4321"},
		{"0.0.0.0:0", true, true, bound, ""},
		{"[::]:0", true, true, bound, ""},
		{":8080", true, true, bound, ""},
		{"10.1.2.3:0", true, false, bound, "http://10.1.2.3:4321"},
		{"[2001:db8::1]:0", true, false, bound, "http://[2001:db8::1]:4321"},
		{"[fe80::1%eth0]:0", true, false, bound, "http://[fe80::1%25eth0]:4321"},
		{"sandbox.example:80", true, false, bound, "http://sandbox.example:4321"},
		{"localhost.example:80", true, false, bound, "http://localhost.example:4321"},
	}
	for _, tc := range cases {
		l, err := parseListen(tc.listen)
		if err != nil {
			t.Errorf("parseListen(%q): %v", tc.listen, err)
			continue
		}
		if l.remote != tc.remote || l.wildcard != tc.wildcard {
			t.Errorf("parseListen(%q): remote %v, wildcard %v; want %v, %v", tc.listen, l.remote, l.wildcard, tc.remote, tc.wildcard)
		}
		if tc.wildcard {
			continue
		}
		if got := endpointURL(l, l.host, tc.addr); got != tc.want {
			t.Errorf("endpointURL for %q = %q, want %q", tc.listen, got, tc.want)
		}
	}
	if _, err := parseListen("8080"); err == nil || !strings.Contains(err.Error(), "missing port") {
		t.Errorf("parseListen(\"8080\"): %v, want a missing port error", err)
	}
}

// TestBoundToLoopback: the check that a loopback name really bound a
// loopback address.
func TestBoundToLoopback(t *testing.T) {
	for addr, want := range map[string]bool{"127.0.0.1:80": true, "[::1]:80": true, "192.168.1.5:80": false, "[::]:80": false, "0.0.0.0:80": false} {
		a, err := net.ResolveTCPAddr("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		if got := boundToLoopback(a); got != want {
			t.Errorf("boundToLoopback(%s) = %t, want %t", addr, got, want)
		}
	}
}
