package sandbox

import (
	"fmt"
	"net"
	"os"
	"strconv"
	"strings"

	"github.com/salesseat/terraform-provider-salesseat/internal/loopback"
	"github.com/salesseat/terraform-provider-salesseat/internal/sandbox/fixture"
)

// listenAddr is a --listen address taken apart.
type listenAddr struct {
	addr     string // as given
	host     string // "" for an empty host (":8080")
	remote   bool   // not loopback: reachable from the network
	wildcard bool   // every interface: "", 0.0.0.0 or ::
}

// parseListen classifies a --listen address. Only a loopback host (127.0.0.0/8, ::1,
// localhost, as loopback.IsHost decides) is local; a host name is taken at its word, not
// resolved.
func parseListen(addr string) (listenAddr, error) {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return listenAddr{}, fmt.Errorf("listening on %s: %w; give a host and a port, e.g. --listen 127.0.0.1:8787 (\"127.0.0.1:0\" picks a free port)", addr, err)
	}
	l := listenAddr{addr: addr, host: host, remote: !loopback.IsHost(host)}
	if ip := net.ParseIP(host); host == "" || (ip != nil && ip.IsUnspecified()) {
		l.wildcard = true
	}
	return l, nil
}

// refuseRemote is the error for a non-loopback address without AllowRemote.
func refuseRemote(l listenAddr) error {
	what := "not a loopback address (127.0.0.1, ::1, localhost)"
	if l.wildcard {
		what = "every network interface, not only loopback"
	}
	return fmt.Errorf("refusing to listen on %q: that is %s, so the sandbox would serve its API, admin API and "+
		"simulated Salesforce org to the network with the well-known secrets published in examples/sandbox/fixture.yaml "+
		"(client secret, admin token, refresh token, private key); listen on 127.0.0.1 instead "+
		"(--listen 127.0.0.1:8787, or 127.0.0.1:0 for a free port), or pass --allow-remote with a --fixture whose secrets you changed",
		l.addr, what)
}

// refusePublishedSecrets is the error for AllowRemote with secrets that are still the
// published ones: fixtureFields of the fixture, stateFields of the state file at statePath.
// It names the fields, never their values; nil when both are empty.
func refusePublishedSecrets(l listenAddr, fixtureFields []string, statePath string, stateFields []string) error {
	var held, fixes []string
	if len(fixtureFields) > 0 {
		held = append(held, "the fixture still holds the published value of "+joinAnd(fixtureFields))
		fix := "give each a value of your own in a copy of examples/sandbox/fixture.yaml and pass it with --fixture"
		for _, f := range fixtureFields {
			if strings.HasSuffix(f, ".certificate") || strings.HasSuffix(f, ".private_key") {
				fix += " (for the connected app, a key pair of your own: openssl req -x509 -newkey rsa:2048 -nodes " +
					"-keyout key.pem -out cert.pem -days 3650 -subj /CN=sandbox; or leave out certificate and private_key)"
				break
			}
		}
		fixes = append(fixes, fix)
	}
	if len(stateFields) > 0 {
		held = append(held, fmt.Sprintf("the state file %s still holds the published value of %s", statePath, joinAnd(stateFields)))
		fixes = append(fixes, "delete the state file to start again from your fixture, or pass another --state")
	}
	if len(held) == 0 {
		return nil
	}
	return fmt.Errorf("refusing to listen on %q with --allow-remote: %s, which anyone on the network could use; %s",
		l.addr, strings.Join(held, ", and "), strings.Join(fixes, "; "))
}

// joinAnd lists names as "a", "a and b" or "a, b and c".
func joinAnd(names []string) string {
	if len(names) < 2 {
		return strings.Join(names, "")
	}
	return strings.Join(names[:len(names)-1], ", ") + " and " + names[len(names)-1]
}

// stateSecrets returns the paths of the secrets in the state file at path that still hold a
// value published in the default fixture (a state saved by a sandbox started from it); none when
// there is no state file yet. The platform restores its API clients, and the simulated orgs
// their connected apps and refresh tokens, from the state file rather than the fixture.
func stateSecrets(path string) ([]string, error) {
	st, ok, err := loadState(path)
	if err != nil || !ok {
		return nil, err
	}
	var out []string
	for i, c := range st.Platform.APIClients {
		if fixture.IsPublishedSecret(c.ClientSecret) {
			out = append(out, fmt.Sprintf("platform.api_clients[%d].client_secret", i))
		}
	}
	for i, o := range st.Org.Orgs {
		if fixture.IsPublishedSecret(o.ConsumerSecret) {
			out = append(out, fmt.Sprintf("org.orgs[%d].consumer_secret", i))
		}
		if fixture.IsPublishedKey(o.CertificatePEM) {
			out = append(out, fmt.Sprintf("org.orgs[%d].certificate_pem", i))
		}
	}
	for i, t := range st.Org.RefreshTokens {
		if fixture.IsPublishedSecret(t.Token) {
			out = append(out, fmt.Sprintf("org.refresh_tokens[%d].token", i))
		}
	}
	return out, nil
}

// remoteEndpointHost is the host of SALESSEAT_ENDPOINT for a non-loopback listen address: the host as
// given, or this machine's host name for a wildcard address (0.0.0.0, ::, empty), which serves
// on every interface and has no single address of its own.
func remoteEndpointHost(l listenAddr) (string, error) {
	if !l.wildcard {
		return l.host, nil
	}
	name, err := os.Hostname()
	if err == nil && name == "" {
		err = fmt.Errorf("the host name is empty")
	}
	if err != nil {
		return "", fmt.Errorf("listening on every interface (%q) prints this machine's host name as SALESSEAT_ENDPOINT, but it is unknown (%w); listen on one of its addresses instead", l.addr, err)
	}
	return name, nil
}

// endpointURL is the URL clients reach a listener at: for a loopback address, the loopback
// address it is bound to (baseURL); otherwise host with the bound port.
func endpointURL(l listenAddr, host string, addr net.Addr) string {
	tcp, ok := addr.(*net.TCPAddr)
	if !l.remote || !ok {
		return baseURL(addr)
	}
	// A zone (fe80::1%eth0) is escaped in a URL's host (RFC 6874).
	return "http://" + net.JoinHostPort(strings.ReplaceAll(host, "%", "%25"), strconv.Itoa(tcp.Port))
}

// boundToLoopback reports whether a listener's address is a loopback IP.
func boundToLoopback(addr net.Addr) bool {
	tcp, ok := addr.(*net.TCPAddr)
	return ok && tcp.IP.IsLoopback()
}
