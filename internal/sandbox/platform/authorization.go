package platform

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/salesseat/terraform-provider-salesseat/internal/sandbox/salesforce"
)

// adoptSession installs a freshly dialed session if the connection's
// credentials did not change meanwhile, marking it connected.
func (p *Platform) adoptSession(id string, dialed *ConnectionRecord, sess *session) bool {
	type outcome struct{ adopted bool }
	res, _ := commit(p, func() (outcome, bool, error) {
		rec, ok := p.conns[id]
		if !ok || p.sessions[id] != nil || !sameCredentials(rec, dialed) {
			return outcome{}, false, nil
		}
		p.sessions[id] = sess
		changed := rec.Status != StatusConnected
		if changed {
			rec.Status, rec.StatusReason = StatusConnected, ""
			rec.UpdatedAt = p.clock()
			rec.Version++
		}
		return outcome{adopted: true}, changed, nil
	})
	return res.adopted
}

// markDisconnected records an authorization failure, unless the connection
// got a different session meanwhile (a concurrent re-authorization).
func (p *Platform) markDisconnected(id string, used *session, reason string) {
	_, _ = commit(p, func() (struct{}, bool, error) {
		rec, ok := p.conns[id]
		if !ok || p.sessions[id] != used {
			return struct{}{}, false, nil
		}
		delete(p.sessions, id)
		changed := rec.Status != StatusDisconnected || rec.StatusReason != reason
		if changed {
			rec.Status, rec.StatusReason = StatusDisconnected, reason
			rec.UpdatedAt = p.clock()
			rec.Version++
		}
		return struct{}{}, changed, nil
	})
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
	next, oldSess, err := p.connectionSnapshot(id)
	if err != nil {
		return Connection{}, err
	}

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
	_, err = commit(p, func() (struct{}, bool, error) {
		cur, ok := p.conns[id]
		if !ok {
			return struct{}{}, false, NotFound(ResourceConnection, id)
		}
		if !stored {
			cur.RefreshToken, cur.JWTPrivateKey, cur.AuthMethod = next.RefreshToken, next.JWTPrivateKey, next.AuthMethod
		}
		cur.OrganizationID, cur.InstanceURL = ident.OrganizationID, ident.InstanceURL
		cur.Status, cur.StatusReason = StatusConnected, ""
		cur.UpdatedAt = p.clock()
		cur.Version++
		p.sessions[id] = sess
		return struct{}{}, true, nil
	})
	if err != nil {
		return Connection{}, err
	}
	return p.afterCRMArrival(ctx, id)
}

// ConnectionRefreshToken returns the refresh token a connection stores and
// the ID of its org, for the admin operations that expire or revoke it.
func (p *Platform) ConnectionRefreshToken(connID string) (token string, orgID string, err error) {
	rec, err := viewErr(p, func() (ConnectionRecord, error) {
		rec, ok := p.conns[connID]
		if !ok {
			return ConnectionRecord{}, NotFound(ResourceConnection, connID)
		}
		return *rec, nil
	})
	if err != nil {
		return "", "", err
	}
	if rec.AuthMethod != AuthMethodRefreshToken || rec.RefreshToken == "" {
		return "", "", Validation("connection_id", fmt.Sprintf("connection %s uses the %s flow and holds no refresh token; expire its access tokens in the org instead", connID, rec.AuthMethod))
	}
	return rec.RefreshToken, rec.OrganizationID, nil
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
