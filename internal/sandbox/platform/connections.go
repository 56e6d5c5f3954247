package platform

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/salesseat/terraform-provider-salesseat/internal/sandbox/salesforce"
	"github.com/salesseat/terraform-provider-salesseat/internal/sfid"
)

// ListConnections lists connections, sorted by ID.
func (p *Platform) ListConnections(pr PageRequest) (Page[Connection], error) {
	items := view(p, func() []Connection {
		items := make([]Connection, 0, len(p.conns))
		for _, c := range p.conns {
			items = append(items, c.Connection)
		}
		return items
	})
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
	if err := resolveUserManagementGroup(ctx, sess.crm, rec); err != nil {
		return Connection{}, err
	}
	now := p.clock()
	rec.ID = newID("conn_")
	rec.Status = StatusConnected
	rec.OrganizationID = ident.OrganizationID
	rec.InstanceURL = ident.InstanceURL
	rec.CreatedAt, rec.UpdatedAt, rec.Version = now, now, 1
	_, _ = commit(p, func() (struct{}, bool, error) {
		p.conns[rec.ID] = rec
		p.sessions[rec.ID] = sess
		return struct{}{}, true, nil
	})
	return p.afterCRMArrival(ctx, rec.ID)
}

// afterCRMArrival runs automatic user sync when the connection has it on
// and returns the connection as it is then.
func (p *Platform) afterCRMArrival(ctx context.Context, id string) (Connection, error) {
	_, _ = p.RunAutomaticSync(ctx, id) // best effort: the triggering operation succeeded either way
	return p.connection(id)
}

func (p *Platform) connection(id string) (Connection, error) {
	return viewErr(p, func() (Connection, error) {
		rec, ok := p.conns[id]
		if !ok {
			return Connection{}, NotFound(ResourceConnection, id)
		}
		return rec.Connection, nil
	})
}

