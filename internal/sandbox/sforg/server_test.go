package sforg

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

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
		"org ID of a user":   {func(s []OrgSeed) { s[0].ID = "005000000000001" }, ErrInvalid, "does not start with 00D"},
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

func TestSnapshotRestoreRoundTrip(t *testing.T) {
	env := newTestEnv(t, func(c *fakeClock) []OrgSeed { return httpSeeds(t, c) })
	env.login(t, "ck-acme", "rt-valid") // a session that ExpireRefreshToken ends
	minted, _ := env.srv.MintRefreshToken(acmeOrg15, "jane@acme.com", time.Hour)
	if err := env.srv.ExpireRefreshToken("rt-valid"); err != nil {
		t.Fatal(err)
	}
	token := env.login(t, "ck-acme", minted)
	if _, err := env.srv.AddUser(acmeOrg15, UserSeed{Username: "new@acme.com", Email: "new@acme.com", LastName: "New", Active: true, ProfileID: "00e000000000002", UserRoleName: "North"}); err != nil {
		t.Fatal(err)
	}

	raw, err := json.Marshal(env.srv.Snapshot())
	if err != nil {
		t.Fatal(err)
	}
	var st State
	if err := json.Unmarshal(raw, &st); err != nil {
		t.Fatal(err)
	}
	restored, err := New(nil, Options{Now: env.clock.Now, AccessTokenTTL: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	if err := restored.Restore(st); err != nil {
		t.Fatalf("Restore: %v", err)
	}
	if again := restored.Snapshot(); !reflect.DeepEqual(again, st) {
		t.Fatalf("Snapshot after Restore differs:\n%+v\n%+v", again, st)
	}

	// The restored server keeps sessions, token states and roles.
	env = &testEnv{srv: restored, http: httptest.NewServer(restored.Handler()), clock: env.clock}
	t.Cleanup(env.http.Close)
	restored.SetBaseURL(env.http.URL)
	status, _, body := env.get(t, queryPath("63.0", "SELECT Username, UserRole.Name FROM User WHERE UserRole.Name = 'North'"), token, nil)
	if status != http.StatusOK || !strings.Contains(string(body), `"Username":"new@acme.com"`) {
		t.Fatalf("old session on restored server: %d %s", status, body)
	}
	code, answer := env.postToken(t, map[string][]string{"grant_type": {"refresh_token"}, "client_id": {"ck-acme"}, "refresh_token": {"rt-valid"}})
	if code != http.StatusBadRequest || answer["error_description"] != "expired access/refresh token" {
		t.Fatalf("expired token after restore: %d %v", code, answer)
	}
	env.login(t, "ck-acme", minted)
	// A role minted after the restore does not collide with restored ones.
	u, err := restored.AddUser(acmeOrg15, UserSeed{Username: "n2@acme.com", Email: "n2@acme.com", LastName: "N", ProfileID: "00e000000000002", UserRoleName: "South"})
	if err != nil {
		t.Fatal(err)
	}
	roles := map[string]bool{}
	for _, r := range restored.Snapshot().Orgs[0].Roles {
		if roles[r.ID] {
			t.Fatalf("role ID %s minted twice", r.ID)
		}
		roles[r.ID] = true
	}
	if u.UserRoleName != "South" || len(roles) != 3 {
		t.Fatalf("roles after restore: %v, user %+v", roles, u)
	}

	t.Run("invalid state changes nothing", func(t *testing.T) {
		bad := st
		bad.AccessTokens = append([]AccessTokenState(nil), st.AccessTokens...)
		bad.AccessTokens = append(bad.AccessTokens, AccessTokenState{Token: "x", OrgID: "00Dnope", UserID: "005nope"})
		if err := restored.Restore(bad); !errors.Is(err, ErrInvalid) {
			t.Fatalf("Restore(bad) = %v", err)
		}
		if status, _, body := env.get(t, queryPath("63.0", "SELECT Id FROM Organization"), token, nil); status != http.StatusOK {
			t.Fatalf("state lost after a refused Restore: %d %s", status, body)
		}
	})
}

func TestConcurrentUse(t *testing.T) {
	env := newTestEnv(t, manyUsersSeed(2500))
	var wg sync.WaitGroup
	errs := make(chan error, 64)
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 5 {
				token, err := env.tryLogin("ck-big", "rt-big")
				if err != nil {
					errs <- err
					return
				}
				path := queryPath("63.0", "SELECT Id, Profile.Name FROM User WHERE IsActive = true ORDER BY LastName DESC")
				for path != "" {
					status, body, err := env.tryGet(path, token)
					if err != nil || status != http.StatusOK {
						errs <- fmt.Errorf("goroutine %d: %d %s", g, status, body)
						return
					}
					var page struct{ NextRecordsURL string }
					if err := json.Unmarshal(body, &page); err != nil {
						errs <- err
						return
					}
					path = page.NextRecordsURL
				}
				if _, err := env.srv.AddUser(acmeOrg15, UserSeed{Username: fmt.Sprintf("c%d-%d@big.com", g, i), Email: "c@big.com", LastName: "C", Active: true, ProfileID: "00e000000000002"}); err != nil {
					errs <- err
					return
				}
				env.srv.Snapshot()
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	users, err := env.srv.Users(acmeOrg15)
	if err != nil || len(users) != 2501+40 {
		t.Fatalf("%d users after concurrent adds (%v), want %d", len(users), err, 2501+40)
	}
}
