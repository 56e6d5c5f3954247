package sforg

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/salesseat/terraform-provider-salesseat/internal/sfid"
)

// id18 returns the 18-character form of a 15-character test ID.
func id18(t testing.TB, short string) string {
	t.Helper()
	id, err := sfid.Normalize(short)
	if err != nil {
		t.Fatalf("bad test ID %q: %v", short, err)
	}
	return id
}

// soqlSeed is a small org whose users exercise every operator:
//
//	#  username                   first  last        active profile  role
//	1  admin@acme.com             Ada    Admin       yes    Admin    CEO
//	2  jane.doe@acme.com          Jane   Doe         yes    Sales    West
//	3  john.smith@acme.com        John   Smith       no     Sales    East
//	4  o'brien@acme.com           -      O'Brien     yes    Mktg     -
//	5  under_score@example.org    Uma    Underscore  yes    Sales    West
//	6  percent%off@example.org    Perry  Cent        no     Mktg     -
//	7  back\slash@example.org     Bea    Slash       yes    Mktg     -
//	8  JANE.ROE@ACME.COM          Jane   Roe         yes    Sales    West
//
// and these public groups:
//
//	#  API name    label        members
//	1  West_Sales  West Sales   2, 5, 8
//	2  Marketing   Marketing    4, 6, 7
//	3  Team_Leads  Team Leads   1, 2
//	4  Empty       Nobody Yet   -
func soqlSeed() OrgSeed {
	user := func(n int, username, first, last string, active bool, profile int, role string) UserSeed {
		return UserSeed{
			ID: fmt.Sprintf("0050000000000%02d", n), Username: username, Email: strings.ToLower(username),
			FirstName: first, LastName: last, Active: active, ProfileID: fmt.Sprintf("00e0000000000%02d", profile), UserRoleName: role,
		}
	}
	return OrgSeed{
		ID: "00D000000000001", Name: "Acme", ConsumerKey: "ck-acme", ConsumerSecret: "cs-acme",
		Profiles: []ProfileSeed{
			{ID: "00e000000000001", Name: "System Administrator", ViewAllData: true},
			{ID: "00e000000000002", Name: "Sales Rep"},
			{ID: "00e000000000003", Name: "Marketing User"},
		},
		Users: []UserSeed{
			user(1, "admin@acme.com", "Ada", "Admin", true, 1, "CEO"),
			user(2, "jane.doe@acme.com", "Jane", "Doe", true, 2, "West"),
			user(3, "john.smith@acme.com", "John", "Smith", false, 2, "East"),
			user(4, "o'brien@acme.com", "", "O'Brien", true, 3, ""),
			user(5, "under_score@example.org", "Uma", "Underscore", true, 2, "West"),
			user(6, "percent%off@example.org", "Perry", "Cent", false, 3, ""),
			user(7, `back\slash@example.org`, "Bea", "Slash", true, 3, ""),
			user(8, "JANE.ROE@ACME.COM", "Jane", "Roe", true, 2, "West"),
		},
		Groups: []GroupSeed{
			{ID: "00G000000000001", Name: "West Sales", DeveloperName: "West_Sales", MemberIDs: []string{"005000000000002", "005000000000005AAA", "005000000000008"}},
			{ID: "00G000000000002", Name: "Marketing", DeveloperName: "Marketing", MemberIDs: []string{"005000000000004", "005000000000006", "005000000000007"}},
			{ID: "00G000000000003", Name: "Team Leads", DeveloperName: "Team_Leads", MemberIDs: []string{"005000000000001", "005000000000002"}},
			{ID: "00G000000000004", Name: "Nobody Yet", DeveloperName: "Empty"},
		},
	}
}

func soqlDataset(t testing.TB) *dataset {
	t.Helper()
	s, err := New([]OrgSeed{soqlSeed()}, Options{})
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return s.orgs[s.order[0]].data
}

// runSOQL executes q and returns every record decoded.
func runSOQL(t testing.TB, ds *dataset, q string) ([]map[string]any, int, *QueryError) {
	t.Helper()
	res, qerr := execute(q, ds)
	if qerr != nil {
		return nil, 0, qerr
	}
	var page struct {
		TotalSize int              `json:"totalSize"`
		Records   []map[string]any `json:"records"`
	}
	body := renderPage(res, 0, res.size+1, "63.0", "query", "")
	if err := json.Unmarshal(body, &page); err != nil {
		t.Fatalf("rendered page is not JSON: %v\n%s", err, body)
	}
	return page.Records, page.TotalSize, nil
}

