// Package salesforce is the platform's CRM connector: a Salesforce REST API
// client that authorizes with OAuth 2.0 (refresh-token grant or JWT bearer
// grant) and reads users, profiles, public groups and the organization
// through SOQL.
//
// It speaks Salesforce's documented wire format only and knows nothing of
// any simulation: pointed at https://login.salesforce.com (or a sandbox or
// My Domain login URL) it works against a real org.
package salesforce

import (
	"context"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"time"

	"golang.org/x/oauth2"
	"golang.org/x/oauth2/jwt"

	"github.com/salesseat/terraform-provider-salesseat/internal/loopback"
	"github.com/salesseat/terraform-provider-salesseat/internal/sfid"
)

// DefaultAPIVersion is the REST API version used when Options.APIVersion
// is empty.
const DefaultAPIVersion = "63.0"

// Login URLs of Salesforce's shared login hosts.
const (
	ProductionLoginURL = "https://login.salesforce.com"
	SandboxLoginURL    = "https://test.salesforce.com"
)

// jwtLifetime is the lifetime of a JWT bearer assertion; Salesforce refuses
// assertions whose exp is more than three minutes ahead.
const jwtLifetime = 2 * time.Minute

// defaultTimeout bounds one HTTP exchange when Options.HTTPClient is nil.
const defaultTimeout = 2 * time.Minute

// Credentials say how to authorize against an org. Exactly one of
// RefreshToken and PrivateKeyPEM is set.
type Credentials struct {
	// LoginURL is https://login.salesforce.com, https://test.salesforce.com,
	// a My Domain URL, or any other host that serves /services/oauth2/token.
	LoginURL string
	// ClientID is the connected app's consumer key.
	ClientID string
	// ClientSecret is the connected app's consumer secret (optional).
	ClientSecret string
	// Username is the service account's username, the JWT subject.
	Username string
	// RefreshToken selects the refresh-token grant.
	RefreshToken string
	// PrivateKeyPEM selects the JWT bearer grant: the RSA private key (PKCS
	// #1 or PKCS #8 PEM) whose certificate is uploaded to the connected app.
	PrivateKeyPEM string
}

// Options tune a Client.
type Options struct {
	// HTTPClient sends every request, token requests included (default: a
	// client with a two-minute timeout).
	HTTPClient *http.Client
	// APIVersion is the REST API version, "63.0" by default.
	APIVersion string
}

// Identity is who the client is authorized as, from the token response.
type Identity struct {
	OrganizationID string // 18 characters
	UserID         string // 18 characters
	InstanceURL    string // base URL of the org's REST API
}

// AuthError is an error answer of the token endpoint, such as
// invalid_grant "expired access/refresh token".
type AuthError struct {
	Code        string // OAuth error code: invalid_grant, invalid_client_id, ...
	Description string // Salesforce's error_description
	Status      int    // HTTP status of the token response
}

// Error returns "code: description", for example
// "invalid_grant: expired access/refresh token".
func (e *AuthError) Error() string {
	switch {
	case e.Code == "":
		return fmt.Sprintf("token endpoint answered HTTP %d without an OAuth error; check that Credentials.LoginURL is a Salesforce login URL", e.Status)
	case e.Description == "":
		return e.Code
	}
	return e.Code + ": " + e.Description
}

// Client is an authorized connection to one org. It is safe for concurrent
// use.
type Client struct {
	hc         *http.Client
	apiVersion string

	// newSource builds a token source on a long-lived context; rebuilding
	// it forces a new grant.
	newSource func() oauth2.TokenSource

	mu       sync.Mutex
	src      oauth2.TokenSource
	gen      uint64 // incremented each time src is rebuilt
	last     *oauth2.Token
	identity Identity
}

var apiVersionRE = regexp.MustCompile(`^[1-9][0-9]*\.[0-9]$`)

