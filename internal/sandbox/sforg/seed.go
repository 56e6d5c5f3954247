package sforg

import (
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"strings"
	"time"

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
	ds := newDataset(org, nil, nil, nil)
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
	ds = newDataset(org, nil, profiles, ds.roles)

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
	o.data = newDataset(org, users, profiles, ds.roles)
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

func findUsername(ds *dataset, username string) *userRow {
	for _, u := range ds.users {
		if strings.EqualFold(u.Username, username) {
			return u
		}
	}
	return nil
}
