package sforg

import (
	"fmt"
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
}

func newDataset(org *orgRow, users []*userRow, profiles []*profileRow, roles []*roleRow) *dataset {
	ds := &dataset{
		org:         org,
		users:       users,
		profiles:    profiles,
		roles:       roles,
		userByID:    make(map[string]*userRow, len(users)),
		profileByID: make(map[string]*profileRow, len(profiles)),
		roleByID:    make(map[string]*roleRow, len(roles)),
	}
	sort.Slice(ds.users, func(i, j int) bool { return ds.users[i].ID < ds.users[j].ID })
	sort.Slice(ds.profiles, func(i, j int) bool { return ds.profiles[i].ID < ds.profiles[j].ID })
	sort.Slice(ds.roles, func(i, j int) bool { return ds.roles[i].ID < ds.roles[j].ID })
	for _, u := range users {
		ds.userByID[u.ID] = u
	}
	for _, p := range profiles {
		ds.profileByID[p.ID] = p
	}
	for _, r := range roles {
		ds.roleByID[r.ID] = r
	}
	return ds
}

// withUser returns a copy of ds in which u is added or replaces the user with
// the same ID.
func (ds *dataset) withUser(u *userRow) *dataset {
	users := make([]*userRow, 0, len(ds.users)+1)
	users = append(users, ds.users...)
	i := sort.Search(len(users), func(i int) bool { return users[i].ID >= u.ID })
	if i < len(users) && users[i].ID == u.ID {
		users[i] = u
	} else {
		users = append(users, nil)
		copy(users[i+1:], users[i:])
		users[i] = u
	}
	byID := make(map[string]*userRow, len(users))
	for k, v := range ds.userByID {
		byID[k] = v
	}
	byID[u.ID] = u
	next := *ds
	next.users, next.userByID = users, byID
	return &next
}

// withProfile returns a copy of ds in which p is added or replaces the
// profile with the same ID.
func (ds *dataset) withProfile(p *profileRow) *dataset {
	profiles := make([]*profileRow, 0, len(ds.profiles)+1)
	replaced := false
	for _, old := range ds.profiles {
		if old.ID == p.ID {
			profiles = append(profiles, p)
			replaced = true
			continue
		}
		profiles = append(profiles, old)
	}
	if !replaced {
		profiles = append(profiles, p)
	}
	return newDataset(ds.org, ds.users, profiles, ds.roles)
}

// withRole returns a copy of ds with role r added.
func (ds *dataset) withRole(r *roleRow) *dataset {
	roles := append(append([]*roleRow(nil), ds.roles...), r)
	return newDataset(ds.org, ds.users, ds.profiles, roles)
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
	name string
	typ  fieldType
	get  func(ds *dataset, row any) any // string, bool or nil (Salesforce stores "" as null)
}

// relDef describes a lookup relationship (User.Profile -> Profile).
type relDef struct {
	name   string
	target *objectDef
	get    func(ds *dataset, row any) any // the related row, or nil
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
		&fieldDef{name: "ProfileId", typ: typeReference, get: func(_ *dataset, r any) any { return nullable(as[userRow](r).ProfileID) }},
		&fieldDef{name: "UserRoleId", typ: typeReference, get: func(_ *dataset, r any) any { return nullable(as[userRow](r).RoleID) }},
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

	return map[string]*objectDef{"user": user, "profile": profile, "userrole": role, "organization": org}
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
