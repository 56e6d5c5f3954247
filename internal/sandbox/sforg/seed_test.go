package sforg

import (
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/salesseat/terraform-provider-salesseat/internal/sfid"
)

func TestNewValidatesSeeds(t *testing.T) {
	clock := newFakeClock()
	cases := map[string]struct {
		mod     func(s []OrgSeed)
		wantErr error
		msg     string
	}{
		"bad org ID":         {func(s []OrgSeed) { s[0].ID = "00Dxyz" }, ErrInvalid, "orgs[0].id"},
		"org ID of a user":   {func(s []OrgSeed) { s[0].ID = "005000000000001" }, ErrInvalid, `orgs[0].id: invalid Salesforce ID "005000000000001": it starts with "005", but organization IDs start with "00D"`},
		"no name":            {func(s []OrgSeed) { s[0].Name = " " }, ErrInvalid, "orgs[0].name is empty"},
		"no consumer key":    {func(s []OrgSeed) { s[1].ConsumerKey = "" }, ErrInvalid, "orgs[1].consumer_key is empty"},
		"shared key":         {func(s []OrgSeed) { s[1].ConsumerKey = s[0].ConsumerKey }, ErrConflict, "orgs[1].consumer_key is also the consumer key of org"},
		"same org twice":     {func(s []OrgSeed) { s[1].ID = s[0].ID }, ErrConflict, "used by two orgs"},
		"bad certificate":    {func(s []OrgSeed) { s[0].CertificatePEM = "junk" }, ErrInvalid, "orgs[0].certificate_pem: not a PEM-encoded certificate"},
		"profile no name":    {func(s []OrgSeed) { s[0].Profiles[1].Name = "" }, ErrInvalid, "orgs[0].profiles[1].name is empty"},
		"profile name twice": {func(s []OrgSeed) { s[0].Profiles[1].Name = "system administrator" }, ErrConflict, "profile names are unique"},
		"unknown profile":    {func(s []OrgSeed) { s[0].Users[1].ProfileID = "00e000000000009" }, ErrInvalid, "orgs[0].users[1].profile_id"},
		"username not email": {func(s []OrgSeed) { s[0].Users[1].Username = "jane" }, ErrInvalid, "orgs[0].users[1].username \"jane\" must be in the form of an email address"},
		"no last name":       {func(s []OrgSeed) { s[0].Users[1].LastName = "" }, ErrInvalid, "orgs[0].users[1].last_name is empty"},
		"username in 2 orgs": {func(s []OrgSeed) { s[1].Users[0].Username = "JANE@acme.com" }, ErrConflict, "usernames are unique across all of Salesforce"},
		"user ID twice":      {func(s []OrgSeed) { s[0].Users[1].ID = s[0].Users[0].ID }, ErrConflict, "orgs[0].users[1].id"},
		"token for nobody":   {func(s []OrgSeed) { s[0].RefreshTokens[0].Username = "nobody@acme.com" }, ErrInvalid, "orgs[0].refresh_tokens[0].username"},
		"token twice":        {func(s []OrgSeed) { s[1].RefreshTokens[0].Token = "rt-valid" }, ErrConflict, "refresh tokens must be unique"},
		"empty token":        {func(s []OrgSeed) { s[0].RefreshTokens[0].Token = "" }, ErrInvalid, "orgs[0].refresh_tokens[0].token is empty"},

		"group ID of a user": {func(s []OrgSeed) { s[0].Groups[0].ID = "005000000000001" }, ErrInvalid,
			`orgs[0].groups[0].id: invalid Salesforce ID "005000000000001": it starts with "005", but group IDs start with "00G"`},
		"group ID twice":        {func(s []OrgSeed) { s[0].Groups[1].ID = "00G000000000001EAA" }, ErrConflict, "orgs[0].groups[1].id 00G000000000001EAA is used twice"},
		"group without label":   {func(s []OrgSeed) { s[0].Groups[0].Name = " " }, ErrInvalid, "orgs[0].groups[0].name is empty; give the group a label"},
		"group without name":    {func(s []OrgSeed) { s[0].Groups[1].DeveloperName = "" }, ErrInvalid, "orgs[0].groups[1].developer_name is empty; give the group an API name"},
		"group name with space": {func(s []OrgSeed) { s[0].Groups[0].DeveloperName = "West Sales" }, ErrInvalid, `orgs[0].groups[0].developer_name "West Sales" contains ' '; an API name begins with a letter`},
		"group name with digit first": {func(s []OrgSeed) { s[0].Groups[0].DeveloperName = "1st_Line" }, ErrInvalid,
			`orgs[0].groups[0].developer_name "1st_Line" does not begin with a letter`},
		"group name with __":   {func(s []OrgSeed) { s[0].Groups[0].DeveloperName = "West__Sales" }, ErrInvalid, "contains two underscores in a row"},
		"group name ending _":  {func(s []OrgSeed) { s[0].Groups[0].DeveloperName = "West_" }, ErrInvalid, "ends with an underscore"},
		"group name not ASCII": {func(s []OrgSeed) { s[0].Groups[0].DeveloperName = "Vertrieb_Süd" }, ErrInvalid, `contains 'ü'`},
		"group name twice": {func(s []OrgSeed) { s[0].Groups[1].DeveloperName = "west_sales" }, ErrConflict,
			`orgs[0].groups[1].developer_name "west_sales" is used twice; group names are unique in an org`},
		"member of another org": {func(s []OrgSeed) { s[0].Groups[1].MemberIDs[2] = "005000000000009" }, ErrInvalid,
			"orgs[0].groups[1].member_ids[2] 005000000000009AAA is not a user of org 00D000000000001EAA"},
		"member not a user": {func(s []OrgSeed) { s[0].Groups[0].MemberIDs[0] = "00e000000000001" }, ErrInvalid,
			`orgs[0].groups[0].member_ids[0]: invalid Salesforce ID "00e000000000001": it starts with "00e", but user IDs start with "005"`},
		"member twice": {func(s []OrgSeed) { s[0].Groups[0].MemberIDs[1] = "005000000000002AAA" }, ErrConflict,
			"orgs[0].groups[0].member_ids[1] 005000000000002AAA is listed twice"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			seeds := httpSeeds(t, clock)
			tc.mod(seeds)
			_, err := New(seeds, Options{})
			if !errors.Is(err, tc.wantErr) || !strings.Contains(err.Error(), tc.msg) {
				t.Fatalf("New error = %v, want %v containing %q", err, tc.wantErr, tc.msg)
			}
		})
	}
}

