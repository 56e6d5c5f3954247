package platform

import (
	"context"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"

	"github.com/salesseat/terraform-provider-salesseat/internal/loopback"
	"github.com/salesseat/terraform-provider-salesseat/internal/sandbox/salesforce"
)

// ListConnections lists connections, sorted by ID.
func (p *Platform) ListConnections(pr PageRequest) (Page[Connection], error) {
	p.mu.Lock()
	items := make([]Connection, 0, len(p.conns))
	for _, c := range p.conns {
		items = append(items, c.Connection)
	}
	p.mu.Unlock()
	slices.SortFunc(items, func(a, b Connection) int { return strings.Compare(a.ID, b.ID) })
	return paginate(items, func(c Connection) string { return c.ID }, pr)
}

// CreateConnection validates in, authorizes against the org at once (nothing
// is created when that fails) and stores the connection. With automatic user
// sync on, the sync runs right after.
func (p *Platform) CreateConnection(ctx context.Context, in ConnectionInput) (Connection, error) {
	rec, err := newConnectionRecord(in)
	if err != nil {
		return Connection{}, err
	}
	sess, ident, err := p.authorize(ctx, "", rec)
	if err != nil {
		return Connection{}, err
	}
	now := p.clock()
	rec.ID = newID("conn_")
	rec.Status = StatusConnected
	rec.OrganizationID = ident.OrganizationID
	rec.InstanceURL = ident.InstanceURL
	rec.CreatedAt, rec.UpdatedAt, rec.Version = now, now, 1
	p.mu.Lock()
	p.conns[rec.ID] = rec
	p.sessions[rec.ID] = sess
	p.mu.Unlock()
	p.changed()
	return p.afterCRMArrival(ctx, rec.ID)
}

// afterCRMArrival runs automatic user sync when the connection has it on
// and returns the connection as it is then.
func (p *Platform) afterCRMArrival(ctx context.Context, id string) (Connection, error) {
	_, _ = p.RunAutomaticSync(ctx, id) // best effort: the triggering operation succeeded either way
	return p.connection(id)
}

func (p *Platform) connection(id string) (Connection, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	rec, ok := p.conns[id]
	if !ok {
		return Connection{}, NotFound(ResourceConnection, id)
	}
	return rec.Connection, nil
}

// GetConnection returns a connection after a live health check through the
// CRM: an authorization failure marks it disconnected with the CRM's reason;
// a connection that is disconnected (or has no session yet) re-runs its
// stored grant, which restores a JWT bearer connection.
func (p *Platform) GetConnection(ctx context.Context, id string) (Connection, error) {
	p.mu.Lock()
	rec, ok := p.conns[id]
	if !ok {
		p.mu.Unlock()
		return Connection{}, NotFound(ResourceConnection, id)
	}
	sess := p.sessions[id]
	snapshot := *rec
	p.mu.Unlock()

	if sess == nil {
		crm, err := p.dial(ctx, credentialsOf(&snapshot))
		if err != nil {
			var ae *salesforce.AuthError
			if errors.As(err, &ae) {
				p.markDisconnected(id, nil, ae.Error())
			}
			return p.connection(id)
		}
		sess = &session{crm: crm}
		if !p.adoptSession(id, &snapshot, sess) {
			return p.connection(id)
		}
	}
	if _, err := sess.crm.Organization(ctx); err != nil {
		var ae *salesforce.AuthError
		if errors.As(err, &ae) {
			p.markDisconnected(id, sess, ae.Error())
		}
	}
	return p.connection(id)
}

// adoptSession installs a freshly dialed session if the connection's
// credentials did not change meanwhile, marking it connected.
func (p *Platform) adoptSession(id string, dialed *ConnectionRecord, sess *session) bool {
	p.mu.Lock()
	rec, ok := p.conns[id]
	if !ok || p.sessions[id] != nil || !sameCredentials(rec, dialed) {
		p.mu.Unlock()
		return false
	}
	p.sessions[id] = sess
	changed := rec.Status != StatusConnected
	if changed {
		rec.Status, rec.StatusReason = StatusConnected, ""
		rec.UpdatedAt = p.clock()
		rec.Version++
	}
	p.mu.Unlock()
	if changed {
		p.changed()
	}
	return true
}