// userNumbers maps records back to the seed numbers of the table above.
func userNumbers(t testing.TB, recs []map[string]any) []int {
	t.Helper()
	out := []int{}
	for _, r := range recs {
		id, _ := r["Id"].(string)
		var n int
		if _, err := fmt.Sscanf(id[3:15], "%d", &n); err != nil {
			t.Fatalf("record without a test Id: %v", r)
		}
		out = append(out, n)
	}
	return out
}

func TestSOQLSelectsTheRightUsers(t *testing.T) {
	ds := soqlDataset(t)
	all := []int{1, 2, 3, 4, 5, 6, 7, 8}
	cases := map[string]struct {
		where string // appended to "SELECT Id, Username FROM User "
		want  []int
	}{
		"no filter":                   {"", all},
		"= ignores case":              {"WHERE Email = 'JANE.DOE@acme.com'", []int{2}},
		"!=":                          {"WHERE IsActive != true", []int{3, 6}},
		"<> is !=":                    {"WHERE IsActive <> true", []int{3, 6}},
		"< on text":                   {"WHERE LastName < 'D'", []int{1, 6}},
		"<= on text ignores case":     {"WHERE LastName <= 'doe'", []int{1, 2, 6}},
		"> on text":                   {"WHERE LastName > 'smith'", []int{5}},
		">= on text":                  {"WHERE LastName >= 'Smith'", []int{3, 5}},
		"IN ignores case":             {"WHERE Username IN ('jane.doe@acme.com', 'JOHN.SMITH@ACME.COM')", []int{2, 3}},
		"NOT IN on relationship":      {"WHERE Profile.Name NOT IN ('Sales Rep', 'Marketing User')", []int{1}},
		"IN with null":                {"WHERE UserRole.Name IN (null, 'CEO')", []int{1, 4, 6, 7}},
		"LIKE prefix ignores case":    {"WHERE Username LIKE 'jane%'", []int{2, 8}},
		"LIKE _ matches one char":     {"WHERE FirstName LIKE 'J_ne'", []int{2, 8}},
		"LIKE _ needs a char":         {"WHERE FirstName LIKE 'Jane_'", nil},
		"LIKE unescaped _":            {"WHERE Username LIKE '%_%'", all},
		`LIKE \_ is literal`:          {`WHERE Username LIKE '%\_%'`, []int{5}},
		`LIKE \% is literal`:          {`WHERE Username LIKE '%\%%'`, []int{6}},
		"LIKE whole value":            {"WHERE LastName LIKE 'doe'", []int{2}},
		"LIKE suffix":                 {"WHERE Email LIKE '%@example.org'", []int{5, 6, 7}},
		"LIKE on compound Name":       {"WHERE Name LIKE 'jane d%'", []int{2}},
		"LIKE backtracks":             {"WHERE Username LIKE '%n%e%@acme.com'", []int{2, 8}},
		`escaped quote`:               {`WHERE LastName = 'O\'Brien'`, []int{4}},
		`escaped backslash`:           {`WHERE Username = 'back\\slash@example.org'`, []int{7}},
		`unicode escape`:              {`WHERE FirstName = '\u0042ea'`, []int{7}},
		`newline escape`:              {`WHERE LastName = 'a\nb'`, nil},
		"= null":                      {"WHERE FirstName = null", []int{4}},
		"!= null":                     {"WHERE FirstName != null", []int{1, 2, 3, 5, 6, 7, 8}},
		"null relationship":           {"WHERE UserRole.Name = null", []int{4, 6, 7}},
		"boolean false":               {"WHERE IsActive = FALSE", []int{3, 6}},
		"boolean through relation":    {"WHERE Profile.PermissionsViewAllData = true", []int{1}},
		"15-character Id":             {"WHERE Id = '005000000000002'", []int{2}},
		"Id >":                        {"WHERE Id > '005000000000006'", []int{7, 8}},
		"Id <=":                       {"WHERE Id <= '005000000000002'", []int{1, 2}},
		"reference IN":                {"WHERE ProfileId IN ('00e000000000003')", []int{4, 6, 7}},
		"empty Id literal is null":    {"WHERE UserRoleId = ''", []int{4, 6, 7}},
		"AND":                         {"WHERE IsActive = true AND Profile.Name = 'Sales Rep'", []int{2, 5, 8}},
		"OR":                          {"WHERE LastName = 'Doe' OR LastName = 'Roe'", []int{2, 8}},
		"NOT":                         {"WHERE NOT IsActive = true", []int{3, 6}},
		"NOT binds tighter than AND":  {"WHERE NOT IsActive = true AND Profile.Name = 'Sales Rep'", []int{3}},
		"parentheses group OR":        {"WHERE IsActive = true AND (LastName = 'Doe' OR LastName = 'Admin')", []int{1, 2}},
		"NOT over parentheses":        {"WHERE NOT (LastName = 'Doe' OR IsActive = false)", []int{1, 4, 5, 7, 8}},
		"nested parentheses":          {"WHERE ((LastName = 'Doe'))", []int{2}},
		"OR of ANDs":                  {"WHERE (IsActive = false AND LastName = 'Cent') OR (IsActive = true AND LastName = 'Admin')", []int{1, 6}},
		"keywords ignore case":        {"where isactive = TRUE and profile.name = 'sales rep' order by id limit 1", []int{2}},
		"object-qualified field":      {"WHERE User.Id = '005000000000001'", []int{1}},
		"ORDER BY text":               {"ORDER BY LastName", []int{1, 6, 2, 4, 8, 7, 3, 5}},
		"ORDER BY DESC":               {"ORDER BY LastName DESC", []int{5, 3, 7, 8, 4, 2, 6, 1}},
		"nulls first by default":      {"ORDER BY FirstName", []int{4, 1, 7, 2, 8, 3, 6, 5}},
		"nulls first also when DESC":  {"ORDER BY FirstName DESC", []int{4, 5, 6, 3, 2, 8, 7, 1}},
		"NULLS LAST":                  {"ORDER BY FirstName DESC NULLS LAST", []int{5, 6, 3, 2, 8, 7, 1, 4}},
		"two keys":                    {"ORDER BY FirstName ASC NULLS LAST, LastName DESC", []int{1, 7, 8, 2, 3, 6, 5, 4}},
		"ORDER BY relationship field": {"ORDER BY Profile.Name, Id", []int{4, 6, 7, 2, 3, 5, 8, 1}},
		"ORDER BY Id DESC":            {"ORDER BY Id DESC", []int{8, 7, 6, 5, 4, 3, 2, 1}},
		"LIMIT":                       {"LIMIT 3", []int{1, 2, 3}},
		"LIMIT 0":                     {"LIMIT 0", nil},
		"OFFSET":                      {"OFFSET 6", []int{7, 8}},
		"LIMIT and OFFSET":            {"ORDER BY LastName LIMIT 2 OFFSET 3", []int{4, 8}},
		"OFFSET past the end":         {"OFFSET 20", nil},
		"whitespace and newlines":     {"\n\tWHERE\n  IsActive = false\n", []int{3, 6}},

		"semi-join":                       {"WHERE Id IN (SELECT UserOrGroupId FROM GroupMember WHERE GroupId = '00G000000000001')", []int{2, 5, 8}},
		"semi-join, 15 and 18 characters": {"WHERE IsActive = true AND Id IN (SELECT UserOrGroupId FROM GroupMember WHERE GroupId IN ('00G000000000001EAA', '00G000000000002'))", []int{2, 4, 5, 7, 8}},
		"semi-join on a relationship":     {"WHERE Id IN (SELECT UserOrGroupId FROM GroupMember WHERE Group.DeveloperName = 'marketing')", []int{4, 6, 7}},
		"semi-join on an empty group":     {"WHERE Id IN (SELECT UserOrGroupId FROM GroupMember WHERE Group.DeveloperName = 'Empty')", nil},
		"semi-join without WHERE":         {"WHERE Id IN (SELECT UserOrGroupId FROM GroupMember) ORDER BY LastName LIMIT 2", []int{1, 6}},
		"anti-join":                       {"WHERE Id NOT IN (SELECT UserOrGroupId FROM GroupMember)", []int{3}},
		"semi-join and anti-join":         {"WHERE Id IN (SELECT UserOrGroupId FROM GroupMember WHERE Group.Name LIKE 'west%') AND Id NOT IN (SELECT UserOrGroupId FROM GroupMember WHERE GroupId = '00G000000000003')", []int{5, 8}},
		"parenthesised semi-join":         {"WHERE (IsActive = true) AND (Id IN (SELECT UserOrGroupId FROM GroupMember WHERE GroupId = '00G000000000002'))", []int{4, 7}},
		"semi-join after other terms":     {"WHERE IsActive = true AND (LastName = 'Doe' OR LastName = 'Admin') AND Id IN (SELECT UserOrGroupId FROM GroupMember WHERE GroupId = '00G000000000003')", []int{1, 2}},
		"semi-join on a reference field":  {"WHERE ProfileId IN (SELECT Id FROM Profile WHERE PermissionsViewAllData = true)", []int{1}},
		"anti-join on a reference field":  {"WHERE UserRoleId NOT IN (SELECT Id FROM UserRole WHERE Name = 'West')", []int{1, 3, 4, 6, 7}},
		"semi-join in lower case":         {"where id in (select userorgroupid from groupmember where groupid = '00G000000000003')", []int{1, 2}},
		"semi-join with a cursor":         {"WHERE Id > '005000000000002' AND Id IN (SELECT UserOrGroupId FROM GroupMember WHERE GroupId IN ('00G000000000001', '00G000000000003')) ORDER BY Id", []int{5, 8}},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			recs, total, qerr := runSOQL(t, ds, "SELECT Id, Username FROM User "+tc.where)
			if qerr != nil {
				t.Fatalf("query failed: %v", qerr)
			}
			got := userNumbers(t, recs)
			want := tc.want
			if want == nil {
				want = []int{}
			}
			if !reflect.DeepEqual(got, want) || total != len(want) {
				t.Fatalf("got users %v (totalSize %d), want %v", got, total, want)
			}
		})
	}
}

