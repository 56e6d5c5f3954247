package sforg

import (
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"

	"github.com/salesseat/terraform-provider-salesseat/internal/sfid"
)

// userRow, profileRow, roleRow and orgRow are the stored records. They are
// immutable once published in a dataset: a change replaces the row.
type userRow struct {
	ID, Username, Email, FirstName, LastName string
	Active                                   bool
	ProfileID, RoleID                        string
}

type profileRow struct {
	ID, Name    string
	ViewAllData bool
}

type roleRow struct {
	ID, Name string
}

type orgRow struct {
	ID, Name  string
	IsSandbox bool
}

// groupRow is a group; Type is "Regular" for a public group.
type groupRow struct {
	ID, Name, DeveloperName, Type string
}

// groupTypeRegular is the Type of a public group.
const groupTypeRegular = "Regular"

// groupMemberRow puts a user (or a group) into a group.
type groupMemberRow struct {
	ID, GroupID, UserOrGroupID string
}

// dataset is an immutable snapshot of one org's records. Every change builds
// a new dataset, so a query (and its cursor) reads one consistent snapshot
// without holding a lock, as Salesforce query cursors do.
type dataset struct {
	org         *orgRow
	users       []*userRow // sorted by ID
	userByID    map[string]*userRow
	profiles    []*profileRow // sorted by ID
	profileByID map[string]*profileRow
	roles       []*roleRow // sorted by ID
	roleByID    map[string]*roleRow
	groups      []*groupRow // sorted by ID
	groupByID   map[string]*groupRow
	members     []*groupMemberRow // sorted by ID
	memberByID  map[string]*groupMemberRow
}

// tables are the records a dataset is built from.
type tables struct {
	users    []*userRow
	profiles []*profileRow
	roles    []*roleRow
	groups   []*groupRow
	members  []*groupMemberRow
}

func newDataset(org *orgRow, t tables) *dataset {
	ds := &dataset{
		org:         org,
		users:       sortedByID(t.users, func(u *userRow) string { return u.ID }),
		profiles:    sortedByID(t.profiles, func(p *profileRow) string { return p.ID }),
		roles:       sortedByID(t.roles, func(r *roleRow) string { return r.ID }),
		groups:      sortedByID(t.groups, func(g *groupRow) string { return g.ID }),
		members:     sortedByID(t.members, func(m *groupMemberRow) string { return m.ID }),
		userByID:    make(map[string]*userRow, len(t.users)),
		profileByID: make(map[string]*profileRow, len(t.profiles)),
		roleByID:    make(map[string]*roleRow, len(t.roles)),
		groupByID:   make(map[string]*groupRow, len(t.groups)),
		memberByID:  make(map[string]*groupMemberRow, len(t.members)),
	}
	for _, u := range ds.users {
		ds.userByID[u.ID] = u
	}
	for _, p := range ds.profiles {
		ds.profileByID[p.ID] = p
	}
	for _, r := range ds.roles {
		ds.roleByID[r.ID] = r
	}
	for _, g := range ds.groups {
		ds.groupByID[g.ID] = g
	}
	for _, m := range ds.members {
		ds.memberByID[m.ID] = m
	}
	return ds
}

// sortedByID returns a copy of rows sorted by ID; the caller's slice, which
// may be shared with a published dataset, is left alone.
func sortedByID[T any](rows []*T, id func(*T) string) []*T {
	out := append([]*T(nil), rows...)
	sort.Slice(out, func(i, j int) bool { return id(out[i]) < id(out[j]) })
	return out
}

// withUser returns a copy of ds in which u is added or replaces the user with
// the same ID.
func (ds *dataset) withUser(u *userRow) *dataset {
	next := *ds
	next.users, next.userByID = putRow(ds.users, ds.userByID, u, func(r *userRow) string { return r.ID })
	return &next
}

