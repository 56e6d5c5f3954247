package provider

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/schema/validator"

	"github.com/salesseat/terraform-provider-salesseat/internal/loopback"
)

// durationValidator accepts a positive Go duration string such as "30s".
type durationValidator struct{}

var _ validator.String = durationValidator{}

func (v durationValidator) Description(_ context.Context) string {
	return `value must be a positive duration such as "30s", "1m30s" or "2m"`
}

func (v durationValidator) MarkdownDescription(ctx context.Context) string {
	return v.Description(ctx)
}

func (v durationValidator) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	s := req.ConfigValue.ValueString()
	d, err := time.ParseDuration(s)
	if err != nil {
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid Duration",
			fmt.Sprintf("%s must be a duration such as \"30s\", \"1m30s\" or \"2m\" (units ms, s, m, h); %q is not one.", req.Path, s))
		return
	}
	if d <= 0 {
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid Duration",
			fmt.Sprintf("%s must be longer than zero; got %q.", req.Path, s))
	}
}

// loginURLValidator accepts the URL of a Salesforce login host: https, or
// http on a loopback host (a local Salesforce emulator such as the sandbox),
// with no path beyond "/", query, fragment or user information.
type loginURLValidator struct{}

var _ validator.String = loginURLValidator{}

func (v loginURLValidator) Description(_ context.Context) string {
	return "value must be an https URL such as https://login.salesforce.com or https://acme.my.salesforce.com (http only on a loopback host)"
}

func (v loginURLValidator) MarkdownDescription(ctx context.Context) string {
	return v.Description(ctx)
}

func (v loginURLValidator) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	if msg := checkLoginURL(req.ConfigValue.ValueString()); msg != "" {
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid Login URL", fmt.Sprintf("%s %s", req.Path, msg))
	}
}

// checkLoginURL returns why raw is not an acceptable login URL, or "".
func checkLoginURL(raw string) string {
	const examples = `Use "https://login.salesforce.com" (production), "https://test.salesforce.com" (sandbox) or your My Domain URL, e.g. "https://acme.my.salesforce.com".`
	u, err := url.Parse(raw)
	if err != nil || u.Scheme == "" || u.Host == "" || u.Opaque != "" {
		return fmt.Sprintf("must be an absolute URL; %q is not one. %s", raw, examples)
	}
	if u.User != nil {
		return fmt.Sprintf("must not contain user information (%q). %s", u.Redacted(), examples)
	}
	if u.RawQuery != "" || u.Fragment != "" || u.Path != "" {
		return fmt.Sprintf("must be the login host only, without a path (not even a trailing slash), query or fragment; got %q. %s", raw, examples)
	}
	switch strings.ToLower(u.Scheme) {
	case "https":
		return ""
	case "http":
		if loopback.IsHost(u.Hostname()) {
			return ""
		}
		return fmt.Sprintf("must use https: %q uses http, which is accepted only for a loopback host (127.0.0.1, ::1, localhost) such as a local emulator. %s", raw, examples)
	default:
		return fmt.Sprintf("must use https; %q has the scheme %q. %s", raw, u.Scheme, examples)
	}
}

// usernameValidator accepts a Salesforce username: email-shaped and in
// lower case, the form Salesforce stores (and the API returns) usernames in,
// so the configured value never differs from the one read back.
type usernameValidator struct{}

var _ validator.String = usernameValidator{}

func (v usernameValidator) Description(_ context.Context) string {
	return "value must be a Salesforce username in lower case, such as jane.doe@acme.com"
}

func (v usernameValidator) MarkdownDescription(ctx context.Context) string {
	return v.Description(ctx)
}

func (v usernameValidator) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	s := req.ConfigValue.ValueString()
	local, domain, ok := strings.Cut(s, "@")
	switch {
	case !ok || local == "" || domain == "" || strings.ContainsAny(s, " \t\r\n"):
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid Salesforce Username",
			fmt.Sprintf("%s must be a Salesforce username, which has the form of an email address (such as \"jane.doe@acme.com\"); got %q.", req.Path, s))
	case s != strings.ToLower(s):
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid Salesforce Username",
			fmt.Sprintf("%s must be in lower case, as Salesforce stores usernames: write %q instead of %q.", req.Path, strings.ToLower(s), s))
	}
}

// nonBlankValidator rejects strings that are empty or only whitespace, for
// optional attributes where "" would mean the same as unset and cause a
// perpetual diff.
type nonBlankValidator struct{}

var _ validator.String = nonBlankValidator{}

func (v nonBlankValidator) Description(_ context.Context) string {
	return "value must not be empty; leave the argument out instead"
}

func (v nonBlankValidator) MarkdownDescription(ctx context.Context) string {
	return v.Description(ctx)
}

func (v nonBlankValidator) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	if strings.TrimSpace(req.ConfigValue.ValueString()) == "" {
		resp.Diagnostics.AddAttributeError(req.Path, "Empty Value",
			fmt.Sprintf("%s must not be empty. To leave it unset, remove the argument (or set it to null).", req.Path))
	}
}

// privateKeyValidator checks that a value looks like a PEM private key,
// without ever echoing the value.
type privateKeyValidator struct{}

var _ validator.String = privateKeyValidator{}

func (v privateKeyValidator) Description(_ context.Context) string {
	return "value must be a PEM-encoded private key (-----BEGIN PRIVATE KEY----- or -----BEGIN RSA PRIVATE KEY-----)"
}

func (v privateKeyValidator) MarkdownDescription(ctx context.Context) string {
	return v.Description(ctx)
}

func (v privateKeyValidator) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	s := strings.TrimSpace(req.ConfigValue.ValueString())
	if !strings.HasPrefix(s, "-----BEGIN ") || !strings.Contains(s, "PRIVATE KEY-----") {
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid Private Key",
			fmt.Sprintf("%s must be a PEM-encoded RSA private key, starting with \"-----BEGIN PRIVATE KEY-----\" or \"-----BEGIN RSA PRIVATE KEY-----\" "+
				"(read it with file(\"key.pem\") or from a secret store). The value is not shown because it is secret.", req.Path))
	}
}

// emailDomainValidator rejects an email address or "@domain" where a bare
// domain is expected.
type emailDomainValidator struct{}

var _ validator.String = emailDomainValidator{}

func (v emailDomainValidator) Description(_ context.Context) string {
	return "value must be a domain such as acme.com, without @"
}

func (v emailDomainValidator) MarkdownDescription(ctx context.Context) string {
	return v.Description(ctx)
}

func (v emailDomainValidator) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	s := req.ConfigValue.ValueString()
	if _, domain, found := strings.Cut(s, "@"); found {
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid Email Domain",
			fmt.Sprintf("%s must be a bare domain such as \"acme.com\", without @; for %q use %q.", req.Path, s, domain))
		return
	}
	if strings.ContainsAny(s, " /") {
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid Email Domain",
			fmt.Sprintf("%s must be a bare domain such as \"acme.com\"; got %q.", req.Path, s))
	}
}