// markDisconnected records an authorization failure, unless the connection
// got a different session meanwhile (a concurrent re-authorization).
func (p *Platform) markDisconnected(id string, used *session, reason string) {
	p.mu.Lock()
	rec, ok := p.conns[id]
	if !ok || p.sessions[id] != used {
		p.mu.Unlock()
		return
	}
	delete(p.sessions, id)
	changed := rec.Status != StatusDisconnected || rec.StatusReason != reason
	if changed {
		rec.Status, rec.StatusReason = StatusDisconnected, reason
		rec.UpdatedAt = p.clock()
		rec.Version++
	}
	p.mu.Unlock()
	if changed {
		p.changed()
	}
}

// UpdateConnection applies a patch. Credentials, login URL, client ID or
// service username changes re-authorize first; nothing changes when that
// fails. ifMatch 0 means unconditional.
func (p *Platform) UpdateConnection(ctx context.Context, id string, in ConnectionPatch, ifMatch int) (Connection, error) {
	p.mu.Lock()
	cur, ok := p.conns[id]
	if !ok {
		p.mu.Unlock()
		return Connection{}, NotFound(ResourceConnection, id)
	}
	if ifMatch != 0 && ifMatch != cur.Version {
		v := cur.Version
		p.mu.Unlock()
		return Connection{}, PreconditionFailed(ResourceConnection, id, v)
	}
	next := *cur
	p.mu.Unlock()

	var errs []FieldError
	if in.Environment != nil && *in.Environment != next.Environment {
		errs = append(errs, FieldError{Field: "environment", Message: fmt.Sprintf("environment cannot change (it is %q); create a new connection for a %q org and delete this one", next.Environment, *in.Environment)})
	}
	if in.RefreshToken != nil && in.JWTPrivateKey != nil {
		errs = append(errs, FieldError{Field: "refresh_token", Message: "supply either refresh_token or jwt_private_key, not both"})
	}
	reauth := false
	if in.Name != nil {
		next.Name = strings.TrimSpace(*in.Name)
		if next.Name == "" {
			errs = append(errs, FieldError{Field: "name", Message: "name must not be empty"})
		}
	}
	if in.LoginURL != nil {
		u, msg := normalizeLoginURL(*in.LoginURL, next.Environment)
		if msg != "" {
			errs = append(errs, FieldError{Field: "login_url", Message: msg})
		}
		reauth = reauth || u != next.LoginURL
		next.LoginURL = u
	}
	if in.ServiceUsername != nil {
		v := strings.TrimSpace(*in.ServiceUsername)
		if !looksLikeEmail(v) {
			errs = append(errs, FieldError{Field: "service_username", Message: fmt.Sprintf("service_username must be a Salesforce username (email-shaped, like svc@acme.com), got %q", v)})
		}
		reauth = reauth || !strings.EqualFold(v, next.ServiceUsername)
		next.ServiceUsername = v
	}
	if in.OAuthClientID != nil {
		v := strings.TrimSpace(*in.OAuthClientID)
		if v == "" {
			errs = append(errs, FieldError{Field: "oauth_client_id", Message: "oauth_client_id must be the consumer key of the connected app"})
		}
		reauth = reauth || v != next.OAuthClientID
		next.OAuthClientID = v
	}
	if in.RefreshToken != nil {
		if *in.RefreshToken == "" {
			errs = append(errs, FieldError{Field: "refresh_token", Message: "refresh_token must not be empty"})
		}
		next.RefreshToken, next.JWTPrivateKey, next.AuthMethod = *in.RefreshToken, "", AuthMethodRefreshToken
		reauth = true
	}
	if in.JWTPrivateKey != nil {
		if msg := checkPrivateKey(*in.JWTPrivateKey); msg != "" {
			errs = append(errs, FieldError{Field: "jwt_private_key", Message: msg})
		}
		next.JWTPrivateKey, next.RefreshToken, next.AuthMethod = *in.JWTPrivateKey, "", AuthMethodJWTBearer
		reauth = true
	}
	if in.AutomaticUserSync != nil {
		next.AutomaticUserSync = *in.AutomaticUserSync
	}
	if in.UserSync != nil {
		next.UserSync = *in.UserSync
	}
	if len(errs) > 0 {
		return Connection{}, ValidationErrors(errs)
	}

	var sess *session
	if reauth {
		s, ident, err := p.authorize(ctx, id, &next)
		if err != nil {
			return Connection{}, err
		}
		sess = s
		next.OrganizationID, next.InstanceURL = ident.OrganizationID, ident.InstanceURL
		next.Status, next.StatusReason = StatusConnected, ""
	}

	p.mu.Lock()
	cur, ok = p.conns[id]
	if !ok {
		p.mu.Unlock()
		return Connection{}, NotFound(ResourceConnection, id)
	}
	if ifMatch != 0 && ifMatch != cur.Version {
		v := cur.Version
		p.mu.Unlock()
		return Connection{}, PreconditionFailed(ResourceConnection, id, v)
	}
	if !reauth {
		// Keep whatever status a concurrent health check recorded.
		next.Status, next.StatusReason = cur.Status, cur.StatusReason
	}
	syncTurnedOn := next.AutomaticUserSync && !cur.AutomaticUserSync
	changed := next != *cur
	if changed {
		next.UpdatedAt = p.clock()
		next.Version = cur.Version + 1
		*cur = next
	}
	if sess != nil {
		p.sessions[id] = sess
	}
	out := cur.Connection
	p.mu.Unlock()
	if changed {
		p.changed()
	}
	if syncTurnedOn || (reauth && next.AutomaticUserSync) {
		return p.afterCRMArrival(ctx, id)
	}
	return out, nil
}

