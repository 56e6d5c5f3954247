package sforg

import (
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/salesseat/terraform-provider-salesseat/internal/sfid"
)

// OrgSeed describes one org to serve: its records and its connected app.
type OrgSeed struct {
	ID        string `json:"id"` // 15 or 18 characters, prefix 00D; minted when empty
	Name      string `json:"name"`
	IsSandbox bool   `json:"is_sandbox"`

	ConsumerKey    string `json:"consumer_key"`              // connected app consumer key (OAuth client_id, JWT iss)
	ConsumerSecret string `json:"consumer_secret,omitempty"` // checked when a client sends one
	CertificatePEM string `json:"certificate_pem,omitempty"` // X.509 certificate whose RSA key verifies JWT assertions

	Profiles      []ProfileSeed      `json:"profiles"`
	Users         []UserSeed         `json:"users"`
	Groups        []GroupSeed        `json:"groups"`
	RefreshTokens []RefreshTokenSeed `json:"refresh_tokens,omitempty"`
}

// ProfileSeed is a profile of an org.
type ProfileSeed struct {
	ID          string `json:"id"` // prefix 00e; minted when empty
	Name        string `json:"name"`
	ViewAllData bool   `json:"view_all_data"`
}

// UserSeed is a user of an org.
type UserSeed struct {
	ID           string `json:"id"` // prefix 005; minted when empty
	Username     string `json:"username"`
	Email        string `json:"email"`
	FirstName    string `json:"first_name"`
	LastName     string `json:"last_name"`
	Active       bool   `json:"active"`
	ProfileID    string `json:"profile_id"`
	UserRoleName string `json:"user_role"` // role created on first use; "" = no role
}

// GroupSeed is a public group of an org (a Group record of Type "Regular")
// and the users who are its direct members.
type GroupSeed struct {
	ID            string   `json:"id"`             // prefix 00G; minted when empty
	Name          string   `json:"name"`           // the label (Label in Setup > Public Groups)
	DeveloperName string   `json:"developer_name"` // the API name (Group Name in Setup); unique in the org
	MemberIDs     []string `json:"member_ids"`     // users of the org (prefix 005), in the order they were added
}

// RefreshTokenSeed is a refresh token issued to a user of the org before
// the simulation starts.
type RefreshTokenSeed struct {
	Token     string    `json:"token"`
	Username  string    `json:"username"`
	ExpiresAt time.Time `json:"expires_at,omitzero"` // zero = never
	Revoked   bool      `json:"revoked,omitempty"`
}

