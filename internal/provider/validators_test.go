package provider

import (
	"context"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

func TestStringValidators(t *testing.T) {
	cases := map[string]struct {
		v         validator.String
		value     types.String
		wantError string // substring of the detail; "" for no error
	}{
		"login url: production":     {v: loginURLValidator{}, value: types.StringValue("https://login.salesforce.com")},
		"login url: my domain":      {v: loginURLValidator{}, value: types.StringValue("https://acme.my.salesforce.com")},
		"login url: trailing slash": {v: loginURLValidator{}, value: types.StringValue("https://acme.my.salesforce.com/"), wantError: "not even a trailing slash"},
		"login url: loopback http":  {v: loginURLValidator{}, value: types.StringValue("http://127.0.0.1:8787")},
		"login url: localhost http": {v: loginURLValidator{}, value: types.StringValue("http://localhost:8787")},
		"login url: ipv6 loopback":  {v: loginURLValidator{}, value: types.StringValue("http://[::1]:8787")},
		"login url: remote http":    {v: loginURLValidator{}, value: types.StringValue("http://login.salesforce.com"), wantError: "must use https"},
		"login url: ftp":            {v: loginURLValidator{}, value: types.StringValue("ftp://login.salesforce.com"), wantError: `has the scheme "ftp"`},
		"login url: relative":       {v: loginURLValidator{}, value: types.StringValue("login.salesforce.com"), wantError: "must be an absolute URL"},
		"login url: path":           {v: loginURLValidator{}, value: types.StringValue("https://login.salesforce.com/services/oauth2/token"), wantError: "without a path"},
		"login url: user info":      {v: loginURLValidator{}, value: types.StringValue("https://bob:pw@login.salesforce.com"), wantError: "user information"},
		"login url: unknown":        {v: loginURLValidator{}, value: types.StringUnknown()},
		"duration: seconds":         {v: durationValidator{}, value: types.StringValue("30s")},
		"duration: compound":        {v: durationValidator{}, value: types.StringValue("1m30s")},
		"duration: no unit":         {v: durationValidator{}, value: types.StringValue("30"), wantError: "is not one"},
		"duration: zero":            {v: durationValidator{}, value: types.StringValue("0s"), wantError: "longer than zero"},
		"duration: negative":        {v: durationValidator{}, value: types.StringValue("-5s"), wantError: "longer than zero"},
		"non-blank: value":          {v: nonBlankValidator{}, value: types.StringValue("West")},
		"non-blank: empty":          {v: nonBlankValidator{}, value: types.StringValue(""), wantError: "must not be empty"},
		"non-blank: spaces":         {v: nonBlankValidator{}, value: types.StringValue("  "), wantError: "must not be empty"},
		"non-blank: null":           {v: nonBlankValidator{}, value: types.StringNull()},
		"username: ok":              {v: usernameValidator{}, value: types.StringValue("jordan.lee@acme.example")},
		"username: upper case":      {v: usernameValidator{}, value: types.StringValue("Jordan.Lee@acme.example"), wantError: `write "jordan.lee@acme.example"`},
		"username: not an address":  {v: usernameValidator{}, value: types.StringValue("jordan"), wantError: "form of an email address"},
		"username: empty":           {v: usernameValidator{}, value: types.StringValue(""), wantError: "form of an email address"},
		"email domain: ok":          {v: emailDomainValidator{}, value: types.StringValue("acme.example")},
		"email domain: address":     {v: emailDomainValidator{}, value: types.StringValue("jane@acme.example"), wantError: `for "jane@acme.example" use "acme.example"`},
		"email domain: spaces":      {v: emailDomainValidator{}, value: types.StringValue("acme example"), wantError: "bare domain"},
		"private key: pkcs8":        {v: privateKeyValidator{}, value: types.StringValue("-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----\n")},
		"private key: pkcs1":        {v: privateKeyValidator{}, value: types.StringValue("  -----BEGIN RSA PRIVATE KEY-----\nMIIE\n-----END RSA PRIVATE KEY-----")},
		"private key: certificate":  {v: privateKeyValidator{}, value: types.StringValue("-----BEGIN CERTIFICATE-----\nsecretish\n-----END CERTIFICATE-----"), wantError: "PEM-encoded RSA private key"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			var resp validator.StringResponse
			tc.v.ValidateString(context.Background(), validator.StringRequest{Path: path.Root("attr"), ConfigValue: tc.value}, &resp)
			if tc.wantError == "" {
				if resp.Diagnostics.HasError() {
					t.Fatalf("unexpected error: %v", resp.Diagnostics)
				}
				return
			}
			if resp.Diagnostics.ErrorsCount() != 1 {
				t.Fatalf("want one error containing %q, got %v", tc.wantError, resp.Diagnostics)
			}
			detail := resp.Diagnostics.Errors()[0].Detail()
			if !strings.Contains(detail, tc.wantError) || !strings.Contains(detail, "attr") {
				t.Errorf("detail %q should name the attribute and contain %q", detail, tc.wantError)
			}
		})
	}
}

func TestPrivateKeyValidatorNeverEchoesTheValue(t *testing.T) {
	const secret = "not-a-key-but-secret"
	var resp validator.StringResponse
	privateKeyValidator{}.ValidateString(context.Background(), validator.StringRequest{Path: path.Root("jwt_private_key_wo"), ConfigValue: types.StringValue(secret)}, &resp)
	if !resp.Diagnostics.HasError() {
		t.Fatal("want an error")
	}
	for _, d := range resp.Diagnostics {
		if strings.Contains(d.Summary()+d.Detail(), secret) {
			t.Errorf("diagnostic echoes the secret: %q", d.Detail())
		}
	}
}