// withProfile returns a copy of ds in which p is added or replaces the
// profile with the same ID.
func (ds *dataset) withProfile(p *profileRow) *dataset {
	next := *ds
	next.profiles, next.profileByID = putRow(ds.profiles, ds.profileByID, p, func(r *profileRow) string { return r.ID })
	return &next
}

// withRole returns a copy of ds with role r added.
func (ds *dataset) withRole(r *roleRow) *dataset {
	next := *ds
	next.roles, next.roleByID = putRow(ds.roles, ds.roleByID, r, func(r *roleRow) string { return r.ID })
	return &next
}

// withGroup returns a copy of ds in which g is added or replaces the group
// with the same ID.
func (ds *dataset) withGroup(g *groupRow) *dataset {
	next := *ds
	next.groups, next.groupByID = putRow(ds.groups, ds.groupByID, g, func(r *groupRow) string { return r.ID })
	return &next
}

// withGroupMember returns a copy of ds in which membership m is added or
// replaces the membership with the same ID.
func (ds *dataset) withGroupMember(m *groupMemberRow) *dataset {
	next := *ds
	next.members, next.memberByID = putRow(ds.members, ds.memberByID, m, func(r *groupMemberRow) string { return r.ID })
	return &next
}

// withoutGroupMember returns a copy of ds without the membership whose ID
// is id.
func (ds *dataset) withoutGroupMember(id string) *dataset {
	next := *ds
	next.members = make([]*groupMemberRow, 0, len(ds.members))
	for _, m := range ds.members {
		if m.ID != id {
			next.members = append(next.members, m)
		}
	}
	next.memberByID = maps.Clone(ds.memberByID)
	delete(next.memberByID, id)
	return &next
}

// putRow returns copies of a table sorted by ID and of its index, in which
// row is added or replaces the row with the same ID. The originals, which a
// published dataset may share, are left alone.
func putRow[T any](rows []*T, byID map[string]*T, row *T, id func(*T) string) ([]*T, map[string]*T) {
	key := id(row)
	out := make([]*T, 0, len(rows)+1)
	out = append(out, rows...)
	i := sort.Search(len(out), func(i int) bool { return id(out[i]) >= key })
	if i < len(out) && id(out[i]) == key {
		out[i] = row
	} else {
		out = slices.Insert(out, i, row)
	}
	index := make(map[string]*T, len(byID)+1)
	maps.Copy(index, byID)
	index[key] = row
	return out, index
}

// membersOf returns the memberships of a group, in ID order.
func (ds *dataset) membersOf(groupID string) []*groupMemberRow {
	var out []*groupMemberRow
	for _, m := range ds.members {
		if m.GroupID == groupID {
			out = append(out, m)
		}
	}
	return out
}

func (ds *dataset) groupByDeveloperName(name string) *groupRow {
	for _, g := range ds.groups {
		if strings.EqualFold(g.DeveloperName, name) {
			return g
		}
	}
	return nil
}

func (ds *dataset) roleByName(name string) *roleRow {
	for _, r := range ds.roles {
		if strings.EqualFold(r.Name, name) {
			return r
		}
	}
	return nil
}

// fieldType is the SOAP type of a field, which decides the operators and
// literals a filter on it accepts.
type fieldType int

const (
	typeID fieldType = iota
	typeReference
	typeString
	typeBoolean
)

// fieldDef describes one queryable field of an object.
type fieldDef struct {
	name  string
	typ   fieldType
	get   func(ds *dataset, row any) any // string, bool or nil (Salesforce stores "" as null)
	refTo []string                       // typeReference: the objects the field may point to
}

// relDef describes a lookup relationship (User.Profile -> Profile).
type relDef struct {
	name   string
	target *objectDef
	get    func(ds *dataset, row any) any // the related row, or nil
}

// pointsTo returns the objects an Id (the owner itself) or reference field
// points to.
func (d *fieldDef) pointsTo(owner *objectDef) []string {
	if d.typ == typeID {
		return []string{owner.name}
	}
	return d.refTo
}

