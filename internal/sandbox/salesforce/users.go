package salesforce

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/salesseat/terraform-provider-salesseat/internal/sfid"
)

// maxIDsPerQuery bounds the IDs one IN / NOT IN list carries, so a
// statement stays well inside the REST API's URI length limit (16 KB).
const maxIDsPerQuery = 300

// userFields is the SELECT list of every user query.
const userFields = "Id, Username, Email, FirstName, LastName, IsActive, ProfileId, Profile.Name, UserRole.Name, Profile.PermissionsViewAllData"

// User is a Salesforce user.
type User struct {
	ID           string // 18 characters
	Username     string
	Email        string
	FirstName    string
	LastName     string
	Active       bool
	ProfileID    string
	ProfileName  string
	UserRoleName string // "" when the user has no role
	ViewAllData  bool   // the profile grants View All Data
}

// Profile is a Salesforce profile.
type Profile struct {
	ID          string
	Name        string
	ViewAllData bool
}

// Organization is the org the client is connected to.
type Organization struct {
	ID        string
	Name      string
	IsSandbox bool
}

// UserQuery filters Users; all filters are AND-ed, empty ones ignored.
type UserQuery struct {
	Active       *bool
	ProfileIDs   []string // Id IN; 15 or 18 characters
	ProfileNames []string // Profile.Name IN
	EmailDomain  string   // Email ends with "@" + EmailDomain ("@" optional)
	Search       string   // case-insensitive substring of Username, Email or Name
	// GroupIDs keeps the direct members of any of these public groups (15
	// or 18 characters, at most 300), through a GroupMember semi-join: the
	// members of a group nested in one of them are not included.
	GroupIDs []string

	IDs        []string // Id IN
	ExcludeIDs []string // Id NOT IN
	AfterID    string   // Id > AfterID, for cursors over the ID order
	Limit      int      // 0 = no limit
}

// userRecord is a User record as the REST API renders it.
type userRecord struct {
	ID        string `json:"Id"`
	Username  string `json:"Username"`
	Email     string `json:"Email"`
	FirstName string `json:"FirstName"`
	LastName  string `json:"LastName"`
	IsActive  bool   `json:"IsActive"`
	ProfileID string `json:"ProfileId"`
	Profile   *struct {
		Name                   string `json:"Name"`
		PermissionsViewAllData bool   `json:"PermissionsViewAllData"`
	} `json:"Profile"`
	UserRole *struct {
		Name string `json:"Name"`
	} `json:"UserRole"`
}

func (r userRecord) user() User {
	u := User{ID: r.ID, Username: r.Username, Email: r.Email, FirstName: r.FirstName, LastName: r.LastName, Active: r.IsActive}
	if id, err := sfid.Normalize(r.ProfileID); err == nil {
		u.ProfileID = id
	}
	if id, err := sfid.Normalize(r.ID); err == nil {
		u.ID = id
	}
	if r.Profile != nil {
		u.ProfileName, u.ViewAllData = r.Profile.Name, r.Profile.PermissionsViewAllData
	}
	if r.UserRole != nil {
		u.UserRoleName = r.UserRole.Name
	}
	return u
}

// userPlan is a UserQuery turned into SOQL pieces.
type userPlan struct {
	where    []string            // conditions common to every statement
	idChunks [][]string          // one statement per chunk; a single nil chunk = no Id IN
	exclude  map[string]struct{} // NOT IN done locally when too long for the statement
	afterID  string
	limit    int
}

