package sforg

import (
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