func TestSOQLErrors(t *testing.T) {
	ds := soqlDataset(t)
	cases := map[string]struct {
		q        string
		code     string
		contains string
	}{
		"unknown field": {"SELECT Id, Foo FROM User", CodeInvalidField,
			"\nSELECT Id, Foo FROM User\n           ^\nERROR at Row:1:Column:12\nNo such column 'Foo' on entity 'User'."},
		"unknown field in WHERE":       {"SELECT Id FROM User WHERE Bar = 'x'", CodeInvalidField, "No such column 'Bar' on entity 'User'"},
		"unknown field in ORDER BY":    {"SELECT Id FROM User ORDER BY Bar", CodeInvalidField, "No such column 'Bar'"},
		"unknown relationship":         {"SELECT Manager.Name FROM User", CodeInvalidField, "Didn't understand relationship 'Manager' in field path"},
		"unknown field of relation":    {"SELECT Profile.Foo FROM User", CodeInvalidField, "No such column 'Foo' on entity 'Profile'"},
		"relationship without a field": {"SELECT Profile FROM User", CodeInvalidField, "No such column 'Profile' on entity 'User'"},
		"too deep":                     {"SELECT Profile.Owner.Name FROM User", CodeInvalidField, "Didn't understand relationship 'Owner'"},
		"unknown object":               {"SELECT Id FROM Account", CodeInvalidType, "sObject type 'Account' is not supported"},
		"missing FROM":                 {"SELECT Id", CodeMalformedQuery, "unexpected token: <EOF>"},
		"missing SELECT":               {"Id FROM User", CodeMalformedQuery, "unexpected token: 'Id'"},
		"empty select list":            {"SELECT FROM User", CodeMalformedQuery, "unexpected token: 'FROM'"},
		"AND and OR mixed":             {"SELECT Id FROM User WHERE IsActive = true AND LastName = 'Doe' OR LastName = 'Roe'", CodeMalformedQuery, "unexpected token: 'OR'"},
		"OR and AND mixed":             {"SELECT Id FROM User WHERE IsActive = true OR LastName = 'Doe' AND LastName = 'Roe'", CodeMalformedQuery, "unexpected token: 'AND'"},
		"unclosed parenthesis":         {"SELECT Id FROM User WHERE (IsActive = true", CodeMalformedQuery, "expecting a right parentheses, found '<EOF>'"},
		"unterminated string":          {"SELECT Id FROM User WHERE Email = 'abc", CodeMalformedQuery, "unterminated string literal"},
		"unknown escape":               {`SELECT Id FROM User WHERE Email = 'a\qb'`, CodeMalformedQuery, `Illegal character sequence '\q' in string literal`},
		`\% outside LIKE`:              {`SELECT Id FROM User WHERE Email = 'a\%b'`, CodeMalformedQuery, `Illegal character sequence '\%' in string literal`},
		"bad unicode escape":           {`SELECT Id FROM User WHERE Email = '\u00zz'`, CodeMalformedQuery, `Illegal character sequence`},
		"double quotes":                {`SELECT Id FROM User WHERE Email = "a"`, CodeMalformedQuery, `unexpected token: '"'`},
		"trailing tokens":              {"SELECT Id FROM User u WHERE Id != null", CodeMalformedQuery, "unexpected token: 'u'"},
		"missing operator":             {"SELECT Id FROM User WHERE Email 'a'", CodeMalformedQuery, "unexpected token: ''a''"},
		"missing value":                {"SELECT Id FROM User WHERE Email =", CodeMalformedQuery, "unexpected token: <EOF>"},
		"bind variable":                {"SELECT Id FROM User WHERE Email = :email", CodeMalformedQuery, "unexpected token: ':'"},
		"negative LIMIT":               {"SELECT Id FROM User LIMIT -1", CodeMalformedQuery, "unexpected token: '-1'"},
		"LIMIT not a number":           {"SELECT Id FROM User LIMIT ten", CodeMalformedQuery, "unexpected token: 'ten'"},
		"number against text":          {"SELECT Id FROM User WHERE Email = 5", CodeInvalidQueryFilter, "value of filter criterion for field 'Email' must be of type string and should be enclosed in quotes"},
		"string against boolean":       {"SELECT Id FROM User WHERE IsActive = 'true'", CodeInvalidQueryFilter, "must be of type boolean and should not be enclosed in quotes"},
		"number against boolean":       {"SELECT Id FROM User WHERE IsActive IN (1)", CodeInvalidQueryFilter, "must be of type boolean"},
		"invalid ID literal":           {"SELECT Id FROM User WHERE Id = 'nope'", CodeInvalidQueryFilter, "invalid ID field: nope"},
		"number against Id":            {"SELECT Id FROM User WHERE ProfileId = 3", CodeInvalidQueryFilter, "must be of type id"},
		"LIKE on boolean":              {"SELECT Id FROM User WHERE IsActive LIKE 'x'", CodeInvalidQueryFilter, "LIKE is supported on text fields only"},
		"LIKE on Id":                   {"SELECT Id FROM User WHERE Id LIKE '005%'", CodeInvalidQueryFilter, "LIKE is supported on text fields only"},
		"LIKE with a number":           {"SELECT Id FROM User WHERE Email LIKE 5", CodeInvalidQueryFilter, "must be of type string"},
		"< on boolean":                 {"SELECT Id FROM User WHERE IsActive < true", CodeInvalidQueryFilter, "supports only = and !="},
		"OFFSET above 2000":            {"SELECT Id FROM User OFFSET 2001", CodeNumberOutsideValidRange, "Maximum SOQL offset allowed is 2000"},
		"COUNT() with a field":         {"SELECT COUNT(), Id FROM User", CodeMalformedQuery, "COUNT() must be the only element"},
		"duplicate field":              {"SELECT Id, id FROM User", CodeMalformedQuery, "duplicate field selected: Id"},
		"field neither grouped nor aggregated": {"SELECT Username, COUNT(Id) FROM User", CodeMalformedQuery,
			"Field must be grouped or aggregated: Username"},
		"ordered field not grouped": {"SELECT ProfileId, COUNT(Id) FROM User GROUP BY ProfileId ORDER BY Username", CodeMalformedQuery,
			"Ordered field must be grouped or aggregated: Username"},
		"error on second row": {"SELECT Id\nFROM User\nWHERE Nope = 'x'", CodeInvalidField, "\nWHERE Nope = 'x'\n      ^\nERROR at Row:3:Column:7\n"},

		"semi-join with OR": {"SELECT Id FROM User WHERE IsActive = true OR Id IN (SELECT UserOrGroupId FROM GroupMember)", CodeMalformedQuery,
			"^\nERROR at Row:1:Column:46\nSemi join sub-selects are not allowed with the 'OR' operator"},
		"semi-join inside parentheses": {"SELECT Id FROM User WHERE IsActive = true AND (LastName = 'Doe' OR Id IN (SELECT UserOrGroupId FROM GroupMember))", CodeMalformedQuery,
			"Semi join sub-selects are only allowed at the top level WHERE expressions and not in nested WHERE expressions."},
		"semi-join under NOT": {"SELECT Id FROM User WHERE NOT Id IN (SELECT UserOrGroupId FROM GroupMember)", CodeMalformedQuery,
			"only allowed at the top level WHERE expressions"},
		"nested semi-join": {"SELECT Id FROM User WHERE Id IN (SELECT UserOrGroupId FROM GroupMember WHERE GroupId IN (SELECT Id FROM Group))", CodeMalformedQuery,
			"^\nERROR at Row:1:Column:90\nNesting of semi join sub-selects is not supported"},
		"three semi-joins": {"SELECT Id FROM User WHERE Id IN (SELECT UserOrGroupId FROM GroupMember) AND ProfileId IN (SELECT Id FROM Profile) AND UserRoleId IN (SELECT Id FROM UserRole)", CodeMalformedQuery,
			"Maximum 2 semi join sub-selects are allowed"},
		"ORDER BY in a sub-select": {"SELECT Id FROM User WHERE Id IN (SELECT UserOrGroupId FROM GroupMember ORDER BY Id)", CodeMalformedQuery, "expecting a right parentheses, found 'ORDER'"},
		"LIMIT in a sub-select":    {"SELECT Id FROM User WHERE Id IN (SELECT UserOrGroupId FROM GroupMember LIMIT 5)", CodeMalformedQuery, "expecting a right parentheses, found 'LIMIT'"},
		"unclosed sub-select":      {"SELECT Id FROM User WHERE Id IN (SELECT UserOrGroupId FROM GroupMember", CodeMalformedQuery, "expecting a right parentheses, found '<EOF>'"},
		"two fields in a sub-select": {"SELECT Id FROM User WHERE Id IN (SELECT UserOrGroupId, GroupId FROM GroupMember)", CodeMalformedQuery,
			"^\nERROR at Row:1:Column:56\nOnly one field can be selected in a semi join sub-select"},
		"COUNT() in a sub-select": {"SELECT Id FROM User WHERE Id IN (SELECT COUNT() FROM GroupMember)", CodeMalformedQuery, "Aggregate functions are not allowed in a semi join sub-select"},
		"sub-select of a text field": {"SELECT Id FROM User WHERE Id IN (SELECT Name FROM Group)", CodeMalformedQuery,
			"The selected field in the subquery should be an id field, cannot use: 'Name'"},
		"sub-select through a relationship": {"SELECT Id FROM User WHERE Id IN (SELECT Group.Id FROM GroupMember)", CodeMalformedQuery,
			"The selected field in the subquery should be an id field, cannot use: 'Group.Id'"},
		"text field left of a semi-join": {"SELECT Id FROM User WHERE Username IN (SELECT UserOrGroupId FROM GroupMember)", CodeMalformedQuery,
			"The left operand field in the where expression for outer query should be an id field, cannot use: 'Username'"},
		"relationship left of a semi-join": {"SELECT Id FROM User WHERE Profile.Id IN (SELECT ParentId FROM Profile)", CodeMalformedQuery,
			"should be a field of entity 'User', cannot use: 'Profile.Id'"},
		"fields of different objects": {"SELECT Id FROM User WHERE ProfileId IN (SELECT UserOrGroupId FROM GroupMember)", CodeMalformedQuery,
			"The selected field 'UserOrGroupId' in the subquery and the left operand field in the where expression in the outer query 'ProfileId' should point to the same object type"},
		"sub-select on the same object": {"SELECT Id FROM User WHERE Id IN (SELECT Id FROM User WHERE IsActive = true)", CodeMalformedQuery,
			"The inner and outer selects should not be on the same object type"},
		"unknown object in a sub-select": {"SELECT Id FROM User WHERE Id IN (SELECT UserOrGroupId FROM Members)", CodeInvalidType, "sObject type 'Members' is not supported"},
		"unknown field in a sub-select":  {"SELECT Id FROM User WHERE Id IN (SELECT Nope FROM GroupMember)", CodeInvalidField, "No such column 'Nope' on entity 'GroupMember'"},
		"unknown field in a sub-select's WHERE": {"SELECT Id FROM User WHERE Id IN (SELECT UserOrGroupId FROM GroupMember WHERE Nope = 'x')", CodeInvalidField,
			"No such column 'Nope' on entity 'GroupMember'"},
		"bad ID in a sub-select's WHERE": {"SELECT Id FROM User WHERE Id IN (SELECT UserOrGroupId FROM GroupMember WHERE GroupId = 'nope')", CodeInvalidQueryFilter, "invalid ID field: nope"},
		"GROUP BY after FROM Group":      {"SELECT Id FROM Group GROUP BY Name", CodeMalformedQuery, "Field must be grouped or aggregated: Id"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			_, _, qerr := runSOQL(t, ds, tc.q)
			if qerr == nil {
				t.Fatalf("query succeeded, want %s", tc.code)
			}
			if qerr.Code != tc.code || !strings.Contains(qerr.Message, tc.contains) {
				t.Fatalf("got %s %q\nwant %s containing %q", qerr.Code, qerr.Message, tc.code, tc.contains)
			}
		})
	}
}

