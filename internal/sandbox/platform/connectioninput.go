package platform

import (
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"net/url"
	"strings"

	"github.com/salesseat/terraform-provider-salesseat/internal/loopback"
)

// newConnectionRecord validates a create body and returns the record it
// describes (without ID, status or times).
func newConnectionRecord(in ConnectionInput) (*ConnectionRecord, error) {
	var errs []FieldError
	rec := &ConnectionRecord{}
	rec.Name = strings.TrimSpace(in.Name)
	if rec.Name == "" {
		errs = append(errs, FieldError{Field: "name", Message: "name is required, e.g. \"Salesforce production\""})
	}
	switch in.Environment {
	case EnvironmentProduction, EnvironmentSandbox:
		rec.Environment = in.Environment
		u, msg := normalizeLoginURL(in.LoginURL, in.Environment)
		if msg != "" {
			errs = append(errs, FieldError{Field: "login_url", Message: msg})
		}
		rec.LoginURL = u
	default:
		errs = append(errs, FieldError{Field: "environment", Message: fmt.Sprintf("environment must be %q (login.salesforce.com) or %q (test.salesforce.com), got %q", EnvironmentProduction, EnvironmentSandbox, in.Environment)})
	}
	rec.ServiceUsername = strings.TrimSpace(in.ServiceUsername)
	if !looksLikeEmail(rec.ServiceUsername) {
		errs = append(errs, FieldError{Field: "service_username", Message: fmt.Sprintf("service_username must be the Salesforce username of the service account (email-shaped, like svc@acme.com), got %q", in.ServiceUsername)})
	}
	rec.OAuthClientID = strings.TrimSpace(in.OAuthClientID)
	if rec.OAuthClientID == "" {
		errs = append(errs, FieldError{Field: "oauth_client_id", Message: "oauth_client_id is required: the consumer key of the connected app"})
	}
	switch {
	case in.RefreshToken != "" && in.JWTPrivateKey != "":
		errs = append(errs, FieldError{Field: "refresh_token", Message: "supply either refresh_token or jwt_private_key, not both"})
	case in.RefreshToken != "":
		rec.RefreshToken, rec.AuthMethod = in.RefreshToken, AuthMethodRefreshToken
	case in.JWTPrivateKey != "":
		if msg := checkPrivateKey(in.JWTPrivateKey); msg != "" {
			errs = append(errs, FieldError{Field: "jwt_private_key", Message: msg})
		}
		rec.JWTPrivateKey, rec.AuthMethod = in.JWTPrivateKey, AuthMethodJWTBearer
	default:
		errs = append(errs, FieldError{Field: "refresh_token", Message: "supply a refresh_token (OAuth refresh-token flow) or a jwt_private_key (JWT bearer flow)"})
	}
	rec.UserSync = true
	if in.UserSync != nil {
		rec.UserSync = *in.UserSync
	}
	if in.AutomaticUserSync != nil {
		rec.AutomaticUserSync = *in.AutomaticUserSync
	}
	rec.UserManagementGroup = strings.TrimSpace(in.UserManagementGroup)
	errs = append(errs, userManagementRules(rec)...)
	if len(errs) > 0 {
		return nil, ValidationErrors(errs)
	}
	return rec, nil
}

// normalizeLoginURL applies the environment's default and checks the URL:
// https, or http on a loopback host. It returns a message when invalid.
func normalizeLoginURL(raw, env string) (string, string) {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		if env == EnvironmentSandbox {
			return SandboxLoginURL, ""
		}
		return ProductionLoginURL, ""
	}
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || u.Opaque != "" {
		return raw, fmt.Sprintf("login_url must be an absolute URL like https://acme.my.salesforce.com, got %q", raw)
	}
	if u.User != nil || u.RawQuery != "" || u.Fragment != "" {
		return raw, fmt.Sprintf("login_url must not carry credentials, a query or a fragment, got %q", raw)
	}
	switch u.Scheme {
	case "https":
	case "http":
		if !loopback.IsHost(u.Hostname()) {
			return raw, fmt.Sprintf("login_url must use https (http is allowed only for a loopback host such as 127.0.0.1), got %q", raw)
		}
	default:
		return raw, fmt.Sprintf("login_url must use https, got %q", raw)
	}
	return strings.TrimRight(u.Scheme+"://"+u.Host+u.Path, "/"), ""
}

// checkPrivateKey returns a message when pemText is not an RSA private key in
// PEM form. The message never contains the key.
func checkPrivateKey(pemText string) string {
	const msg = "jwt_private_key must be the PEM-encoded RSA private key of the connected app's certificate (PKCS #1 \"RSA PRIVATE KEY\" or PKCS #8 \"PRIVATE KEY\"), including the BEGIN and END lines"
	block, _ := pem.Decode([]byte(strings.TrimSpace(pemText)))
	if block == nil {
		return msg
	}
	if _, err := x509.ParsePKCS1PrivateKey(block.Bytes); err == nil {
		return ""
	}
	if _, err := x509.ParsePKCS8PrivateKey(block.Bytes); err == nil {
		return ""
	}
	return msg
}

// userManagementRules checks the settings that go with handing user
// management to a Salesforce group: the group's members are imported with
// the roles of the profile mappings, so user_sync stays on, and the
// profile-based automatic_user_sync would import users the group does not
// hold, so it stays off.
func userManagementRules(rec *ConnectionRecord) []FieldError {
	if rec.UserManagementGroup == "" {
		return nil
	}
	var errs []FieldError
	if rec.AutomaticUserSync {
		errs = append(errs, FieldError{Field: "automatic_user_sync", Message: fmt.Sprintf("automatic_user_sync imports every user whose profile is mapped, but user management is handed to the Salesforce group %q, which decides who holds a seat; turn automatic_user_sync off, or clear user_management_group", rec.UserManagementGroup)})
	}
	if !rec.UserSync {
		errs = append(errs, FieldError{Field: "user_sync", Message: fmt.Sprintf("user_sync must stay on while user management is handed to the Salesforce group %q: the users it creates take the roles of the profile mappings", rec.UserManagementGroup)})
	}
	return errs
}