// DeleteConnection removes a connection with its role mappings; its sales
// users move to the recycle bin (freeing their seats).
func (p *Platform) DeleteConnection(_ context.Context, id string) error {
	p.mu.Lock()
	if _, ok := p.conns[id]; !ok {
		p.mu.Unlock()
		return NotFound(ResourceConnection, id)
	}
	now := p.clock()
	for _, u := range p.users {
		if u.ConnectionID == id && u.DeletedAt == nil {
			p.recycleLocked(u, now)
		}
	}
	for mid, m := range p.mappings {
		if m.ConnectionID == id {
			delete(p.mappings, mid)
		}
	}
	delete(p.conns, id)
	delete(p.sessions, id)
	p.mu.Unlock()
	p.changed()
	return nil
}

// AuthorizeConnection re-authorizes a connection: with new credentials
// (switching the auth method) or, with an empty input, by re-running the
// stored grant. A failed re-run of the stored grant marks the connection
// disconnected.
func (p *Platform) AuthorizeConnection(ctx context.Context, id string, in AuthorizeInput) (Connection, error) {
	if in.RefreshToken != "" && in.JWTPrivateKey != "" {
		return Connection{}, Validation("refresh_token", "supply either refresh_token or jwt_private_key, not both (or neither, to re-run the stored grant)")
	}
	if in.JWTPrivateKey != "" {
		if msg := checkPrivateKey(in.JWTPrivateKey); msg != "" {
			return Connection{}, Validation("jwt_private_key", msg)
		}
	}
	p.mu.Lock()
	cur, ok := p.conns[id]
	if !ok {
		p.mu.Unlock()
		return Connection{}, NotFound(ResourceConnection, id)
	}
	next := *cur
	oldSess := p.sessions[id]
	p.mu.Unlock()

	stored := true
	switch {
	case in.RefreshToken != "":
		next.RefreshToken, next.JWTPrivateKey, next.AuthMethod = in.RefreshToken, "", AuthMethodRefreshToken
		stored = false
	case in.JWTPrivateKey != "":
		next.JWTPrivateKey, next.RefreshToken, next.AuthMethod = in.JWTPrivateKey, "", AuthMethodJWTBearer
		stored = false
	}
	sess, ident, err := p.authorize(ctx, id, &next)
	if err != nil {
		if prob := AsProblem(err); stored && prob.Code == CodeCRMAuthorizationFailed {
			reason := fmt.Sprintf("%v: %v", prob.Ext["crm_error"], prob.Ext["crm_error_description"])
			p.markDisconnected(id, oldSess, reason)
		}
		return Connection{}, err
	}
	p.mu.Lock()
	cur, ok = p.conns[id]
	if !ok {
		p.mu.Unlock()
		return Connection{}, NotFound(ResourceConnection, id)
	}
	if !stored {
		cur.RefreshToken, cur.JWTPrivateKey, cur.AuthMethod = next.RefreshToken, next.JWTPrivateKey, next.AuthMethod
	}
	cur.OrganizationID, cur.InstanceURL = ident.OrganizationID, ident.InstanceURL
	cur.Status, cur.StatusReason = StatusConnected, ""
	cur.UpdatedAt = p.clock()
	cur.Version++
	p.sessions[id] = sess
	p.mu.Unlock()
	p.changed()
	return p.afterCRMArrival(ctx, id)
}