func buildOrg(i int, ost OrgState, usernames map[string]string) (*org, error) {
	field := fmt.Sprintf("orgs[%d]", i)
	o := &org{name: ost.Name, isSandbox: ost.IsSandbox, consumerKey: ost.ConsumerKey, consumerSecret: ost.ConsumerSecret,
		certPEM: ost.CertificatePEM, nextSeq: map[string]int{}}
	if ost.ID == "" {
		o.id = sfid.FromSeq(sfid.Organization.Prefix, "0s", i+1)
	} else {
		id, err := inputID(sfid.Organization, field+".id", ost.ID)
		if err != nil {
			return nil, err
		}
		o.id = id
	}
	if strings.TrimSpace(o.name) == "" {
		return nil, fmt.Errorf("%w: %s.name is empty; name the org", ErrInvalid, field)
	}
	if o.consumerKey == "" {
		return nil, fmt.Errorf("%w: %s.consumer_key is empty; set the connected app's consumer key", ErrInvalid, field)
	}
	if o.certPEM != "" {
		key, err := parseCertificateKey(o.certPEM)
		if err != nil {
			return nil, fmt.Errorf("%w: %s.certificate_pem: %w", ErrInvalid, field, err)
		}
		o.publicKey = key
	}

	org := &orgRow{ID: o.id, Name: o.name, IsSandbox: o.isSandbox}
	ds := newDataset(org, tables{})
	for _, r := range ost.Roles {
		id, err := inputID(sfid.UserRole, field+".roles.id", r.ID)
		if err != nil {
			return nil, err
		}
		if r.Name == "" || ds.roleByName(r.Name) != nil || ds.roleByID[id] != nil {
			return nil, fmt.Errorf("%w: %s.roles: role %s %q is empty or duplicated", ErrInvalid, field, id, r.Name)
		}
		ds = ds.withRole(&roleRow{ID: id, Name: r.Name})
	}
	profiles := make([]*profileRow, 0, len(ost.Profiles))
	profileNames := map[string]bool{}
	profileIDs := map[string]bool{}
	reservedProfiles := explicitIDs(len(ost.Profiles), func(i int) string { return ost.Profiles[i].ID })
	for j, p := range ost.Profiles {
		pf := fmt.Sprintf("%s.profiles[%d]", field, j)
		row, err := profileFromSeed(p, pf)
		if err != nil {
			return nil, err
		}
		if row.ID == "" {
			row.ID = o.mint(sfid.Profile, func(id string) bool { return profileIDs[id] || reservedProfiles[id] })
		}
		if profileIDs[row.ID] {
			return nil, fmt.Errorf("%w: %s.id %s is used twice", ErrConflict, pf, row.ID)
		}
		if profileNames[strings.ToLower(row.Name)] {
			return nil, fmt.Errorf("%w: %s.name %q is used twice; profile names are unique in an org", ErrConflict, pf, row.Name)
		}
		profileIDs[row.ID], profileNames[strings.ToLower(row.Name)] = true, true
		profiles = append(profiles, row)
	}
	ds = newDataset(org, tables{profiles: profiles, roles: ds.roles})

	users := make([]*userRow, 0, len(ost.Users))
	userIDs := make(map[string]bool, len(ost.Users))
	reservedUsers := explicitIDs(len(ost.Users), func(i int) string { return ost.Users[i].ID })
	for j, u := range ost.Users {
		uf := fmt.Sprintf("%s.users[%d]", field, j)
		row, role, err := o.userFromSeed(ds, u, uf)
		if err != nil {
			return nil, err
		}
		if role != nil {
			ds = ds.withRole(role)
		}
		if row.ID == "" {
			row.ID = o.mint(sfid.User, func(id string) bool { return userIDs[id] || reservedUsers[id] })
		}
		if userIDs[row.ID] {
			return nil, fmt.Errorf("%w: %s.id %s is used twice", ErrConflict, uf, row.ID)
		}
		key := strings.ToLower(row.Username)
		if other, taken := usernames[key]; taken {
			return nil, fmt.Errorf("%w: %s.username %q is already used in org %s; usernames are unique across all of Salesforce", ErrConflict, uf, row.Username, other)
		}
		usernames[key] = o.id
		userIDs[row.ID] = true
		users = append(users, row)
	}
	ds = newDataset(org, tables{users: users, profiles: profiles, roles: ds.roles})

	groups := make([]*groupRow, 0, len(ost.Groups))
	var members []*groupMemberRow
	groupIDs := map[string]bool{}
	groupNames := map[string]bool{}
	memberIDs := map[string]bool{}
	reservedGroups := explicitIDs(len(ost.Groups), func(i int) string { return ost.Groups[i].ID })
	for j, g := range ost.Groups {
		gf := fmt.Sprintf("%s.groups[%d]", field, j)
		row, userIDs, err := o.groupFromSeed(ds, g, gf)
		if err != nil {
			return nil, err
		}
		if row.ID == "" {
			row.ID = o.mint(sfid.Group, func(id string) bool { return groupIDs[id] || reservedGroups[id] })
		}
		if groupIDs[row.ID] {
			return nil, fmt.Errorf("%w: %s.id %s is used twice", ErrConflict, gf, row.ID)
		}
		if key := strings.ToLower(row.DeveloperName); groupNames[key] {
			return nil, fmt.Errorf("%w: %s.developer_name %q is used twice; group names are unique in an org", ErrConflict, gf, row.DeveloperName)
		}
		groupIDs[row.ID], groupNames[strings.ToLower(row.DeveloperName)] = true, true
		groups = append(groups, row)
		for _, uid := range userIDs {
			m := &groupMemberRow{ID: o.mint(sfid.GroupMember, func(id string) bool { return memberIDs[id] }), GroupID: row.ID, UserOrGroupID: uid}
			memberIDs[m.ID] = true
			members = append(members, m)
		}
	}
	o.data = newDataset(org, tables{users: users, profiles: profiles, roles: ds.roles, groups: groups, members: members})
	return o, nil
}

func parseCertificateKey(certPEM string) (*rsa.PublicKey, error) {
	block, _ := pem.Decode([]byte(certPEM))
	if block == nil || block.Type != "CERTIFICATE" {
		return nil, errors.New("not a PEM-encoded certificate (expected a \"-----BEGIN CERTIFICATE-----\" block)")
	}
	cert, err := x509.ParseCertificate(block.Bytes)
	if err != nil {
		return nil, fmt.Errorf("cannot parse the certificate: %w", err)
	}
	key, ok := cert.PublicKey.(*rsa.PublicKey)
	if !ok {
		return nil, fmt.Errorf("the certificate holds a %T key; Salesforce JWT bearer flow needs RSA (RS256)", cert.PublicKey)
	}
	return key, nil
}

func profileFromSeed(p ProfileSeed, field string) (*profileRow, error) {
	row := &profileRow{Name: strings.TrimSpace(p.Name), ViewAllData: p.ViewAllData}
	if p.ID != "" {
		id, err := inputID(sfid.Profile, field+".id", p.ID)
		if err != nil {
			return nil, err
		}
		row.ID = id
	}
	if row.Name == "" {
		return nil, fmt.Errorf("%w: %s.name is empty; name the profile", ErrInvalid, field)
	}
	return row, nil
}