func TestSOQLRendersRecordsAsSalesforce(t *testing.T) {
	ds := soqlDataset(t)
	res, qerr := execute("SELECT Id, Name, Profile.Name, UserRole.Name, Profile.PermissionsViewAllData, isactive FROM User WHERE Id IN ('005000000000001', '005000000000004')", ds)
	if qerr != nil {
		t.Fatal(qerr)
	}
	u1, u4 := id18(t, "005000000000001"), id18(t, "005000000000004")
	p1, p3 := id18(t, "00e000000000001"), id18(t, "00e000000000003")
	role := ds.userByID[u1].RoleID
	want := `{"totalSize":2,"done":true,"records":[` +
		`{"attributes":{"type":"User","url":"/services/data/v58.0/sobjects/User/` + u1 + `"},"Id":"` + u1 + `","Name":"Ada Admin",` +
		`"Profile":{"attributes":{"type":"Profile","url":"/services/data/v58.0/sobjects/Profile/` + p1 + `"},"Name":"System Administrator","PermissionsViewAllData":true},` +
		`"UserRole":{"attributes":{"type":"UserRole","url":"/services/data/v58.0/sobjects/UserRole/` + role + `"},"Name":"CEO"},"IsActive":true},` +
		`{"attributes":{"type":"User","url":"/services/data/v58.0/sobjects/User/` + u4 + `"},"Id":"` + u4 + `","Name":"O'Brien",` +
		`"Profile":{"attributes":{"type":"Profile","url":"/services/data/v58.0/sobjects/Profile/` + p3 + `"},"Name":"Marketing User","PermissionsViewAllData":false},` +
		`"UserRole":null,"IsActive":true}]}`
	if got := string(renderPage(res, 0, 2000, "58.0", "query", "")); got != want {
		t.Fatalf("got\n%s\nwant\n%s", got, want)
	}
}

