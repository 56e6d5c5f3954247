package client

import (
	"context"
	"fmt"
	"iter"
	"net/http"
	"net/url"
	"strconv"

	"github.com/salesseat/terraform-provider-salesseat/internal/sfid"
)

// CRMService reads users and profiles of a connection's Salesforce org.
// Its calls fail with ErrConnectionDisconnected when the connection cannot
// authorize.
type CRMService interface {
	// ListUsers returns the org's users matching opts, sorted by ID.
	ListUsers(ctx context.Context, connectionID string, opts CRMUserListOptions) iter.Seq2[*CRMUser, error]
	// ReadUser returns one user by its 15- or 18-character ID.
	ReadUser(ctx context.Context, connectionID, crmUserID string) (*CRMUser, error)
	// ListProfiles returns the org's profiles.
	ListProfiles(ctx context.Context, connectionID string) iter.Seq2[*CRMProfile, error]
	// ListGroups returns the org's public groups.
	ListGroups(ctx context.Context, connectionID string) iter.Seq2[*CRMGroup, error]
}

// CRMUser is a user of the Salesforce org.
type CRMUser struct {
	ID          string `json:"id"`
	Username    string `json:"username"`
	Email       string `json:"email"`
	FirstName   string `json:"first_name"`
	LastName    string `json:"last_name"`
	Active      bool   `json:"active"`
	ProfileID   string `json:"profile_id"`
	ProfileName string `json:"profile_name"`
	UserRole    string `json:"user_role"`
	// SalesUserID is the sales user imported from this CRM user, or empty.
	SalesUserID string `json:"sales_user_id"`
}

// CRMProfile is a profile of the Salesforce org.
type CRMProfile struct {
	ID        string `json:"id"`
	Name      string `json:"name"`
	UserCount int    `json:"user_count"`
}

// CRMGroup is a public group of the Salesforce org.
type CRMGroup struct {
	ID   string `json:"id"`
	Name string `json:"name"` // the label
	// DeveloperName is the API name (Group Name in Setup).
	DeveloperName string `json:"developer_name"`
}

// CRMUserListOptions filters ListUsers; the filters are AND-ed and empty
// ones are ignored.
type CRMUserListOptions struct {
	Active *bool
	// ProfileIDs matches any of the profiles (15- or 18-character IDs).
	ProfileIDs []string
	// ProfileNames matches any of the profile names.
	ProfileNames []string
	// EmailDomain matches the domain of the email address, e.g. "acme.com".
	EmailDomain string
	// Search is a case-insensitive substring of username, email or full name.
	Search string
	// Imported matches users that are (true) or are not (false) sales users.
	Imported *bool
	// Groups matches direct members of any of these public groups (API
	// names or IDs).
	Groups   []string
	PageSize int
}

type crmService struct{ c *Client }

func (s *crmService) ListUsers(ctx context.Context, connectionID string, opts CRMUserListOptions) iter.Seq2[*CRMUser, error] {
	p, err := connectionPath(connectionID)
	if err != nil {
		return errorSeq[CRMUser](err)
	}
	q := url.Values{}
	if opts.Active != nil {
		q.Set("active", strconv.FormatBool(*opts.Active))
	}
	for i, id := range opts.ProfileIDs {
		n, err := normalizeIDField("ProfileIDs["+strconv.Itoa(i)+"]", id)
		if err != nil {
			return errorSeq[CRMUser](err)
		}
		if n != "" {
			q.Add("profile_id", n)
		}
	}
	for _, name := range opts.ProfileNames {
		q.Add("profile_name", name)
	}
	if opts.EmailDomain != "" {
		q.Set("email_domain", opts.EmailDomain)
	}
	if opts.Search != "" {
		q.Set("search", opts.Search)
	}
	if opts.Imported != nil {
		q.Set("imported", strconv.FormatBool(*opts.Imported))
	}
	for _, g := range opts.Groups {
		q.Add("group", g)
	}
	return list[CRMUser](ctx, s.c, p+"/crm-users", q, opts.PageSize)
}

func (s *crmService) ReadUser(ctx context.Context, connectionID, crmUserID string) (*CRMUser, error) {
	p, err := connectionPath(connectionID)
	if err != nil {
		return nil, err
	}
	id, err := sfid.Any.NormalizeField("CRM user ID", crmUserID)
	if err != nil {
		return nil, fmt.Errorf("salesseat API: %w", err)
	}
	return doJSON[CRMUser](ctx, s.c, request{method: http.MethodGet, path: p + "/crm-users/" + url.PathEscape(id)})
}

func (s *crmService) ListProfiles(ctx context.Context, connectionID string) iter.Seq2[*CRMProfile, error] {
	p, err := connectionPath(connectionID)
	if err != nil {
		return errorSeq[CRMProfile](err)
	}
	return list[CRMProfile](ctx, s.c, p+"/crm-profiles", nil, 0)
}

func (s *crmService) ListGroups(ctx context.Context, connectionID string) iter.Seq2[*CRMGroup, error] {
	p, err := connectionPath(connectionID)
	if err != nil {
		return errorSeq[CRMGroup](err)
	}
	return list[CRMGroup](ctx, s.c, p+"/crm-groups", nil, 0)
}

// errorSeq is an iterator that yields only err.
func errorSeq[T any](err error) iter.Seq2[*T, error] {
	return func(yield func(*T, error) bool) { yield(nil, err) }
}
