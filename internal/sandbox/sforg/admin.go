package sforg

import (
	"fmt"
	"strings"

	"github.com/salesseat/terraform-provider-salesseat/internal/sfid"
)

// UserPatch changes the non-nil fields of a user.
type UserPatch struct {
	Username     *string `json:"username,omitempty"`
	Email        *string `json:"email,omitempty"`
	FirstName    *string `json:"first_name,omitempty"`
	LastName     *string `json:"last_name,omitempty"`
	Active       *bool   `json:"active,omitempty"`
	ProfileID    *string `json:"profile_id,omitempty"`
	UserRoleName *string `json:"user_role,omitempty"`
}

// Users lists the users of an org, sorted by ID.
func (s *Server) Users(orgID string) ([]UserSeed, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	o, err := s.lookupOrg(orgID)
	if err != nil {
		return nil, err
	}
	out := make([]UserSeed, 0, len(o.data.users))
	for _, u := range o.data.users {
		out = append(out, userSeed(o.data, u))
	}
	return out, nil
}

// Profiles lists the profiles of an org, sorted by ID.
func (s *Server) Profiles(orgID string) ([]ProfileSeed, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	o, err := s.lookupOrg(orgID)
	if err != nil {
		return nil, err
	}
	out := make([]ProfileSeed, 0, len(o.data.profiles))
	for _, p := range o.data.profiles {
		out = append(out, ProfileSeed{ID: p.ID, Name: p.Name, ViewAllData: p.ViewAllData})
	}
	return out, nil
}

func userSeed(ds *dataset, u *userRow) UserSeed {
	seed := UserSeed{ID: u.ID, Username: u.Username, Email: u.Email, FirstName: u.FirstName, LastName: u.LastName, Active: u.Active, ProfileID: u.ProfileID}
	if r := ds.roleByID[u.RoleID]; r != nil {
		seed.UserRoleName = r.Name
	}
	return seed
}

// AddUser creates a user in the org and returns it as stored (ID minted
// when empty, IDs in 18-character form).
func (s *Server) AddUser(orgID string, u UserSeed) (UserSeed, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	o, err := s.lookupOrg(orgID)
	if err != nil {
		return UserSeed{}, err
	}
	ds := o.data
	row, role, err := o.userFromSeed(ds, u, "user")
	if err != nil {
		return UserSeed{}, err
	}
	if row.ID == "" {
		row.ID = o.mint(sfid.User, func(id string) bool { return ds.userByID[id] != nil })
	} else if ds.userByID[row.ID] != nil {
		return UserSeed{}, fmt.Errorf("%w: user.id %s already exists in org %s", ErrConflict, row.ID, o.id)
	}
	key := strings.ToLower(row.Username)
	if other, taken := s.usernames[key]; taken {
		return UserSeed{}, fmt.Errorf("%w: user.username %q is already used in org %s; usernames are unique across all of Salesforce", ErrConflict, row.Username, other)
	}
	if role != nil {
		ds = ds.withRole(role)
	}
	ds = ds.withUser(row)
	o.data = ds
	s.usernames[key] = o.id
	return userSeed(ds, row), nil
}

// UpdateUser changes the non-nil fields of a user and returns it as stored.
// Deactivating a user ends its sessions.
func (s *Server) UpdateUser(orgID, userID string, p UserPatch) (UserSeed, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	o, err := s.lookupOrg(orgID)
	if err != nil {
		return UserSeed{}, err
	}
	id, _ := sfid.Normalize(userID)
	old := o.data.userByID[id]
	if old == nil {
		return UserSeed{}, fmt.Errorf("user %q in org %s: %w", userID, o.id, ErrNotFound)
	}
	seed := userSeed(o.data, old)
	if p.Username != nil {
		seed.Username = *p.Username
	}
	if p.Email != nil {
		seed.Email = *p.Email
	}
	if p.FirstName != nil {
		seed.FirstName = *p.FirstName
	}
	if p.LastName != nil {
		seed.LastName = *p.LastName
	}
	if p.Active != nil {
		seed.Active = *p.Active
	}
	if p.ProfileID != nil {
		seed.ProfileID = *p.ProfileID
	}
	if p.UserRoleName != nil {
		seed.UserRoleName = *p.UserRoleName
	}
	ds := o.data
	row, role, err := o.userFromSeed(ds, seed, "user")
	if err != nil {
		return UserSeed{}, err
	}
	oldKey, newKey := strings.ToLower(old.Username), strings.ToLower(row.Username)
	if oldKey != newKey {
		if other, taken := s.usernames[newKey]; taken {
			return UserSeed{}, fmt.Errorf("%w: user.username %q is already used in org %s; usernames are unique across all of Salesforce", ErrConflict, row.Username, other)
		}
		delete(s.usernames, oldKey)
		s.usernames[newKey] = o.id
	}
	if role != nil {
		ds = ds.withRole(role)
	}
	ds = ds.withUser(row)
	o.data = ds
	return userSeed(ds, row), nil
}