func TestSOQLAggregates(t *testing.T) {
	ds := soqlDataset(t)
	cases := map[string]struct {
		q         string
		wantTotal int
		want      []map[string]any
	}{
		"COUNT()":            {"SELECT COUNT() FROM User WHERE IsActive = true", 6, []map[string]any{}},
		"COUNT() with LIMIT": {"SELECT count() FROM User LIMIT 2", 2, []map[string]any{}},
		"COUNT(field) without GROUP BY": {"SELECT COUNT(Id), COUNT(FirstName) FROM User", 1, []map[string]any{
			{"attributes": map[string]any{"type": "AggregateResult"}, "expr0": 8.0, "expr1": 7.0},
		}},
		"COUNT over nothing": {"SELECT COUNT(Id) n FROM User WHERE LastName = 'Nobody'", 1, []map[string]any{
			{"attributes": map[string]any{"type": "AggregateResult"}, "n": 0.0},
		}},
		"GROUP BY relationship with alias": {"SELECT Profile.Name, COUNT(Id) cnt FROM User GROUP BY Profile.Name ORDER BY Profile.Name", 3, []map[string]any{
			{"attributes": map[string]any{"type": "AggregateResult"}, "Name": "Marketing User", "cnt": 3.0},
			{"attributes": map[string]any{"type": "AggregateResult"}, "Name": "Sales Rep", "cnt": 4.0},
			{"attributes": map[string]any{"type": "AggregateResult"}, "Name": "System Administrator", "cnt": 1.0},
		}},
		"GROUP BY with WHERE, DESC and LIMIT": {"SELECT IsActive, COUNT(Id) FROM User WHERE Profile.Name != 'Sales Rep' GROUP BY IsActive ORDER BY IsActive DESC LIMIT 1", 1, []map[string]any{
			{"attributes": map[string]any{"type": "AggregateResult"}, "IsActive": true, "expr0": 3.0},
		}},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			recs, total, qerr := runSOQL(t, ds, tc.q)
			if qerr != nil {
				t.Fatal(qerr)
			}
			if recs == nil {
				recs = []map[string]any{}
			}
			if total != tc.wantTotal || !reflect.DeepEqual(recs, tc.want) {
				t.Fatalf("got totalSize %d %v\nwant %d %v", total, recs, tc.wantTotal, tc.want)
			}
		})
	}
}