// userFromSeed checks a user against the org's profiles and returns the
// row (ID empty when the seed has none) and the role to create, if new.
func (o *org) userFromSeed(ds *dataset, u UserSeed, field string) (*userRow, *roleRow, error) {
	row := &userRow{Username: strings.TrimSpace(u.Username), Email: strings.TrimSpace(u.Email), FirstName: u.FirstName, LastName: u.LastName, Active: u.Active}
	if u.ID != "" {
		id, err := inputID(sfid.User, field+".id", u.ID)
		if err != nil {
			return nil, nil, err
		}
		row.ID = id
	}
	if !strings.Contains(row.Username, "@") {
		return nil, nil, fmt.Errorf("%w: %s.username %q must be in the form of an email address (for example jane@acme.com)", ErrInvalid, field, row.Username)
	}
	if !strings.Contains(row.Email, "@") {
		return nil, nil, fmt.Errorf("%w: %s.email %q must be an email address", ErrInvalid, field, row.Email)
	}
	if strings.TrimSpace(row.LastName) == "" {
		return nil, nil, fmt.Errorf("%w: %s.last_name is empty; Salesforce requires a last name", ErrInvalid, field)
	}
	pid, err := inputID(sfid.Profile, field+".profile_id", u.ProfileID)
	if err != nil {
		return nil, nil, err
	}
	if ds.profileByID[pid] == nil {
		return nil, nil, fmt.Errorf("%w: %s.profile_id %s is not a profile of org %s; add the profile or fix the ID", ErrInvalid, field, pid, o.id)
	}
	row.ProfileID = pid
	var role *roleRow
	if name := strings.TrimSpace(u.UserRoleName); name != "" {
		if r := ds.roleByName(name); r != nil {
			row.RoleID = r.ID
		} else {
			role = &roleRow{ID: o.mint(sfid.UserRole, func(id string) bool { return ds.roleByID[id] != nil }), Name: name}
			row.RoleID = role.ID
		}
	}
	return row, role, nil
}

// groupFromSeed checks a group against the org's users and returns the row
// (ID empty when the seed has none) and its members' 18-character IDs, in
// the seed's order. Whether the ID and the API name are free is for the
// caller to check.
func (o *org) groupFromSeed(ds *dataset, g GroupSeed, field string) (*groupRow, []string, error) {
	row := &groupRow{Name: strings.TrimSpace(g.Name), DeveloperName: strings.TrimSpace(g.DeveloperName), Type: groupTypeRegular}
	if g.ID != "" {
		id, err := inputID(sfid.Group, field+".id", g.ID)
		if err != nil {
			return nil, nil, err
		}
		row.ID = id
	}
	if row.Name == "" {
		return nil, nil, fmt.Errorf("%w: %s.name is empty; give the group a label (Label in Setup > Public Groups)", ErrInvalid, field)
	}
	if row.DeveloperName == "" {
		return nil, nil, fmt.Errorf("%w: %s.developer_name is empty; give the group an API name (Group Name in Setup > Public Groups), for example West_Sales", ErrInvalid, field)
	}
	if reason := developerNameProblem(row.DeveloperName); reason != "" {
		return nil, nil, fmt.Errorf("%w: %s.developer_name %q %s", ErrInvalid, field, row.DeveloperName, reason)
	}
	ids := make([]string, 0, len(g.MemberIDs))
	seen := make(map[string]bool, len(g.MemberIDs))
	for k, m := range g.MemberIDs {
		mf := fmt.Sprintf("%s.member_ids[%d]", field, k)
		id, err := inputID(sfid.User, mf, m)
		if err != nil {
			return nil, nil, err
		}
		if ds.userByID[id] == nil {
			return nil, nil, fmt.Errorf("%w: %s %s is not a user of org %s; add the user or fix the ID", ErrInvalid, mf, id, o.id)
		}
		if seen[id] {
			return nil, nil, fmt.Errorf("%w: %s %s is listed twice; a user is a member of a group once", ErrConflict, mf, id)
		}
		seen[id] = true
		ids = append(ids, id)
	}
	return row, ids, nil
}

// developerNameProblem says what is wrong with a group's API name by
// Salesforce's rules, or returns "" when nothing is.
func developerNameProblem(name string) string {
	const rules = "; an API name begins with a letter, contains only letters, digits and underscores, and has no two underscores in a row and no underscore at the end (for example West_Sales)"
	isLetter := func(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }
	if !isLetter(name[0]) {
		return "does not begin with a letter" + rules
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		if ok := isLetter(c) || c >= '0' && c <= '9' || c == '_'; !ok {
			r, _ := utf8.DecodeRuneInString(name[i:])
			return fmt.Sprintf("contains %q", r) + rules
		}
	}
	switch {
	case strings.Contains(name, "__"):
		return "contains two underscores in a row" + rules
	case strings.HasSuffix(name, "_"):
		return "ends with an underscore" + rules
	}
	return ""
}

func findUsername(ds *dataset, username string) *userRow {
	for _, u := range ds.users {
		if strings.EqualFold(u.Username, username) {
			return u
		}
	}
	return nil
}