func (q UserQuery) plan() (*userPlan, error) {
	if q.Limit < 0 {
		return nil, fmt.Errorf("salesforce: UserQuery.Limit is %d; use 0 for no limit or a positive number", q.Limit)
	}
	p := &userPlan{limit: q.Limit}
	if q.Active != nil {
		p.where = append(p.where, fmt.Sprintf("IsActive = %t", *q.Active))
	}
	if len(q.ProfileIDs) > 0 {
		ids, err := sfid.Any.NormalizeList("UserQuery.ProfileIDs", q.ProfileIDs)
		if err != nil {
			return nil, fmt.Errorf("salesforce: %w", err)
		}
		p.where = append(p.where, "ProfileId IN "+quoteList(ids))
	}
	if len(q.ProfileNames) > 0 {
		p.where = append(p.where, "Profile.Name IN "+quoteList(q.ProfileNames))
	}
	if len(q.GroupIDs) > 0 {
		ids, err := sfid.Group.NormalizeList("UserQuery.GroupIDs", q.GroupIDs)
		if err != nil {
			return nil, fmt.Errorf("salesforce: %w", err)
		}
		if len(ids) > maxIDsPerQuery {
			return nil, fmt.Errorf("salesforce: UserQuery.GroupIDs has %d group IDs, more than the %d one statement holds; query the groups in batches", len(ids), maxIDsPerQuery)
		}
		// A semi-join: Salesforce resolves the memberships itself, so the
		// statement stays short however many members the groups have.
		p.where = append(p.where, "Id IN (SELECT UserOrGroupId FROM GroupMember WHERE GroupId IN "+quoteList(ids)+")")
	}
	if d := strings.TrimPrefix(strings.TrimSpace(q.EmailDomain), "@"); d != "" {
		p.where = append(p.where, "Email LIKE "+LikePattern("%@", d, ""))
	}
	if s := strings.TrimSpace(q.Search); s != "" {
		pat := LikePattern("%", s, "%")
		p.where = append(p.where, fmt.Sprintf("(Username LIKE %s OR Email LIKE %s OR Name LIKE %s)", pat, pat, pat))
	}
	if q.AfterID != "" {
		id, err := sfid.Any.NormalizeField("UserQuery.AfterID", q.AfterID)
		if err != nil {
			return nil, fmt.Errorf("salesforce: %w", err)
		}
		p.afterID = id
	}
	if len(q.ExcludeIDs) > 0 {
		ids, err := sfid.Any.NormalizeList("UserQuery.ExcludeIDs", q.ExcludeIDs)
		if err != nil {
			return nil, fmt.Errorf("salesforce: %w", err)
		}
		if len(ids) <= maxIDsPerQuery {
			p.where = append(p.where, "Id NOT IN "+quoteList(ids))
		} else {
			p.exclude = make(map[string]struct{}, len(ids))
			for _, id := range ids {
				p.exclude[id] = struct{}{}
			}
		}
	}
	p.idChunks = [][]string{nil}
	if len(q.IDs) > 0 {
		ids, err := sfid.Any.NormalizeList("UserQuery.IDs", q.IDs)
		if err != nil {
			return nil, fmt.Errorf("salesforce: %w", err)
		}
		p.idChunks = nil
		for len(ids) > 0 {
			n := min(len(ids), maxIDsPerQuery)
			p.idChunks = append(p.idChunks, ids[:n])
			ids = ids[n:]
		}
	}
	return p, nil
}

// statement builds the SOQL for one ID chunk, starting after the given ID.
func (p *userPlan) statement(chunk []string, after string) string {
	where := append([]string(nil), p.where...)
	if chunk != nil {
		where = append(where, "Id IN "+quoteList(chunk))
	}
	if after != "" {
		where = append(where, "Id > "+QuoteString(after))
	}
	var b strings.Builder
	b.WriteString("SELECT " + userFields + " FROM User")
	if len(where) > 0 {
		b.WriteString(" WHERE " + strings.Join(where, " AND "))
	}
	b.WriteString(" ORDER BY Id")
	if p.limit > 0 {
		fmt.Fprintf(&b, " LIMIT %d", p.limit)
	}
	return b.String()
}

// Users returns the users matching q, sorted by ID.
func (c *Client) Users(ctx context.Context, q UserQuery) ([]User, error) {
	p, err := q.plan()
	if err != nil {
		return nil, err
	}
	var out []User
	for _, chunk := range p.idChunks {
		users, err := c.usersChunk(ctx, p, chunk)
		if err != nil {
			return nil, err
		}
		out = append(out, users...)
	}
	if len(p.idChunks) > 1 {
		sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	}
	if p.limit > 0 && len(out) > p.limit {
		out = out[:p.limit]
	}
	return out, nil
}

// usersChunk runs the statement for one ID chunk. When exclusions are
// applied locally and a limit is set, it reads on past the excluded users
// (Id > last ID seen) until the limit is met or the users run out.
func (c *Client) usersChunk(ctx context.Context, p *userPlan, chunk []string) ([]User, error) {
	var out []User
	after := p.afterID
	for {
		read := 0
		last := ""
		err := c.pages(ctx, p.statement(chunk, after), func(page *queryPage) (bool, error) {
			for _, raw := range page.Records {
				var rec userRecord
				if err := json.Unmarshal(raw, &rec); err != nil {
					return false, fmt.Errorf("salesforce: decoding a User record: %w", err)
				}
				u := rec.user()
				read++
				last = u.ID
				if _, skip := p.exclude[u.ID]; !skip {
					out = append(out, u)
				}
			}
			return true, nil
		})
		if err != nil {
			return nil, err
		}
		if p.exclude == nil || p.limit == 0 || read < p.limit || len(out) >= p.limit {
			if p.limit > 0 && len(out) > p.limit {
				out = out[:p.limit]
			}
			return out, nil
		}
		after = last
	}
}