// GetConnection returns a connection after a live health check through the
// CRM: an authorization failure marks it disconnected with the CRM's reason;
// a connection that is disconnected (or has no session yet) re-runs its
// stored grant, which restores a JWT bearer connection.
func (p *Platform) GetConnection(ctx context.Context, id string) (Connection, error) {
	snapshot, sess, err := p.connectionSnapshot(id)
	if err != nil {
		return Connection{}, err
	}

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

// UpdateConnection applies a patch. Credentials, login URL, client ID or
// service username changes re-authorize first; nothing changes when that
// fails. ifMatch 0 means unconditional.
func (p *Platform) UpdateConnection(ctx context.Context, id string, in ConnectionPatch, ifMatch int) (Connection, error) {
	next, err := viewErr(p, func() (ConnectionRecord, error) {
		cur, err := p.matchingConnectionLocked(id, ifMatch)
		if err != nil {
			return ConnectionRecord{}, err
		}
		return *cur, nil
	})
	if err != nil {
		return Connection{}, err
	}

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
	groupChanged := false
	if in.UserManagementGroup != nil {
		g := strings.TrimSpace(*in.UserManagementGroup)
		groupChanged = !strings.EqualFold(g, next.UserManagementGroup) && !sfid.Equal(g, next.UserManagementGroupID)
		if groupChanged || g == "" {
			next.UserManagementGroup, next.UserManagementGroupID = g, ""
		}
	}
	errs = append(errs, userManagementRules(&next)...)
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
	// A new group, or new login details (which may reach another org, where
	// the group has another ID or none), resolve the group again.
	if next.UserManagementGroup != "" && (groupChanged || reauth) {
		gs := sess
		if gs == nil {
			s, err := p.session(ctx, id)
			if err != nil {
				return Connection{}, err
			}
			gs = s
		}
		if err := resolveUserManagementGroup(ctx, gs.crm, &next); err != nil {
			return Connection{}, p.crmError(id, gs, err)
		}
	}

	type result struct {
		out          Connection
		syncTurnedOn bool
	}
	res, err := commit(p, func() (result, bool, error) {
		cur, err := p.matchingConnectionLocked(id, ifMatch)
		if err != nil {
			return result{}, false, err
		}
		if !reauth {
			// Keep whatever status a concurrent health check recorded.
			next.Status, next.StatusReason = cur.Status, cur.StatusReason
		}
		syncTurnedOn := (next.AutomaticUserSync && !cur.AutomaticUserSync) || (next.UserManagementGroupID != "" && next.UserManagementGroupID != cur.UserManagementGroupID)
		if next.UserManagementGroupID != cur.UserManagementGroupID {
			next.LastSync = nil // the report was about the other mode
		} else {
			next.LastSync = cur.LastSync // keep a sync that ran meanwhile
		}
		changed := next != *cur
		if changed {
			next.UpdatedAt = p.clock()
			next.Version = cur.Version + 1
			*cur = next
		}
		if sess != nil {
			p.sessions[id] = sess
		}
		return result{cur.Connection, syncTurnedOn}, changed, nil
	})
	if err != nil {
		return Connection{}, err
	}
	if res.syncTurnedOn || (reauth && (next.AutomaticUserSync || next.UserManagementGroupID != "")) {
		return p.afterCRMArrival(ctx, id)
	}
	return res.out, nil
}

// matchingConnectionLocked returns the connection when it exists and, for
// ifMatch other than 0, has that version.
func (p *Platform) matchingConnectionLocked(id string, ifMatch int) (*ConnectionRecord, error) {
	cur, ok := p.conns[id]
	if !ok {
		return nil, NotFound(ResourceConnection, id)
	}
	if ifMatch != 0 && ifMatch != cur.Version {
		return nil, PreconditionFailed(ResourceConnection, id, cur.Version)
	}
	return cur, nil
}

// DeleteConnection removes a connection with its role mappings; its sales
// users move to the recycle bin (freeing their seats).
func (p *Platform) DeleteConnection(_ context.Context, id string) error {
	_, err := commit(p, func() (struct{}, bool, error) {
		if _, ok := p.conns[id]; !ok {
			return struct{}{}, false, NotFound(ResourceConnection, id)
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
		return struct{}{}, true, nil
	})
	return err
}

// ConnectionOrg returns the ID of the org a connection is authorized
// against, without a health check.
func (p *Platform) ConnectionOrg(connID string) (string, error) {
	return viewErr(p, func() (string, error) {
		rec, ok := p.conns[connID]
		if !ok {
			return "", NotFound(ResourceConnection, connID)
		}
		return rec.OrganizationID, nil
	})
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
	n, _ := commit(p, func() (int, bool, error) {
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
		return n, n > 0, nil
	})
	return n
}

// connectionSnapshot returns a copy of a connection's record and its CRM
// session, read under the lock, for an operation that then talks to the CRM
// without it.
func (p *Platform) connectionSnapshot(id string) (ConnectionRecord, *session, error) {
	type current struct {
		rec  ConnectionRecord
		sess *session
	}
	cur, err := viewErr(p, func() (current, error) {
		rec, ok := p.conns[id]
		if !ok {
			return current{}, NotFound(ResourceConnection, id)
		}
		return current{*rec, p.sessions[id]}, nil
	})
	return cur.rec, cur.sess, err
}

// resolveUserManagementGroup looks up rec.UserManagementGroup (a public
// group's API name, case-insensitive, or its ID) in the org and records the
// group's API name and ID. An unknown group is a validation problem that
// lists the groups there are.
func resolveUserManagementGroup(ctx context.Context, crm CRM, rec *ConnectionRecord) error {
	if rec.UserManagementGroup == "" {
		rec.UserManagementGroupID = ""
		return nil
	}
	groups, err := crm.Groups(ctx)
	if err != nil {
		return err
	}
	g, prob := lookupGroup(groups, "user_management_group", rec.UserManagementGroup)
	if prob != nil {
		return prob
	}
	rec.UserManagementGroup, rec.UserManagementGroupID = g.DeveloperName, g.ID
	return nil
}

// findGroup finds a group by API name (case-insensitive) or ID (15 or 18
// characters).
func findGroup(groups []salesforce.Group, ref string) (salesforce.Group, bool) {
	for _, g := range groups {
		if strings.EqualFold(g.DeveloperName, ref) || sfid.Equal(g.ID, ref) {
			return g, true
		}
	}
	return salesforce.Group{}, false
}

// lookupGroup finds the group ref (API name or ID) names, or returns the
// validation problem of field that lists the org's groups.
func lookupGroup(groups []salesforce.Group, field, ref string) (salesforce.Group, *Problem) {
	if g, ok := findGroup(groups, ref); ok {
		return g, nil
	}
	return salesforce.Group{}, Validation(field, fmt.Sprintf("the Salesforce org has no public group %q; use a group's API name (Group Name in Setup > Public Groups) or ID, one of: %s", ref, groupChoices(groups)))
}

// groupChoices lists the groups' API names for an error message.
func groupChoices(groups []salesforce.Group) string {
	if len(groups) == 0 {
		return "(the org has no public groups; create one in Setup > Public Groups)"
	}
	names := make([]string, len(groups))
	for i, g := range groups {
		names[i] = fmt.Sprintf("%q", g.DeveloperName)
	}
	return strings.Join(names, ", ")
}
