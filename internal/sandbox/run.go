package sandbox

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"regexp"
	"strings"
	"time"

	"github.com/hashicorp/go-hclog"

	"github.com/salesseat/terraform-provider-salesseat/internal/sandbox/fixture"
)

// shutdownTimeout bounds how long Run waits for requests in flight when it stops.
const shutdownTimeout = 10 * time.Second

// Run implements the `sandbox` subcommand: it starts a sandbox from the flags in args, prints
// how to reach it on stdout (NAME=value lines a shell can eval), logs to stderr, and serves
// until ctx ends.
func Run(ctx context.Context, args []string, stdout io.Writer) error {
	return run(ctx, args, stdout, os.Stderr)
}

// run is Run with the log destination injectable.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("sandbox", flag.ContinueOnError)
	fs.SetOutput(stderr)
	listen := fs.String("listen", DefaultListen, `address to listen on: a loopback host (127.0.0.1, ::1, localhost) and a port; "127.0.0.1:0" picks a free port. Any other host needs --allow-remote`)
	allowRemote := fs.Bool("allow-remote", false, "allow a --listen address beyond loopback (0.0.0.0, ::, \":8080\", a LAN address, a host name), which serves\n"+
		"the API, the admin API and the simulated org to the network; it logs a warning, and is refused while the fixture\n"+
		"(or the --state file) still holds a secret published in examples/sandbox/fixture.yaml, so pass a --fixture with\n"+
		"secrets of your own. SALESSEAT_ENDPOINT then names the --listen host as given, or this machine's host name\n"+
		"(os.Hostname) for 0.0.0.0, :: or an empty host; SALESSEAT_SANDBOX_LOGIN_URL, which the sandbox dials itself,\n"+
		"stays on loopback for those. The provider accepts plain http only on loopback, so remote clients need a\n"+
		"tunnel or a TLS proxy")
	fixturePath := fs.String("fixture", "", "fixture YAML file (default: the embedded example, examples/sandbox/fixture.yaml)")
	statePath := fs.String("state", "", "JSON file to resume from and save every change to (default: memory only)")
	logLevel := fs.String("log-level", "info", "log level: trace, debug, info, warn or error")
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: terraform-provider-salesseat sandbox [flags]\n\n"+
			"Serves the salesseat provisioning API, a simulated Salesforce org and admin controls on one port,\n"+
			"and prints how to reach them as NAME=value lines that a shell can source, for example:\n\n"+
			"  terraform-provider-salesseat sandbox --listen 127.0.0.1:0 > sandbox.env &\n"+
			"  until grep -q '^SALESSEAT_ENDPOINT=' sandbox.env; do sleep 0.1; done\n"+
			"  set -a; . ./sandbox.env; set +a\n\nFlags:\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected argument %q: the sandbox subcommand takes only flags (see -help)", fs.Arg(0))
	}
	level := hclog.LevelFromString(*logLevel)
	if level == hclog.NoLevel {
		return fmt.Errorf("--log-level %q is not a level; use trace, debug, info, warn or error", *logLevel)
	}
	logger := hclog.New(&hclog.LoggerOptions{Name: "sandbox", Level: level, Output: stderr})

	fix := fixture.Default()
	if *fixturePath != "" {
		var err error
		if fix, err = fixture.Load(*fixturePath); err != nil {
			return err
		}
	}

	sb, err := Start(ctx, Options{Listen: *listen, AllowRemote: *allowRemote, Fixture: fix, StatePath: *statePath, Logger: logger})
	if err != nil {
		return err
	}
	closeSandbox := func() error {
		shutdownCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), shutdownTimeout)
		defer cancel()
		return sb.Close(shutdownCtx)
	}

	creds := sb.Credentials()
	keyFile, err := writePrivateKey(creds.JWTPrivateKeyPEM)
	if err != nil {
		return errors.Join(err, closeSandbox())
	}
	defer func() {
		if keyFile != "" {
			_ = os.Remove(keyFile)
		}
	}()

	lines := [][2]string{
		{"SALESSEAT_ENDPOINT", creds.Endpoint},
		{"SALESSEAT_CLIENT_ID", creds.ClientID},
		{"SALESSEAT_CLIENT_SECRET", creds.ClientSecret},
		{"SALESSEAT_SANDBOX_LOGIN_URL", creds.LoginURL},
		{"SALESSEAT_SANDBOX_SERVICE_USERNAME", creds.ServiceUsername},
		{"SALESSEAT_SANDBOX_OAUTH_CLIENT_ID", creds.OAuthClientID},
		{"SALESSEAT_SANDBOX_REFRESH_TOKEN", creds.RefreshToken},
		{"SALESSEAT_SANDBOX_ADMIN_TOKEN", creds.AdminToken},
		{"SALESSEAT_SANDBOX_JWT_PRIVATE_KEY_FILE", keyFile},
		{"SALESSEAT_SANDBOX_CONSOLE", creds.Endpoint + "/"}, // the read-only console (console.go)
	}
	var b strings.Builder
	for _, l := range lines {
		b.WriteString(l[0] + "=" + shellQuote(l[1]) + "\n")
	}
	if _, err := io.WriteString(stdout, b.String()); err != nil {
		return errors.Join(fmt.Errorf("printing the sandbox credentials: %w", err), closeSandbox())
	}

	select {
	case <-ctx.Done():
		logger.Info("stopping the sandbox")
	case <-sb.Done():
	}
	return errors.Join(sb.Err(), closeSandbox())
}

// writePrivateKey writes the fixture's sandbox-only private key to a new 0600 temporary file
// and returns its path ("" when the fixture has no key).
func writePrivateKey(pem string) (string, error) {
	if pem == "" {
		return "", nil
	}
	f, err := os.CreateTemp("", "salesseat-sandbox-jwt-*.pem")
	if err != nil {
		return "", fmt.Errorf("writing the JWT private key file: %w", err)
	}
	if _, err := f.WriteString(pem); err != nil {
		_ = f.Close()
		_ = os.Remove(f.Name())
		return "", fmt.Errorf("writing the JWT private key file: %w", err)
	}
	if err := f.Close(); err != nil {
		_ = os.Remove(f.Name())
		return "", fmt.Errorf("writing the JWT private key file: %w", err)
	}
	return f.Name(), nil
}

// shellSafe matches values a POSIX shell reads literally without quotes.
var shellSafe = regexp.MustCompile(`^[A-Za-z0-9_@%+=:,./-]+$`)

// shellQuote quotes s for a POSIX shell when it needs it, with single quotes only.
func shellQuote(s string) string {
	if shellSafe.MatchString(s) {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