// ConnectionRefreshToken returns the refresh token a connection stores and
// the ID of its org, for the admin operations that expire or revoke it.
func (p *Platform) ConnectionRefreshToken(connID string) (token string, orgID string, err error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	rec, ok := p.conns[connID]
	if !ok {
		return "", "", NotFound(ResourceConnection, connID)
	}
	if rec.AuthMethod != AuthMethodRefreshToken || rec.RefreshToken == "" {
		return "", "", Validation("connection_id", fmt.Sprintf("connection %s uses the %s flow and holds no refresh token; expire its access tokens in the org instead", connID, rec.AuthMethod))
	}
	return rec.RefreshToken, rec.OrganizationID, nil
}

// ConnectionOrg returns the ID of the org a connection is authorized
// against, without a health check.
func (p *Platform) ConnectionOrg(connID string) (string, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	rec, ok := p.conns[connID]
	if !ok {
		return "", NotFound(ResourceConnection, connID)
	}
	return rec.OrganizationID, nil
}

// RebaseLoginURLs points the connections whose login URL or instance URL
// is under from (a base URL such as http://127.0.0.1:8787) at to instead,
// and returns how many changed. The sandbox calls it when it resumes its
// state on another address, so connections to its simulated orgs keep
// working.
func (p *Platform) RebaseLoginURLs(from, to string) int {
	from, to = strings.TrimRight(from, "/"), strings.TrimRight(to, "/")
	if from == "" || from == to {
		return 0
	}
	rebase := func(u string) (string, bool) {
		if u == from || strings.HasPrefix(u, from+"/") {
			return to + strings.TrimPrefix(u, from), true
		}
		return u, false
	}
	p.mu.Lock()
	n := 0
	now := p.clock()
	for id, rec := range p.conns {
		login, okLogin := rebase(rec.LoginURL)
		instance, okInstance := rebase(rec.InstanceURL)
		if !okLogin && !okInstance {
			continue
		}
		rec.LoginURL, rec.InstanceURL = login, instance
		rec.UpdatedAt = now
		rec.Version++
		delete(p.sessions, id)
		n++
	}
	p.mu.Unlock()
	if n > 0 {
		p.changed()
	}
	return n
}

// authorize dials the org with rec's credentials and checks that the
// authorized user is the service username and has View All Data.
func (p *Platform) authorize(ctx context.Context, connID string, rec *ConnectionRecord) (*session, salesforce.Identity, error) {
	crm, err := p.dial(ctx, credentialsOf(rec))
	if err != nil {
		return nil, salesforce.Identity{}, authorizationProblem(connID, err)
	}
	ident := crm.Identity()
	u, err := crm.User(ctx, ident.UserID)
	if err != nil {
		return nil, salesforce.Identity{}, authorizationProblem(connID, err)
	}
	if !strings.EqualFold(u.Username, rec.ServiceUsername) {
		return nil, salesforce.Identity{}, Validation("service_username", fmt.Sprintf(
			"the credentials authorize as %q, not as service_username %q; set service_username to %q, or supply credentials issued to %q",
			u.Username, rec.ServiceUsername, u.Username, rec.ServiceUsername))
	}
	if !u.ViewAllData {
		return nil, salesforce.Identity{}, ServiceAccountMissingPermission(rec.ServiceUsername)
	}
	return &session{crm: crm}, ident, nil
}

func authorizationProblem(connID string, err error) error {
	var ae *salesforce.AuthError
	if errors.As(err, &ae) {
		return CRMAuthorizationFailed(connID, ae.Code, ae.Description)
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	return CRMAuthorizationFailed(connID, CRMErrorRequestFailed, err.Error())
}

func credentialsOf(rec *ConnectionRecord) salesforce.Credentials {
	return salesforce.Credentials{
		LoginURL:      rec.LoginURL,
		ClientID:      rec.OAuthClientID,
		Username:      rec.ServiceUsername,
		RefreshToken:  rec.RefreshToken,
		PrivateKeyPEM: rec.JWTPrivateKey,
	}
}

func sameCredentials(a, b *ConnectionRecord) bool {
	return credentialsOf(a) == credentialsOf(b)
}

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