func TestMintedIDsAreDeterministic(t *testing.T) {
	seed := func() []OrgSeed {
		return []OrgSeed{{
			Name: "No IDs", ConsumerKey: "ck",
			Profiles: []ProfileSeed{{Name: "Standard User"}},
			Users:    []UserSeed{{Username: "u@x.com", Email: "u@x.com", LastName: "U", ProfileID: "00e0s0000000001"}},
			Groups:   []GroupSeed{{Name: "All", DeveloperName: "All", MemberIDs: []string{"0050s0000000001"}}},
		}}
	}
	first, err := New(seed(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	second, _ := New(seed(), Options{})
	a, b := first.Snapshot(), second.Snapshot()
	if !reflect.DeepEqual(a, b) {
		t.Fatalf("two starts minted different IDs:\n%+v\n%+v", a, b)
	}
	org := a.Orgs[0]
	if !sfid.Valid(org.ID) || !strings.HasPrefix(org.ID, "00D") || !strings.HasPrefix(org.Profiles[0].ID, "00e") {
		t.Fatalf("minted IDs %s %s", org.ID, org.Profiles[0].ID)
	}
	if g := org.Groups[0]; !sfid.Valid(g.ID) || !strings.HasPrefix(g.ID, "00G") || !reflect.DeepEqual(g.MemberIDs, []string{org.Users[0].ID}) {
		t.Fatalf("minted group %+v", g)
	}

	// A minted ID never takes an ID that a later seed names explicitly.
	mixed := []OrgSeed{{
		ID: acmeOrg15, Name: "Mixed", ConsumerKey: "ck",
		Profiles: []ProfileSeed{{Name: "A"}, {ID: "00e000000000001", Name: "B"}},
		Users: []UserSeed{
			{Username: "minted@x.com", Email: "minted@x.com", LastName: "M", ProfileID: "00e000000000001"},
			{ID: "005000000000001", Username: "explicit@x.com", Email: "explicit@x.com", LastName: "E", ProfileID: "00e000000000001"},
		},
	}}
	s, err := New(mixed, Options{})
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	users, _ := s.Users(acmeOrg15)
	if len(users) != 2 || users[0].Username != "explicit@x.com" || users[1].ID != id18(t, "005000000000002") {
		t.Fatalf("users %+v", users)
	}
}