// User returns the user with the given 15- or 18-character ID, or an error
// wrapping ErrNotFound.
func (c *Client) User(ctx context.Context, id string) (User, error) {
	n, err := sfid.Any.NormalizeField("user ID", id)
	if err != nil {
		return User{}, fmt.Errorf("salesforce: %w", err)
	}
	users, err := c.Users(ctx, UserQuery{IDs: []string{n}, Limit: 1})
	if err != nil {
		return User{}, err
	}
	if len(users) == 0 {
		return User{}, fmt.Errorf("salesforce: user %s: %w", n, ErrNotFound)
	}
	return users[0], nil
}

// UserByUsername returns the user with the given username (compared
// case-insensitively, as Salesforce does), or an error wrapping
// ErrNotFound.
func (c *Client) UserByUsername(ctx context.Context, username string) (User, error) {
	username = strings.TrimSpace(username)
	if username == "" {
		return User{}, errors.New("salesforce: username is empty")
	}
	soql := "SELECT " + userFields + " FROM User WHERE Username = " + QuoteString(username) + " LIMIT 1"
	var users []User
	err := c.pages(ctx, soql, func(page *queryPage) (bool, error) {
		for _, raw := range page.Records {
			var rec userRecord
			if err := json.Unmarshal(raw, &rec); err != nil {
				return false, fmt.Errorf("salesforce: decoding a User record: %w", err)
			}
			users = append(users, rec.user())
		}
		return true, nil
	})
	if err != nil {
		return User{}, err
	}
	if len(users) == 0 {
		return User{}, fmt.Errorf("salesforce: user %q: %w", username, ErrNotFound)
	}
	return users[0], nil
}

// Profiles returns every profile of the org, sorted by ID.
func (c *Client) Profiles(ctx context.Context) ([]Profile, error) {
	var out []Profile
	err := c.pages(ctx, "SELECT Id, Name, PermissionsViewAllData FROM Profile ORDER BY Id", func(page *queryPage) (bool, error) {
		for _, raw := range page.Records {
			var rec struct {
				ID                     string `json:"Id"`
				Name                   string `json:"Name"`
				PermissionsViewAllData bool   `json:"PermissionsViewAllData"`
			}
			if err := json.Unmarshal(raw, &rec); err != nil {
				return false, fmt.Errorf("salesforce: decoding a Profile record: %w", err)
			}
			id, err := sfid.Normalize(rec.ID)
			if err != nil {
				id = rec.ID
			}
			out = append(out, Profile{ID: id, Name: rec.Name, ViewAllData: rec.PermissionsViewAllData})
		}
		return true, nil
	})
	return out, err
}

// ProfileUserCounts returns how many users each profile has (profiles
// without users are absent), counting only active or inactive users when
// active is set. It is one aggregate query, however many users the org has.
func (c *Client) ProfileUserCounts(ctx context.Context, active *bool) (map[string]int, error) {
	soql := "SELECT ProfileId, COUNT(Id) cnt FROM User"
	if active != nil {
		soql += fmt.Sprintf(" WHERE IsActive = %t", *active)
	}
	soql += " GROUP BY ProfileId"
	out := map[string]int{}
	err := c.pages(ctx, soql, func(page *queryPage) (bool, error) {
		for _, raw := range page.Records {
			var rec struct {
				ProfileID string `json:"ProfileId"`
				Count     int    `json:"cnt"`
			}
			if err := json.Unmarshal(raw, &rec); err != nil {
				return false, fmt.Errorf("salesforce: decoding an AggregateResult record: %w", err)
			}
			if id, err := sfid.Normalize(rec.ProfileID); err == nil {
				out[id] += rec.Count
			}
		}
		return true, nil
	})
	return out, err
}

// Organization reads the org record. It is the cheapest authorized call,
// so it doubles as a health check.
func (c *Client) Organization(ctx context.Context) (Organization, error) {
	var out []Organization
	err := c.pages(ctx, "SELECT Id, Name, IsSandbox FROM Organization LIMIT 1", func(page *queryPage) (bool, error) {
		for _, raw := range page.Records {
			var rec struct {
				ID        string `json:"Id"`
				Name      string `json:"Name"`
				IsSandbox bool   `json:"IsSandbox"`
			}
			if err := json.Unmarshal(raw, &rec); err != nil {
				return false, fmt.Errorf("salesforce: decoding the Organization record: %w", err)
			}
			id, err := sfid.Normalize(rec.ID)
			if err != nil {
				id = rec.ID
			}
			out = append(out, Organization{ID: id, Name: rec.Name, IsSandbox: rec.IsSandbox})
		}
		return true, nil
	})
	if err != nil {
		return Organization{}, err
	}
	if len(out) == 0 {
		return Organization{}, fmt.Errorf("salesforce: organization record: %w", ErrNotFound)
	}
	return out[0], nil
}