// AddProfile creates a profile in the org and returns it as stored.
func (s *Server) AddProfile(orgID string, p ProfileSeed) (ProfileSeed, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	o, err := s.lookupOrg(orgID)
	if err != nil {
		return ProfileSeed{}, err
	}
	ds := o.data
	row, err := profileFromSeed(p, "profile")
	if err != nil {
		return ProfileSeed{}, err
	}
	if row.ID == "" {
		row.ID = o.mint(sfid.Profile, func(id string) bool { return ds.profileByID[id] != nil })
	} else if ds.profileByID[row.ID] != nil {
		return ProfileSeed{}, fmt.Errorf("%w: profile.id %s already exists in org %s", ErrConflict, row.ID, o.id)
	}
	if err := checkProfileName(ds, row); err != nil {
		return ProfileSeed{}, err
	}
	o.data = ds.withProfile(row)
	return ProfileSeed{ID: row.ID, Name: row.Name, ViewAllData: row.ViewAllData}, nil
}

// UpdateProfile renames a profile and returns it as stored.
func (s *Server) UpdateProfile(orgID, profileID string, name string) (ProfileSeed, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	o, err := s.lookupOrg(orgID)
	if err != nil {
		return ProfileSeed{}, err
	}
	id, _ := sfid.Normalize(profileID)
	old := o.data.profileByID[id]
	if old == nil {
		return ProfileSeed{}, fmt.Errorf("profile %q in org %s: %w", profileID, o.id, ErrNotFound)
	}
	row, err := profileFromSeed(ProfileSeed{ID: old.ID, Name: name, ViewAllData: old.ViewAllData}, "profile")
	if err != nil {
		return ProfileSeed{}, err
	}
	if err := checkProfileName(o.data, row); err != nil {
		return ProfileSeed{}, err
	}
	o.data = o.data.withProfile(row)
	return ProfileSeed{ID: row.ID, Name: row.Name, ViewAllData: row.ViewAllData}, nil
}

func checkProfileName(ds *dataset, row *profileRow) error {
	for _, p := range ds.profiles {
		if p.ID != row.ID && strings.EqualFold(p.Name, row.Name) {
			return fmt.Errorf("%w: profile.name %q is already the name of profile %s; profile names are unique in an org", ErrConflict, row.Name, p.ID)
		}
	}
	return nil
}

// Groups lists the public groups of an org, sorted by ID, with their
// members in the order they were added.
func (s *Server) Groups(orgID string) ([]GroupSeed, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	o, err := s.lookupOrg(orgID)
	if err != nil {
		return nil, err
	}
	out := make([]GroupSeed, 0, len(o.data.groups))
	for _, g := range o.data.groups {
		out = append(out, groupSeed(o.data, g))
	}
	return out, nil
}

func groupSeed(ds *dataset, g *groupRow) GroupSeed {
	seed := GroupSeed{ID: g.ID, Name: g.Name, DeveloperName: g.DeveloperName, MemberIDs: []string{}}
	for _, m := range ds.membersOf(g.ID) {
		seed.MemberIDs = append(seed.MemberIDs, m.UserOrGroupID)
	}
	return seed
}