func TestSOQLOtherObjects(t *testing.T) {
	ds := soqlDataset(t)
	recs, _, qerr := runSOQL(t, ds, "SELECT Id, Name, IsSandbox FROM Organization")
	if qerr != nil {
		t.Fatal(qerr)
	}
	if len(recs) != 1 || recs[0]["Id"] != id18(t, "00D000000000001") || recs[0]["Name"] != "Acme" || recs[0]["IsSandbox"] != false {
		t.Fatalf("Organization = %v", recs)
	}
	recs, _, qerr = runSOQL(t, ds, "SELECT Name FROM Profile WHERE PermissionsViewAllData = false ORDER BY Name DESC")
	if qerr != nil {
		t.Fatal(qerr)
	}
	if len(recs) != 2 || recs[0]["Name"] != "Sales Rep" || recs[1]["Name"] != "Marketing User" {
		t.Fatalf("Profiles = %v", recs)
	}
	recs, _, qerr = runSOQL(t, ds, "SELECT Name FROM UserRole ORDER BY Name")
	if qerr != nil {
		t.Fatal(qerr)
	}
	if len(recs) != 3 || recs[0]["Name"] != "CEO" || recs[2]["Name"] != "West" {
		t.Fatalf("UserRoles = %v", recs)
	}
}

