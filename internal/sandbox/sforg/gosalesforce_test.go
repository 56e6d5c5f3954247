package sforg_test

import (
	"fmt"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	gosf "github.com/k-capehart/go-salesforce/v3"
	"golang.org/x/oauth2"

	"github.com/salesseat/terraform-provider-salesseat/internal/sandbox/fixture"
	"github.com/salesseat/terraform-provider-salesseat/internal/sandbox/sforg"
	"github.com/salesseat/terraform-provider-salesseat/internal/sfid"
)

// These tests drive the simulated org with github.com/k-capehart/go-salesforce, a widely used
// third-party Salesforce REST client that knows nothing about the sandbox, with the default
// fixture's credentials. The library has no refresh-token grant: the access token comes from
// the refresh grant run with golang.org/x/oauth2, as a program using the library against a real
// org would do; the library's own JWT bearer flow is exercised too.

// gosfUser is a User record as the library decodes it (mapstructure, "salesforce" tags).
type gosfUser struct {
	ID        string `salesforce:"Id"`
	Username  string `salesforce:"Username"`
	Email     string `salesforce:"Email"`
	FirstName string `salesforce:"FirstName"`
	LastName  string `salesforce:"LastName"`
	Name      string `salesforce:"Name"`
	IsActive  bool   `salesforce:"IsActive"`
	ProfileID string `salesforce:"ProfileId"`
	Profile   struct {
		Name string `salesforce:"Name"`
	} `salesforce:"Profile"`
}

// gosfProfile is a Profile record as the library decodes it.
type gosfProfile struct {
	ID                     string `salesforce:"Id"`
	Name                   string `salesforce:"Name"`
	PermissionsViewAllData bool   `salesforce:"PermissionsViewAllData"`
}

// defaultFixtureOrg serves the default fixture's orgs and returns the server, its URL and the
// first org's seed.
func defaultFixtureOrg(t *testing.T) (*sforg.Server, string, sforg.OrgSeed, fixture.Org) {
	t.Helper()
	fix := fixture.Default()
	seeds := fix.OrgSeeds()
	srv, err := sforg.New(seeds, sforg.Options{})
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv.Handler())
	t.Cleanup(hs.Close)
	srv.SetBaseURL(hs.URL)
	return srv, hs.URL, seeds[0], fix.Orgs[0]
}

// refreshGrant runs the refresh-token grant with golang.org/x/oauth2 and returns the access
// token and instance URL.
func refreshGrant(t *testing.T, loginURL string, org fixture.Org) (accessToken, instanceURL string) {
	t.Helper()
	refresh := ""
	for _, rt := range org.RefreshTokens {
		if strings.EqualFold(rt.Username, org.ServiceUsername) {
			refresh = rt.Token
		}
	}
	if refresh == "" {
		t.Fatal("the default fixture has no refresh token of its service account")
	}
	conf := &oauth2.Config{
		ClientID:     org.ConnectedApp.ConsumerKey,
		ClientSecret: org.ConnectedApp.ConsumerSecret,
		Endpoint:     oauth2.Endpoint{TokenURL: loginURL + "/services/oauth2/token", AuthStyle: oauth2.AuthStyleInParams},
	}
	tok, err := conf.TokenSource(t.Context(), &oauth2.Token{RefreshToken: refresh}).Token()
	if err != nil {
		t.Fatalf("refresh grant: %v", err)
	}
	instanceURL, _ = tok.Extra("instance_url").(string)
	if tok.AccessToken == "" || instanceURL == "" {
		t.Fatalf("refresh grant: access token %t, instance_url %q", tok.AccessToken != "", instanceURL)
	}
	return tok.AccessToken, instanceURL
}

