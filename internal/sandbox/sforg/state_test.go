package sforg

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"
	"time"
)

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

	if _, err := env.srv.AddGroup(acmeOrg15, GroupSeed{Name: "New Hires", DeveloperName: "New_Hires", MemberIDs: []string{"005000000000003"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := env.srv.RemoveGroupMember(acmeOrg15, "00G000000000001", "005000000000002"); err != nil {
		t.Fatal(err)
	}
	groups, _ := env.srv.Groups(acmeOrg15)

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
	if got, _ := restored.Groups(acmeOrg15); len(got) != 3 || !reflect.DeepEqual(got, groups) {
		t.Fatalf("groups after Restore:\n%+v\nwant\n%+v", got, groups)
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
