package provider

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/hashicorp/go-hclog"
	"github.com/hashicorp/terraform-plugin-log/tflogtest"

	"github.com/salesseat/terraform-provider-salesseat/internal/client"
)

func TestTFLogAdapter(t *testing.T) {
	const secret = "s3cr3t-value"
	var buf bytes.Buffer
	ctx := tflogtest.RootLogger(context.Background(), &buf)
	ctx = newClientLogContext(ctx, secret, "")
	l := newTFLogAdapter(ctx)
	if !l.IsTrace() || l.GetLevel() != hclog.Trace {
		t.Errorf("the test root logger writes trace logs, but IsTrace() = %t, GetLevel() = %s", l.IsTrace(), l.GetLevel())
	}

	l.Debug("token request with "+secret, "client_secret", "other-secret", "path", "/oauth/token")
	l.Named("retry").With("attempt", 2).Warn("retrying", "status", 503)
	l.Log(hclog.Error, "odd args", "dangling")
	l.StandardLogger(nil).Print("from the standard logger")
	l.Trace("trace line")
	l.Info("info line")

	entries, err := tflogtest.MultilineJSONDecode(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 6 {
		t.Fatalf("got %d entries, want 6: %v", len(entries), entries)
	}
	out := buf.String()
	for _, e := range entries {
		if e["@module"] != "provider.client" {
			t.Errorf("entry %v is not in the client subsystem", e)
		}
		for k, v := range e {
			if s, ok := v.(string); ok && (strings.Contains(s, secret) || strings.Contains(s, "other-secret")) {
				t.Errorf("entry field %s leaks a secret: %q", k, s)
			}
		}
	}
	if strings.Contains(out, secret) {
		t.Errorf("log output contains the secret:\n%s", out)
	}

	checks := []struct {
		index int
		field string
		want  any
	}{
		{0, "@level", "debug"},
		{0, "path", "/oauth/token"},
		{0, "client_secret", "***"},
		{1, "@level", "warn"},
		{1, "logger", "retry"},
		{1, "attempt", float64(2)},
		{1, "status", float64(503)},
		{2, "@level", "error"},
		{2, "EXTRA_VALUE_AT_END", "dangling"},
		{3, "@message", "from the standard logger"},
		{4, "@level", "trace"},
		{5, "@level", "info"},
	}
	for _, c := range checks {
		if got := entries[c.index][c.field]; got != c.want {
			t.Errorf("entry %d field %s = %v, want %v", c.index, c.field, got, c.want)
		}
	}
	if msg, _ := entries[0]["@message"].(string); !strings.Contains(msg, "token request with ***") {
		t.Errorf("message not masked: %q", msg)
	}
}

func TestTFLogAdapterWithoutLogger(t *testing.T) {
	// A context without a provider logger (no TF_LOG plumbing) writes
	// nothing, and says so, so the client skips its request dumps.
	l := newTFLogAdapter(context.Background())
	if l.IsTrace() || l.IsDebug() || l.GetLevel() != hclog.Off {
		t.Errorf("IsTrace() = %t, IsDebug() = %t, GetLevel() = %s; want nothing enabled", l.IsTrace(), l.IsDebug(), l.GetLevel())
	}
	l.Debug("dropped") // must not panic
}

// TestClientLogMasksEveryClientSecretKey logs one field for each name the
// client redacts and checks the provider masks every one: the provider used
// to keep a shorter list of its own (no id_token, private_key, admin_token,
// cookies).
func TestClientLogMasksEveryClientSecretKey(t *testing.T) {
	var buf bytes.Buffer
	ctx := newClientLogContext(tflogtest.RootLogger(context.Background(), &buf))
	l := newTFLogAdapter(ctx)
	var args []any
	for _, k := range client.SensitiveKeys() {
		args = append(args, k, "leaked-"+k)
	}
	l.Debug("fields", args...)
	entries, err := tflogtest.MultilineJSONDecode(&buf)
	if err != nil || len(entries) != 1 {
		t.Fatalf("entries = %v, err = %v", entries, err)
	}
	for _, k := range client.SensitiveKeys() {
		if got := entries[0][k]; got != "***" {
			t.Errorf("field %s = %v, want it masked", k, got)
		}
	}
	for _, k := range []string{"id_token", "private_key", "admin_token", "Cookie", "x-api-key"} {
		if _, ok := entries[0][k]; !ok {
			t.Errorf("SensitiveKeys() lacks %s", k)
		}
	}
}