func TestSOQLGroups(t *testing.T) {
	ds := soqlDataset(t)
	g1, g2 := id18(t, "00G000000000001"), id18(t, "00G000000000002")

	recs, total, qerr := runSOQL(t, ds, "SELECT Id, Name, DeveloperName, Type FROM Group WHERE Type = 'Regular' ORDER BY DeveloperName")
	if qerr != nil {
		t.Fatal(qerr)
	}
	var names []string
	for _, r := range recs {
		names = append(names, fmt.Sprintf("%s %s/%s %s", r["Id"], r["DeveloperName"], r["Name"], r["Type"]))
	}
	want := []string{
		id18(t, "00G000000000004") + " Empty/Nobody Yet Regular",
		g2 + " Marketing/Marketing Regular",
		id18(t, "00G000000000003") + " Team_Leads/Team Leads Regular",
		g1 + " West_Sales/West Sales Regular",
	}
	if total != 4 || !reflect.DeepEqual(names, want) {
		t.Fatalf("groups (totalSize %d):\n%q\nwant\n%q", total, names, want)
	}

	res, qerr := execute("SELECT Id, GroupId, UserOrGroupId, Group.DeveloperName FROM GroupMember WHERE Group.Name = 'marketing' AND UserOrGroupId = '005000000000006'", ds)
	if qerr != nil {
		t.Fatal(qerr)
	}
	m := ds.membersOf(g2)[1]
	if !strings.HasPrefix(m.ID, "011") || len(m.ID) != 18 {
		t.Fatalf("GroupMember ID %q", m.ID)
	}
	wantJSON := `{"totalSize":1,"done":true,"records":[` +
		`{"attributes":{"type":"GroupMember","url":"/services/data/v63.0/sobjects/GroupMember/` + m.ID + `"},"Id":"` + m.ID + `","GroupId":"` + g2 + `",` +
		`"UserOrGroupId":"` + id18(t, "005000000000006") + `","Group":{"attributes":{"type":"Group","url":"/services/data/v63.0/sobjects/Group/` + g2 + `"},"DeveloperName":"Marketing"}}]}`
	if got := string(renderPage(res, 0, 2000, "63.0", "query", "")); got != wantJSON {
		t.Fatalf("got\n%s\nwant\n%s", got, wantJSON)
	}

	cases := map[string]struct {
		q     string
		total int
	}{
		"members of a group by 15-character ID": {"SELECT COUNT() FROM GroupMember WHERE GroupId = '00G000000000001'", 3},
		"groups of a user":                      {"SELECT COUNT() FROM GroupMember WHERE UserOrGroupId = '005000000000002AAA'", 2},
		"groups with members":                   {"SELECT Id FROM Group WHERE Id IN (SELECT GroupId FROM GroupMember)", 3},
		"groups without members":                {"SELECT Id FROM Group WHERE Id NOT IN (SELECT GroupId FROM GroupMember)", 1},
		"groups of inactive users":              {"SELECT Id FROM Group WHERE Id IN (SELECT GroupId FROM GroupMember WHERE UserOrGroupId = '005000000000006')", 1},
		"members grouped by group":              {"SELECT GroupId, COUNT(Id) FROM GroupMember GROUP BY GroupId", 3},
		"groups grouped by type":                {"SELECT Type, COUNT(Id) FROM Group GROUP BY Type", 1},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			_, total, qerr := runSOQL(t, ds, tc.q)
			if qerr != nil {
				t.Fatal(qerr)
			}
			if total != tc.total {
				t.Fatalf("totalSize %d, want %d", total, tc.total)
			}
		})
	}
}