// objectDef describes one sObject type.
type objectDef struct {
	name      string
	keyPrefix string
	fields    map[string]*fieldDef // by lower-case name
	rels      map[string]*relDef   // by lower-case name
	rows      func(ds *dataset) []any
	id        func(row any) string
}

func nullable(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// as returns row as a *T. The schema only hands a getter rows of its own
// object, so a mismatch is a programming error.
func as[T any](row any) *T {
	v, ok := row.(*T)
	if !ok {
		panic(fmt.Sprintf("sforg: schema read a %T as a %T", row, v))
	}
	return v
}

// objects is the schema of the simulated org, by lower-case name.
var objects = buildSchema()

// rowsOf turns a table of typed rows into the untyped rows the evaluator scans.
func rowsOf[T any](table []T) []any {
	out := make([]any, len(table))
	for i, row := range table {
		out[i] = row
	}
	return out
}

func buildSchema() map[string]*objectDef {
	org := &objectDef{
		name: "Organization", keyPrefix: sfid.Organization.Prefix,
		rows: func(ds *dataset) []any { return []any{ds.org} },
		id:   func(row any) string { return as[orgRow](row).ID },
	}
	org.fields = fieldMap(
		&fieldDef{name: "Id", typ: typeID, get: func(_ *dataset, r any) any { return as[orgRow](r).ID }},
		&fieldDef{name: "Name", typ: typeString, get: func(_ *dataset, r any) any { return nullable(as[orgRow](r).Name) }},
		&fieldDef{name: "IsSandbox", typ: typeBoolean, get: func(_ *dataset, r any) any { return as[orgRow](r).IsSandbox }},
	)
	org.rels = map[string]*relDef{}

	profile := &objectDef{
		name: "Profile", keyPrefix: sfid.Profile.Prefix,
		rows: func(ds *dataset) []any { return rowsOf(ds.profiles) },
		id:   func(row any) string { return as[profileRow](row).ID },
	}
	profile.fields = fieldMap(
		&fieldDef{name: "Id", typ: typeID, get: func(_ *dataset, r any) any { return as[profileRow](r).ID }},
		&fieldDef{name: "Name", typ: typeString, get: func(_ *dataset, r any) any { return nullable(as[profileRow](r).Name) }},
		&fieldDef{name: "PermissionsViewAllData", typ: typeBoolean, get: func(_ *dataset, r any) any { return as[profileRow](r).ViewAllData }},
	)
	profile.rels = map[string]*relDef{}

	role := &objectDef{
		name: "UserRole", keyPrefix: sfid.UserRole.Prefix,
		rows: func(ds *dataset) []any { return rowsOf(ds.roles) },
		id:   func(row any) string { return as[roleRow](row).ID },
	}
	role.fields = fieldMap(
		&fieldDef{name: "Id", typ: typeID, get: func(_ *dataset, r any) any { return as[roleRow](r).ID }},
		&fieldDef{name: "Name", typ: typeString, get: func(_ *dataset, r any) any { return nullable(as[roleRow](r).Name) }},
	)
	role.rels = map[string]*relDef{}

	user := &objectDef{
		name: "User", keyPrefix: sfid.User.Prefix,
		rows: func(ds *dataset) []any { return rowsOf(ds.users) },
		id:   func(row any) string { return as[userRow](row).ID },
	}
	user.fields = fieldMap(
		&fieldDef{name: "Id", typ: typeID, get: func(_ *dataset, r any) any { return as[userRow](r).ID }},
		&fieldDef{name: "Username", typ: typeString, get: func(_ *dataset, r any) any { return nullable(as[userRow](r).Username) }},
		&fieldDef{name: "Email", typ: typeString, get: func(_ *dataset, r any) any { return nullable(as[userRow](r).Email) }},
		&fieldDef{name: "FirstName", typ: typeString, get: func(_ *dataset, r any) any { return nullable(as[userRow](r).FirstName) }},
		&fieldDef{name: "LastName", typ: typeString, get: func(_ *dataset, r any) any { return nullable(as[userRow](r).LastName) }},
		&fieldDef{name: "Name", typ: typeString, get: func(_ *dataset, r any) any { return nullable(userFullName(as[userRow](r))) }},
		&fieldDef{name: "IsActive", typ: typeBoolean, get: func(_ *dataset, r any) any { return as[userRow](r).Active }},
		&fieldDef{name: "ProfileId", typ: typeReference, refTo: []string{"Profile"}, get: func(_ *dataset, r any) any { return nullable(as[userRow](r).ProfileID) }},
		&fieldDef{name: "UserRoleId", typ: typeReference, refTo: []string{"UserRole"}, get: func(_ *dataset, r any) any { return nullable(as[userRow](r).RoleID) }},
	)
	user.rels = map[string]*relDef{
		"profile": {name: "Profile", target: profile, get: func(ds *dataset, r any) any {
			if p, ok := ds.profileByID[as[userRow](r).ProfileID]; ok {
				return p
			}
			return nil
		}},
		"userrole": {name: "UserRole", target: role, get: func(ds *dataset, r any) any {
			if ro, ok := ds.roleByID[as[userRow](r).RoleID]; ok {
				return ro
			}
			return nil
		}},
	}

	group := &objectDef{
		name: "Group", keyPrefix: sfid.Group.Prefix,
		rows: func(ds *dataset) []any { return rowsOf(ds.groups) },
		id:   func(row any) string { return as[groupRow](row).ID },
	}
	group.fields = fieldMap(
		&fieldDef{name: "Id", typ: typeID, get: func(_ *dataset, r any) any { return as[groupRow](r).ID }},
		&fieldDef{name: "Name", typ: typeString, get: func(_ *dataset, r any) any { return nullable(as[groupRow](r).Name) }},
		&fieldDef{name: "DeveloperName", typ: typeString, get: func(_ *dataset, r any) any { return nullable(as[groupRow](r).DeveloperName) }},
		&fieldDef{name: "Type", typ: typeString, get: func(_ *dataset, r any) any { return nullable(as[groupRow](r).Type) }},
	)
	group.rels = map[string]*relDef{}

	member := &objectDef{
		name: "GroupMember", keyPrefix: sfid.GroupMember.Prefix,
		rows: func(ds *dataset) []any { return rowsOf(ds.members) },
		id:   func(row any) string { return as[groupMemberRow](row).ID },
	}
	member.fields = fieldMap(
		&fieldDef{name: "Id", typ: typeID, get: func(_ *dataset, r any) any { return as[groupMemberRow](r).ID }},
		&fieldDef{name: "GroupId", typ: typeReference, refTo: []string{"Group"}, get: func(_ *dataset, r any) any { return nullable(as[groupMemberRow](r).GroupID) }},
		// UserOrGroupId is polymorphic: a user, or a group nested in the group.
		&fieldDef{name: "UserOrGroupId", typ: typeReference, refTo: []string{"User", "Group"}, get: func(_ *dataset, r any) any { return nullable(as[groupMemberRow](r).UserOrGroupID) }},
	)
	member.rels = map[string]*relDef{
		"group": {name: "Group", target: group, get: func(ds *dataset, r any) any {
			if g, ok := ds.groupByID[as[groupMemberRow](r).GroupID]; ok {
				return g
			}
			return nil
		}},
	}

	return map[string]*objectDef{"user": user, "profile": profile, "userrole": role, "organization": org, "group": group, "groupmember": member}
}

func fieldMap(defs ...*fieldDef) map[string]*fieldDef {
	m := make(map[string]*fieldDef, len(defs))
	for _, d := range defs {
		m[strings.ToLower(d.name)] = d
	}
	return m
}

// userFullName is the compound Name field: "First Last", or the last name
// alone.
func userFullName(u *userRow) string {
	return strings.TrimSpace(u.FirstName + " " + u.LastName)
}