// Connect validates creds, runs the grant now and returns a client
// authorized as the credentials' user. A refusal of the token endpoint is
// an *AuthError.
func Connect(ctx context.Context, creds Credentials, opts Options) (*Client, error) {
	if err := creds.validate(); err != nil {
		return nil, err
	}
	c := &Client{hc: opts.HTTPClient, apiVersion: strings.TrimPrefix(opts.APIVersion, "v")}
	if c.hc == nil {
		c.hc = &http.Client{Timeout: defaultTimeout}
	}
	if c.apiVersion == "" {
		c.apiVersion = DefaultAPIVersion
	}
	if !apiVersionRE.MatchString(c.apiVersion) {
		return nil, fmt.Errorf("salesforce: Options.APIVersion %q is not an API version; use a value like %q", opts.APIVersion, DefaultAPIVersion)
	}

	// Token sources keep the context they are built with for every later
	// refresh, so it must outlive this call: use a background context that
	// only carries the HTTP client, never ctx.
	tokenCtx := context.WithValue(context.Background(), oauth2.HTTPClient, c.hc)
	login := strings.TrimRight(creds.LoginURL, "/")
	tokenURL := login + "/services/oauth2/token"
	if creds.RefreshToken != "" {
		conf := &oauth2.Config{
			ClientID:     creds.ClientID,
			ClientSecret: creds.ClientSecret,
			Endpoint:     oauth2.Endpoint{TokenURL: tokenURL, AuthStyle: oauth2.AuthStyleInParams},
		}
		refresh := creds.RefreshToken
		c.newSource = func() oauth2.TokenSource {
			return conf.TokenSource(tokenCtx, &oauth2.Token{RefreshToken: refresh})
		}
	} else {
		conf := &jwt.Config{
			Email:      creds.ClientID,
			Subject:    creds.Username,
			Audience:   jwtAudience(login),
			PrivateKey: []byte(creds.PrivateKeyPEM),
			TokenURL:   tokenURL,
			Expires:    jwtLifetime,
		}
		c.newSource = func() oauth2.TokenSource { return conf.TokenSource(tokenCtx) }
	}
	c.src = c.newSource()
	if _, _, err := c.token(ctx); err != nil {
		return nil, err
	}
	return c, nil
}

// jwtAudience is the aud claim for a login URL. Salesforce wants its shared
// login host there, also when the login URL is a My Domain; other hosts
// (Experience Cloud sites, test servers) are their own audience.
func jwtAudience(login string) string {
	u, err := url.Parse(login)
	if err != nil {
		return login
	}
	host := strings.ToLower(u.Hostname())
	switch {
	case strings.HasSuffix(host, ".sandbox.my.salesforce.com"):
		return SandboxLoginURL
	case strings.HasSuffix(host, ".my.salesforce.com"):
		return ProductionLoginURL
	}
	return login
}

func (creds Credentials) validate() error {
	u, err := url.Parse(creds.LoginURL)
	if err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
		return fmt.Errorf("salesforce: Credentials.LoginURL %q is not an absolute http(s) URL; use %s, %s or your My Domain URL", creds.LoginURL, ProductionLoginURL, SandboxLoginURL)
	}
	if u.Scheme == "http" && !loopback.IsHost(u.Hostname()) {
		return fmt.Errorf("salesforce: Credentials.LoginURL %q uses http; Salesforce only serves https (plain http is accepted for loopback hosts only)", creds.LoginURL)
	}
	if u.RawQuery != "" || u.Fragment != "" {
		return fmt.Errorf("salesforce: Credentials.LoginURL %q has a query or fragment; give the bare login URL", creds.LoginURL)
	}
	if creds.ClientID == "" {
		return errors.New("salesforce: Credentials.ClientID is empty; set the connected app's consumer key")
	}
	switch {
	case creds.RefreshToken != "" && creds.PrivateKeyPEM != "":
		return errors.New("salesforce: Credentials.RefreshToken and Credentials.PrivateKeyPEM are both set; set exactly one (refresh-token grant or JWT bearer grant)")
	case creds.RefreshToken == "" && creds.PrivateKeyPEM == "":
		return errors.New("salesforce: neither Credentials.RefreshToken nor Credentials.PrivateKeyPEM is set; set one (refresh-token grant or JWT bearer grant)")
	case creds.PrivateKeyPEM != "":
		if creds.Username == "" {
			return errors.New("salesforce: Credentials.Username is empty; the JWT bearer grant needs the service account's username as subject")
		}
		if err := checkPrivateKey(creds.PrivateKeyPEM); err != nil {
			return err
		}
	}
	return nil
}