func TestLikeMatch(t *testing.T) {
	cases := map[string]struct {
		pattern string
		s       string
		want    bool
	}{
		"empty matches empty":     {"''", "", true},
		"% matches empty":         {"'%'", "", true},
		"literal":                 {"'abc'", "ABC", true},
		"literal mismatch":        {"'abc'", "abd", false},
		"_ matches one rune":      {"'a_c'", "aéc", true},
		"_ needs one rune":        {"'a_c'", "ac", false},
		"% in the middle":         {"'a%c'", "abbbbc", true},
		"% backtracking":          {"'%ab%ab'", "xxabyyab", true},
		"trailing text after %":   {"'%ab'", "abx", false},
		"several %":               {"'%%a%%'", "bab", true},
		`escaped % is literal`:    {`'50\%'`, "50%", true},
		`escaped % not wildcard`:  {`'50\%'`, "500", false},
		"non-ASCII ignores case":  {"'ÉCOLE'", "école", true},
		"pattern longer than str": {"'abcd'", "abc", false},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			toks, err := lex(tc.pattern)
			if err != nil {
				t.Fatal(err)
			}
			if got := likeMatch(lowerPattern(toks[0].pattern), tc.s); got != tc.want {
				t.Fatalf("%s LIKE %s = %v, want %v", tc.s, tc.pattern, got, tc.want)
			}
		})
	}
}