func TestGoSalesforceQueries(t *testing.T) {
	srv, loginURL, seed, org := defaultFixtureOrg(t)
	accessToken, instanceURL := refreshGrant(t, loginURL, org)
	// Init validates the token against GET /services/data/v63.0/limits by default.
	sf, err := gosf.Init(gosf.Creds{Domain: instanceURL, AccessToken: accessToken})
	if err != nil {
		t.Fatalf("go-salesforce Init with the access token: %v", err)
	}

	profileName := map[string]string{}
	for _, p := range seed.Profiles {
		id, _ := sfid.Normalize(p.ID)
		profileName[id] = p.Name
	}
	type want struct{ id, username string }
	var activeSalesReps, all []want
	for _, u := range seed.Users {
		id, _ := sfid.Normalize(u.ID)
		pid, _ := sfid.Normalize(u.ProfileID)
		all = append(all, want{id, u.Username})
		if u.Active && profileName[pid] == "Sales Rep" {
			activeSalesReps = append(activeSalesReps, want{id, u.Username})
		}
	}
	slices.SortFunc(activeSalesReps, func(a, b want) int { return strings.Compare(a.id, b.id) })
	if len(activeSalesReps) == 0 {
		t.Fatal("the default fixture has no active Sales Rep users")
	}

	t.Run("users with relationship field and filters", func(t *testing.T) {
		var users []gosfUser
		q := "SELECT Id, Username, Email, FirstName, LastName, Name, IsActive, ProfileId, Profile.Name FROM User " +
			"WHERE IsActive = true AND Profile.Name = 'Sales Rep' ORDER BY Id"
		if err := sf.Query(q, &users); err != nil {
			t.Fatal(err)
		}
		if len(users) != len(activeSalesReps) {
			t.Fatalf("got %d users, want %d", len(users), len(activeSalesReps))
		}
		for i, u := range users {
			if u.ID != activeSalesReps[i].id || u.Username != activeSalesReps[i].username {
				t.Fatalf("user %d = %s %s, want %s %s", i, u.ID, u.Username, activeSalesReps[i].id, activeSalesReps[i].username)
			}
			if !u.IsActive || u.Profile.Name != "Sales Rep" || len(u.ID) != 18 || u.Name != strings.TrimSpace(u.FirstName+" "+u.LastName) {
				t.Fatalf("user %d decoded as %+v", i, u)
			}
		}
	})

	t.Run("IN, LIKE, OR, !=, DESC and LIMIT", func(t *testing.T) {
		var expected []string
		for i, u := range seed.Users {
			if u.Active && (strings.HasPrefix(strings.ToLower(u.Username), "j") || i < 2) {
				expected = append(expected, u.Username)
			}
		}
		slices.Sort(expected)
		slices.Reverse(expected)
		if len(expected) < 3 {
			t.Fatalf("the default fixture matches only %d users; the LIMIT would not bite", len(expected))
		}
		var users []gosfUser
		q := fmt.Sprintf("SELECT Id, Username FROM User WHERE (Username LIKE 'j%%' OR Id IN ('%s', '%s')) AND IsActive != false ORDER BY Username DESC LIMIT 2",
			all[0].id, all[1].id)
		if err := sf.Query(q, &users); err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, u := range users {
			got = append(got, u.Username)
		}
		if !slices.Equal(got, expected[:2]) {
			t.Fatalf("got %q, want %q", got, expected[:2])
		}
	})

	t.Run("profiles", func(t *testing.T) {
		var profiles []gosfProfile
		if err := sf.Query("SELECT Id, Name, PermissionsViewAllData FROM Profile ORDER BY Name", &profiles); err != nil {
			t.Fatal(err)
		}
		if len(profiles) != len(seed.Profiles) {
			t.Fatalf("got %d profiles, want %d", len(profiles), len(seed.Profiles))
		}
		for i, p := range profiles {
			if profileName[p.ID] != p.Name {
				t.Fatalf("profile %s is named %q, want %q", p.ID, p.Name, profileName[p.ID])
			}
			if i > 0 && profiles[i-1].Name > p.Name {
				t.Fatalf("profiles not ordered by name: %q before %q", profiles[i-1].Name, p.Name)
			}
		}
	})

	t.Run("nextRecordsUrl across batches", func(t *testing.T) {
		extra := 2100 - len(seed.Users)
		for i := range extra {
			_, err := srv.AddUser(seed.ID, sforg.UserSeed{
				Username: fmt.Sprintf("bulk%04d@gosf.example", i), Email: fmt.Sprintf("bulk%04d@gosf.example", i),
				LastName: "Bulk", Active: true, ProfileID: seed.Users[0].ProfileID,
			})
			if err != nil {
				t.Fatal(err)
			}
		}
		var users []gosfUser
		if err := sf.Query("SELECT Id FROM User", &users); err != nil {
			t.Fatal(err)
		}
		seen := map[string]bool{}
		for _, u := range users {
			seen[u.ID] = true
		}
		if len(users) != 2100 || len(seen) != 2100 {
			t.Fatalf("got %d users (%d distinct), want 2100 over two batches", len(users), len(seen))
		}
	})

	t.Run("Salesforce error array", func(t *testing.T) {
		var users []gosfUser
		err := sf.Query("SELECT Id FROM User WHERE", &users)
		if err == nil || !strings.Contains(err.Error(), "MALFORMED_QUERY") {
			t.Fatalf("err = %v, want the MALFORMED_QUERY error array", err)
		}
	})

	t.Run("expired session", func(t *testing.T) {
		srv.ExpireAccessTokens(seed.ID)
		var users []gosfUser
		err := sf.Query("SELECT Id FROM User LIMIT 1", &users)
		// The library cannot renew a bare access token; it must have recognized
		// INVALID_SESSION_ID (its cue to refresh) and given up.
		if err == nil || !strings.Contains(err.Error(), "unable to refresh session") {
			t.Fatalf("err = %v, want the library's refusal to refresh a bare access token", err)
		}
	})
}

func TestGoSalesforceJWTBearer(t *testing.T) {
	srv, loginURL, seed, org := defaultFixtureOrg(t)
	if org.ConnectedApp.PrivateKey == "" {
		t.Fatal("the default fixture publishes no connected app private key")
	}
	sf, err := gosf.Init(gosf.Creds{
		Domain:         loginURL,
		Username:       org.ServiceUsername,
		ConsumerKey:    org.ConnectedApp.ConsumerKey,
		ConsumerRSAPem: org.ConnectedApp.PrivateKey,
	})
	if err != nil {
		t.Fatalf("go-salesforce JWT bearer login: %v", err)
	}
	if sf.GetAuthFlow() != gosf.AuthFlowJWT {
		t.Fatalf("auth flow = %v, want JWT", sf.GetAuthFlow())
	}

	query := func() {
		t.Helper()
		var users []gosfUser
		q := fmt.Sprintf("SELECT Id, Username, Profile.Name FROM User WHERE Username = '%s'", org.ServiceUsername)
		if err := sf.Query(q, &users); err != nil {
			t.Fatal(err)
		}
		if len(users) != 1 || !strings.EqualFold(users[0].Username, org.ServiceUsername) || users[0].Profile.Name == "" {
			t.Fatalf("got %+v, want the service account with its profile name", users)
		}
	}
	query()
	// After INVALID_SESSION_ID the library re-runs the JWT grant and retries once.
	srv.ExpireAccessTokens(seed.ID)
	query()
}