// AddGroup creates a public group in the org, with its members, and returns
// it as stored (ID minted when empty, IDs in 18-character form). Its API
// name must be free in the org and its members users of the org.
func (s *Server) AddGroup(orgID string, g GroupSeed) (GroupSeed, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	o, err := s.lookupOrg(orgID)
	if err != nil {
		return GroupSeed{}, err
	}
	ds := o.data
	row, userIDs, err := o.groupFromSeed(ds, g, "group")
	if err != nil {
		return GroupSeed{}, err
	}
	if row.ID == "" {
		row.ID = o.mint(sfid.Group, func(id string) bool { return ds.groupByID[id] != nil })
	} else if ds.groupByID[row.ID] != nil {
		return GroupSeed{}, fmt.Errorf("%w: group.id %s already exists in org %s", ErrConflict, row.ID, o.id)
	}
	if other := ds.groupByDeveloperName(row.DeveloperName); other != nil {
		return GroupSeed{}, fmt.Errorf("%w: group.developer_name %q is already the API name of group %s; group names are unique in an org", ErrConflict, row.DeveloperName, other.ID)
	}
	ds = ds.withGroup(row)
	for _, uid := range userIDs {
		ds = ds.withGroupMember(o.newMember(ds, row.ID, uid))
	}
	o.data = ds
	return groupSeed(ds, row), nil
}

// AddGroupMember makes a user of the org a direct member of one of its
// groups (15- or 18-character IDs) and returns the group as stored. Adding
// a member again changes nothing. An unknown group is ErrNotFound; a user
// ID that is malformed or not a user of the org is ErrInvalid.
func (s *Server) AddGroupMember(orgID, groupID, userID string) (GroupSeed, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	o, g, err := s.lookupGroup(orgID, groupID)
	if err != nil {
		return GroupSeed{}, err
	}
	ds := o.data
	uid, err := inputID(sfid.User, "user_id", userID)
	if err != nil {
		return GroupSeed{}, err
	}
	if ds.userByID[uid] == nil {
		return GroupSeed{}, fmt.Errorf("%w: user_id %s is not a user of org %s; add the user or fix the ID", ErrInvalid, uid, o.id)
	}
	if memberRow(ds, g.ID, uid) == nil {
		ds = ds.withGroupMember(o.newMember(ds, g.ID, uid))
		o.data = ds
	}
	return groupSeed(ds, g), nil
}

// RemoveGroupMember takes a user out of a group (15- or 18-character IDs)
// and returns the group as stored. An unknown group, or a user who is not
// a direct member of it, is ErrNotFound; a malformed user ID is ErrInvalid.
func (s *Server) RemoveGroupMember(orgID, groupID, userID string) (GroupSeed, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	o, g, err := s.lookupGroup(orgID, groupID)
	if err != nil {
		return GroupSeed{}, err
	}
	uid, err := inputID(sfid.User, "user_id", userID)
	if err != nil {
		return GroupSeed{}, err
	}
	m := memberRow(o.data, g.ID, uid)
	if m == nil {
		return GroupSeed{}, fmt.Errorf("user %s in group %s (%s) of org %s: %w", uid, g.ID, g.DeveloperName, o.id, ErrNotFound)
	}
	o.data = o.data.withoutGroupMember(m.ID)
	return groupSeed(o.data, g), nil
}

// lookupGroup finds an org and one of its groups by 15- or 18-character
// IDs; callers hold s.mu.
func (s *Server) lookupGroup(orgID, groupID string) (*org, *groupRow, error) {
	o, err := s.lookupOrg(orgID)
	if err != nil {
		return nil, nil, err
	}
	id, _ := sfid.Normalize(groupID)
	g := o.data.groupByID[id]
	if g == nil {
		return nil, nil, fmt.Errorf("group %q in org %s: %w", groupID, o.id, ErrNotFound)
	}
	return o, g, nil
}

// memberRow returns the membership of a user or group in a group, or nil.
func memberRow(ds *dataset, groupID, userOrGroupID string) *groupMemberRow {
	for _, m := range ds.members {
		if m.GroupID == groupID && m.UserOrGroupID == userOrGroupID {
			return m
		}
	}
	return nil
}

// newMember returns a membership with a fresh GroupMember ID.
func (o *org) newMember(ds *dataset, groupID, userOrGroupID string) *groupMemberRow {
	id := o.mint(sfid.GroupMember, func(id string) bool { return ds.memberByID[id] != nil })
	return &groupMemberRow{ID: id, GroupID: groupID, UserOrGroupID: userOrGroupID}
}