// checkPrivateKey makes sure the PEM holds an RSA private key, so a bad key
// is reported as such rather than as a failed grant. The key never appears
// in the error.
func checkPrivateKey(p string) error {
	block, _ := pem.Decode([]byte(p))
	if block == nil {
		return errors.New("salesforce: Credentials.PrivateKeyPEM is not PEM-encoded; give the RSA private key as a \"-----BEGIN PRIVATE KEY-----\" or \"-----BEGIN RSA PRIVATE KEY-----\" block")
	}
	if _, err := x509.ParsePKCS1PrivateKey(block.Bytes); err == nil {
		return nil
	}
	key, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		return fmt.Errorf("salesforce: Credentials.PrivateKeyPEM: the %q block is not a PKCS #1 or PKCS #8 private key (encrypted keys are not supported)", block.Type)
	}
	if _, ok := key.(*rsa.PrivateKey); !ok {
		return fmt.Errorf("salesforce: Credentials.PrivateKeyPEM holds a %T; the JWT bearer grant needs an RSA key (RS256)", key)
	}
	return nil
}

// Identity returns the org, user and instance URL of the current token.
func (c *Client) Identity() Identity {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.identity
}

// token returns a valid access token and the generation of the source it
// came from. The token source runs on its own long-lived context; ctx only
// bounds how long this call waits for it.
func (c *Client) token(ctx context.Context) (*oauth2.Token, uint64, error) {
	c.mu.Lock()
	src, gen := c.src, c.gen
	c.mu.Unlock()

	type answer struct {
		tok *oauth2.Token
		err error
	}
	done := make(chan answer, 1)
	go func() {
		tok, err := src.Token()
		done <- answer{tok, err}
	}()
	var a answer
	select {
	case a = <-done:
	case <-ctx.Done():
		return nil, 0, ctx.Err()
	}
	if a.err != nil {
		return nil, 0, tokenError(a.err)
	}
	if err := c.learnIdentity(a.tok); err != nil {
		return nil, 0, err
	}
	return a.tok, gen, nil
}

// invalidate forces the next token call to run the grant again, unless
// another caller already did so since generation gen was handed out.
func (c *Client) invalidate(gen uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.gen == gen {
		c.src = c.newSource()
		c.gen++
	}
}

// learnIdentity reads instance_url and id from a token response.
func (c *Client) learnIdentity(tok *oauth2.Token) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if tok == c.last {
		return nil
	}
	instance, _ := tok.Extra("instance_url").(string)
	idURL, _ := tok.Extra("id").(string)
	u, err := url.Parse(instance)
	if err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
		return fmt.Errorf("salesforce: the token response has no usable instance_url (%q); check that Credentials.LoginURL points at a Salesforce login host", instance)
	}
	parts := strings.Split(strings.TrimRight(idURL, "/"), "/")
	if len(parts) < 2 {
		return fmt.Errorf("salesforce: the token response's id %q is not an identity URL ending in /<org ID>/<user ID>", idURL)
	}
	orgID, errOrg := sfid.Normalize(parts[len(parts)-2])
	userID, errUser := sfid.Normalize(parts[len(parts)-1])
	if errOrg != nil || errUser != nil {
		return fmt.Errorf("salesforce: the token response's id %q does not end in /<org ID>/<user ID>", idURL)
	}
	c.identity = Identity{OrganizationID: orgID, UserID: userID, InstanceURL: strings.TrimRight(instance, "/")}
	c.last = tok
	return nil
}

// tokenError turns a token endpoint refusal into an *AuthError; other
// errors (network, malformed response) are wrapped as they are.
func tokenError(err error) error {
	var re *oauth2.RetrieveError
	if !errors.As(err, &re) {
		return fmt.Errorf("salesforce: requesting an access token: %w", err)
	}
	ae := &AuthError{Code: re.ErrorCode, Description: re.ErrorDescription}
	if re.Response != nil {
		ae.Status = re.Response.StatusCode
	}
	if ae.Code == "" {
		// The JWT flow does not parse the error body; Salesforce's is
		// {"error": "...", "error_description": "..."}.
		var body struct {
			Error       string `json:"error"`
			Description string `json:"error_description"`
		}
		if json.Unmarshal(re.Body, &body) == nil {
			ae.Code, ae.Description = body.Error, body.Description
		}
	}
	return ae
}
