package sforg

import (
	"encoding/json"
	"errors"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/salesseat/terraform-provider-salesseat/internal/sfid"
)

func TestAdminMethods(t *testing.T) {
	env := newTestEnv(t, func(c *fakeClock) []OrgSeed { return httpSeeds(t, c) })
	s := env.srv

	t.Run("Orgs", func(t *testing.T) {
		want := []OrgInfo{
			{ID: id18(t, acmeOrg15), Name: "Acme", ConsumerKey: "ck-acme"},
			{ID: id18(t, globexOrg15), Name: "Globex", IsSandbox: true, ConsumerKey: "ck-globex"},
		}
		if got := s.Orgs(); !reflect.DeepEqual(got, want) {
			t.Fatalf("Orgs() = %+v", got)
		}
	})

	t.Run("AddUser then query it", func(t *testing.T) {
		u, err := s.AddUser(acmeOrg15, UserSeed{Username: "new@acme.com", Email: "new@acme.com", FirstName: "New", LastName: "Hire", Active: true, ProfileID: "00e000000000002", UserRoleName: "North"})
		if err != nil {
			t.Fatal(err)
		}
		if !sfid.Valid(u.ID) || len(u.ID) != 18 || !strings.HasPrefix(u.ID, "005") || u.ProfileID != id18(t, "00e000000000002") || u.UserRoleName != "North" {
			t.Fatalf("AddUser returned %+v", u)
		}
		token := env.login(t, "ck-acme", "rt-valid")
		status, _, body := env.get(t, queryPath("63.0", "SELECT Id, UserRole.Name FROM User WHERE Username = 'NEW@acme.com'"), token, nil)
		if status != http.StatusOK || !strings.Contains(string(body), `"Id":"`+u.ID+`"`) || !strings.Contains(string(body), `"Name":"North"`) {
			t.Fatalf("%d %s", status, body)
		}
	})

	t.Run("AddUser errors", func(t *testing.T) {
		cases := map[string]struct {
			org  string
			u    UserSeed
			want error
		}{
			"unknown org":        {"00D000000000099", UserSeed{Username: "x@acme.com", Email: "x@acme.com", LastName: "X", ProfileID: "00e000000000002"}, ErrNotFound},
			"username taken":     {acmeOrg15, UserSeed{Username: "SVC@globex.com", Email: "x@acme.com", LastName: "X", ProfileID: "00e000000000002"}, ErrConflict},
			"ID taken":           {acmeOrg15, UserSeed{ID: "005000000000002", Username: "y@acme.com", Email: "y@acme.com", LastName: "Y", ProfileID: "00e000000000002"}, ErrConflict},
			"unknown profile":    {acmeOrg15, UserSeed{Username: "z@acme.com", Email: "z@acme.com", LastName: "Z", ProfileID: "00e000000000009"}, ErrInvalid},
			"bad profile ID":     {acmeOrg15, UserSeed{Username: "z@acme.com", Email: "z@acme.com", LastName: "Z", ProfileID: "nope"}, ErrInvalid},
			"email not an email": {acmeOrg15, UserSeed{Username: "z@acme.com", Email: "z", LastName: "Z", ProfileID: "00e000000000002"}, ErrInvalid},
		}
		for name, tc := range cases {
			t.Run(name, func(t *testing.T) {
				if _, err := s.AddUser(tc.org, tc.u); !errors.Is(err, tc.want) {
					t.Fatalf("AddUser error = %v, want %v", err, tc.want)
				}
			})
		}
	})

	t.Run("UpdateUser", func(t *testing.T) {
		email, name := "jane.doe@acme.com", "Janet"
		u, err := s.UpdateUser(acmeOrg15, "005000000000002", UserPatch{Email: &email, FirstName: &name})
		if err != nil {
			t.Fatal(err)
		}
		if u.Email != email || u.FirstName != name || u.LastName != "Doe" || u.UserRoleName != "West" || !u.Active {
			t.Fatalf("UpdateUser returned %+v", u)
		}
		taken := "svc@acme.com"
		if _, err := s.UpdateUser(acmeOrg15, "005000000000002", UserPatch{Username: &taken}); !errors.Is(err, ErrConflict) {
			t.Fatalf("rename to a taken username: %v", err)
		}
		renamed := "janet@acme.com"
		if _, err := s.UpdateUser(acmeOrg15, "005000000000002", UserPatch{Username: &renamed}); err != nil {
			t.Fatal(err)
		}
		// The old username is free again.
		if _, err := s.AddUser(acmeOrg15, UserSeed{Username: "jane@acme.com", Email: "jane@acme.com", LastName: "Two", ProfileID: "00e000000000002"}); err != nil {
			t.Fatalf("old username not released: %v", err)
		}
		if _, err := s.UpdateUser(acmeOrg15, "005000000000099", UserPatch{}); !errors.Is(err, ErrNotFound) {
			t.Fatalf("unknown user: %v", err)
		}
	})

	t.Run("profiles", func(t *testing.T) {
		p, err := s.AddProfile(acmeOrg15, ProfileSeed{Name: "Support"})
		if err != nil || !strings.HasPrefix(p.ID, "00e") || len(p.ID) != 18 {
			t.Fatalf("AddProfile = %+v, %v", p, err)
		}
		if _, err := s.AddProfile(acmeOrg15, ProfileSeed{Name: "sales rep"}); !errors.Is(err, ErrConflict) {
			t.Fatalf("duplicate profile name: %v", err)
		}
		renamed, err := s.UpdateProfile(acmeOrg15, "00e000000000002", "Account Executive")
		if err != nil || renamed.Name != "Account Executive" {
			t.Fatalf("UpdateProfile = %+v, %v", renamed, err)
		}
		token := env.login(t, "ck-acme", "rt-valid")
		_, _, body := env.get(t, queryPath("63.0", "SELECT Profile.Name FROM User WHERE Id = '005000000000003'"), token, nil)
		mustContain(t, string(body), `"Name":"Account Executive"`)
		if _, err := s.UpdateProfile(acmeOrg15, "00e000000000099", "X"); !errors.Is(err, ErrNotFound) {
			t.Fatalf("unknown profile: %v", err)
		}
		if _, err := s.UpdateProfile(acmeOrg15, "00e000000000002", "System Administrator"); !errors.Is(err, ErrConflict) {
			t.Fatalf("rename onto another profile's name: %v", err)
		}
	})

	t.Run("refresh tokens", func(t *testing.T) {
		rt, err := s.MintRefreshToken(globexOrg15, "SVC@GLOBEX.COM", time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		env.login(t, "ck-globex", rt)
		if _, err := s.MintRefreshToken(globexOrg15, "svc@acme.com", 0); !errors.Is(err, ErrNotFound) {
			t.Fatalf("user of another org: %v", err)
		}
		if _, err := s.MintRefreshToken("00D000000000099", "svc@acme.com", 0); !errors.Is(err, ErrNotFound) {
			t.Fatalf("unknown org: %v", err)
		}
		if _, err := s.MintRefreshToken(globexOrg15, "svc@globex.com", -time.Second); !errors.Is(err, ErrInvalid) {
			t.Fatalf("negative lifetime: %v", err)
		}
		if err := s.ExpireRefreshToken("nope"); !errors.Is(err, ErrNotFound) {
			t.Fatalf("expire unknown token: %v", err)
		}
		if err := s.RevokeRefreshToken("nope"); !errors.Is(err, ErrNotFound) {
			t.Fatalf("revoke unknown token: %v", err)
		}
	})
}

func TestAdminGroups(t *testing.T) {
	env := newTestEnv(t, func(c *fakeClock) []OrgSeed { return httpSeeds(t, c) })
	s := env.srv
	u1, u2, u3 := id18(t, "005000000000001"), id18(t, "005000000000002"), id18(t, "005000000000003")
	west := id18(t, "00G000000000001")
	token := env.login(t, "ck-acme", "rt-valid")
	// members answers the usernames of a group's members through SOQL.
	members := func(t *testing.T, groupID string) string {
		t.Helper()
		q := "SELECT Username FROM User WHERE Id IN (SELECT UserOrGroupId FROM GroupMember WHERE GroupId = '" + groupID + "') ORDER BY Username"
		status, _, body := env.get(t, queryPath("63.0", q), token, nil)
		if status != http.StatusOK {
			t.Fatalf("%d %s", status, body)
		}
		var page struct{ Records []struct{ Username string } }
		if err := json.Unmarshal(body, &page); err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, r := range page.Records {
			out = append(out, r.Username)
		}
		return strings.Join(out, ",")
	}

	t.Run("Groups", func(t *testing.T) {
		groups, err := s.Groups(acmeOrg15)
		if err != nil || len(groups) != 2 {
			t.Fatalf("Groups = %+v, %v", groups, err)
		}
		want := GroupSeed{ID: west, Name: "West Sales", DeveloperName: "West_Sales", MemberIDs: []string{u2, u3}}
		if !reflect.DeepEqual(groups[0], want) || groups[1].DeveloperName != "Everyone" || !strings.HasPrefix(groups[1].ID, "00G") {
			t.Fatalf("Groups = %+v", groups)
		}
		if groups, err := s.Groups(globexOrg15); err != nil || groups == nil || len(groups) != 0 {
			t.Fatalf("Groups of an org without groups = %#v, %v", groups, err)
		}
		if _, err := s.Groups("00D000000000099"); !errors.Is(err, ErrNotFound) {
			t.Fatalf("unknown org: %v", err)
		}
	})

	t.Run("AddGroup then query it", func(t *testing.T) {
		g, err := s.AddGroup(acmeOrg15, GroupSeed{Name: " Support ", DeveloperName: "Support", MemberIDs: []string{"005000000000003", u1}})
		if err != nil {
			t.Fatal(err)
		}
		if !sfid.Valid(g.ID) || len(g.ID) != 18 || !strings.HasPrefix(g.ID, "00G") || g.Name != "Support" || !reflect.DeepEqual(g.MemberIDs, []string{u3, u1}) {
			t.Fatalf("AddGroup returned %+v", g)
		}
		if got := members(t, g.ID[:15]); got != "gone@acme.com,svc@acme.com" {
			t.Fatalf("members %q", got)
		}
		empty, err := s.AddGroup(acmeOrg15, GroupSeed{ID: "00G000000000077", Name: "Nobody", DeveloperName: "Nobody"})
		if err != nil || empty.ID != id18(t, "00G000000000077") || empty.MemberIDs == nil || len(empty.MemberIDs) != 0 {
			t.Fatalf("AddGroup without members = %#v, %v", empty, err)
		}
	})

	t.Run("AddGroup errors", func(t *testing.T) {
		cases := map[string]struct {
			org  string
			g    GroupSeed
			want error
			msg  string
		}{
			"unknown org":       {"00D000000000099", GroupSeed{Name: "X", DeveloperName: "X"}, ErrNotFound, `org "00D000000000099"`},
			"API name taken":    {acmeOrg15, GroupSeed{Name: "X", DeveloperName: "west_SALES"}, ErrConflict, `group.developer_name "west_SALES" is already the API name of group ` + west},
			"ID taken":          {acmeOrg15, GroupSeed{ID: "00G000000000001", Name: "X", DeveloperName: "X"}, ErrConflict, "group.id " + west + " already exists"},
			"user of other org": {acmeOrg15, GroupSeed{Name: "X", DeveloperName: "X", MemberIDs: []string{"005000000000009"}}, ErrInvalid, "group.member_ids[0] 005000000000009AAA is not a user of org"},
			"bad API name":      {acmeOrg15, GroupSeed{Name: "X", DeveloperName: "X-Y"}, ErrInvalid, `group.developer_name "X-Y" contains '-'`},
			"no label":          {acmeOrg15, GroupSeed{DeveloperName: "X"}, ErrInvalid, "group.name is empty"},
			"ID of a user":      {acmeOrg15, GroupSeed{ID: "005000000000001", Name: "X", DeveloperName: "X"}, ErrInvalid, "group.id: invalid Salesforce ID"},
		}
		for name, tc := range cases {
			t.Run(name, func(t *testing.T) {
				_, err := s.AddGroup(tc.org, tc.g)
				if !errors.Is(err, tc.want) || !strings.Contains(err.Error(), tc.msg) {
					t.Fatalf("AddGroup error = %v, want %v containing %q", err, tc.want, tc.msg)
				}
			})
		}
	})

	t.Run("members", func(t *testing.T) {
		g, err := s.AddGroupMember(acmeOrg15, "00G000000000001", "005000000000001")
		if err != nil || !reflect.DeepEqual(g.MemberIDs, []string{u2, u3, u1}) {
			t.Fatalf("AddGroupMember = %+v, %v", g, err)
		}
		before := len(s.orgs[id18(t, acmeOrg15)].data.members)
		again, err := s.AddGroupMember(acmeOrg15, west, u1)
		if err != nil || !reflect.DeepEqual(again, g) || len(s.orgs[id18(t, acmeOrg15)].data.members) != before {
			t.Fatalf("adding a member again = %+v, %v; want no change", again, err)
		}
		g, err = s.RemoveGroupMember(acmeOrg15, west, "005000000000002")
		if err != nil || !reflect.DeepEqual(g.MemberIDs, []string{u3, u1}) {
			t.Fatalf("RemoveGroupMember = %+v, %v", g, err)
		}
		if got := members(t, west); got != "gone@acme.com,svc@acme.com" {
			t.Fatalf("members after the changes %q", got)
		}

		cases := map[string]struct {
			change     func(orgID, groupID, userID string) (GroupSeed, error)
			org, group string
			user       string
			want       error
			msg        string
		}{
			"add to unknown org":        {s.AddGroupMember, "00D000000000099", west, u1, ErrNotFound, "org"},
			"add to unknown group":      {s.AddGroupMember, acmeOrg15, "00G000000000099", u1, ErrNotFound, `group "00G000000000099"`},
			"add to malformed group":    {s.AddGroupMember, acmeOrg15, "nope", u1, ErrNotFound, `group "nope"`},
			"add a user of another org": {s.AddGroupMember, acmeOrg15, west, "005000000000009", ErrInvalid, "user_id 005000000000009AAA is not a user of org"},
			"add a malformed user":      {s.AddGroupMember, acmeOrg15, west, "x", ErrInvalid, `user_id: invalid Salesforce ID "x"`},
			"remove a non-member":       {s.RemoveGroupMember, acmeOrg15, west, u2, ErrNotFound, "user " + u2 + " in group " + west + " (West_Sales)"},
			"remove from unknown group": {s.RemoveGroupMember, acmeOrg15, "00G000000000099", u1, ErrNotFound, "group"},
			"remove a malformed user":   {s.RemoveGroupMember, acmeOrg15, west, "005", ErrInvalid, "user_id"},
		}
		for name, tc := range cases {
			t.Run(name, func(t *testing.T) {
				_, err := tc.change(tc.org, tc.group, tc.user)
				if !errors.Is(err, tc.want) || !strings.Contains(err.Error(), tc.msg) {
					t.Fatalf("error = %v, want %v containing %q", err, tc.want, tc.msg)
				}
			})
		}
	})

	t.Run("a running query keeps its snapshot", func(t *testing.T) {
		o := s.orgs[id18(t, acmeOrg15)]
		res, qerr := execute("SELECT Id FROM User WHERE Id IN (SELECT UserOrGroupId FROM GroupMember WHERE GroupId = '"+west+"')", o.data)
		if qerr != nil {
			t.Fatal(qerr)
		}
		if _, err := s.AddGroupMember(acmeOrg15, west, u2); err != nil {
			t.Fatal(err)
		}
		if res.total != 2 {
			t.Fatalf("the open result changed to %d records", res.total)
		}
		if got := members(t, west); got != "gone@acme.com,jane@acme.com,svc@acme.com" {
			t.Fatalf("a new query sees %q", got)
		}
	})
}
