package sforg_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/salesseat/terraform-provider-salesseat/internal/sandbox/sforg"
)

// TestStandardClientCompatibility logs in and queries the way the
// Salesforce REST API Developer Guide describes it, with nothing but
// net/http and encoding/json: a form POST to /services/oauth2/token, then
// the version list, then GET .../query/?q= with "Authorization: Bearer",
// following nextRecordsUrl until done.
func TestStandardClientCompatibility(t *testing.T) {
	seed := sforg.OrgSeed{
		ID: "00D000000000123", Name: "Compat", ConsumerKey: "3MVG9compat", ConsumerSecret: "s3cret",
		Profiles:      []sforg.ProfileSeed{{ID: "00e000000000123", Name: "Standard User"}},
		RefreshTokens: []sforg.RefreshTokenSeed{{Token: "5Aep861compat", Username: "u00000@compat.example"}},
	}
	const users = 2100
	for i := range users {
		seed.Users = append(seed.Users, sforg.UserSeed{
			Username: fmt.Sprintf("u%05d@compat.example", i), Email: fmt.Sprintf("u%05d@compat.example", i),
			LastName: fmt.Sprintf("User %d", i), Active: true, ProfileID: "00e000000000123",
		})
	}
	srv, err := sforg.New([]sforg.OrgSeed{seed}, sforg.Options{})
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv.Handler())
	defer hs.Close()
	srv.SetBaseURL(hs.URL)
	loginURL := hs.URL // what a user would set instead of https://login.salesforce.com

	// 1. Refresh-token flow: form-encoded POST.
	form := url.Values{}
	form.Set("grant_type", "refresh_token")
	form.Set("client_id", "3MVG9compat")
	form.Set("client_secret", "s3cret")
	form.Set("refresh_token", "5Aep861compat")
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, loginURL+"/services/oauth2/token", strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var login struct {
		AccessToken string `json:"access_token"`
		InstanceURL string `json:"instance_url"`
		ID          string `json:"id"`
		TokenType   string `json:"token_type"`
	}
	err = json.NewDecoder(resp.Body).Decode(&login)
	resp.Body.Close()
	if err != nil || resp.StatusCode != http.StatusOK || login.AccessToken == "" || login.TokenType != "Bearer" {
		t.Fatalf("login: HTTP %d, %+v, %v", resp.StatusCode, login, err)
	}

	getJSON := func(path string, out any) {
		t.Helper()
		req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, login.InstanceURL+path, nil)
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Authorization", "Bearer "+login.AccessToken)
		req.Header.Set("Accept", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("GET %s: HTTP %d", path, resp.StatusCode)
		}
		if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
			t.Fatalf("GET %s: %v", path, err)
		}
	}

	// 2. Pick the newest API version from the version list.
	var versions []struct {
		Version string `json:"version"`
		URL     string `json:"url"`
	}
	getJSON("/services/data/", &versions)
	latest := versions[len(versions)-1]
	if latest.Version != "63.0" {
		t.Fatalf("latest version %+v", latest)
	}

	// 3. Query, following nextRecordsUrl.
	type record struct {
		Attributes struct {
			Type string `json:"type"`
			URL  string `json:"url"`
		} `json:"attributes"`
		ID       string `json:"Id"`
		Username string `json:"Username"`
		Profile  struct {
			Name string `json:"Name"`
		} `json:"Profile"`
	}
	var all []record
	next := latest.URL + "/query/?q=" + url.QueryEscape("SELECT Id, Username, Profile.Name FROM User WHERE IsActive = true ORDER BY Username")
	pages := 0
	for next != "" {
		var page struct {
			TotalSize      int      `json:"totalSize"`
			Done           bool     `json:"done"`
			NextRecordsURL string   `json:"nextRecordsUrl"`
			Records        []record `json:"records"`
		}
		getJSON(next, &page)
		pages++
		if page.TotalSize != users {
			t.Fatalf("totalSize %d, want %d", page.TotalSize, users)
		}
		all = append(all, page.Records...)
		next = page.NextRecordsURL
		if page.Done {
			next = ""
		}
	}
	if len(all) != users || pages != 2 {
		t.Fatalf("read %d records in %d pages, want %d in 2", len(all), pages, users)
	}
	first, last := all[0], all[users-1]
	if first.Username != "u00000@compat.example" || last.Username != fmt.Sprintf("u%05d@compat.example", users-1) ||
		first.Profile.Name != "Standard User" || first.Attributes.Type != "User" ||
		first.Attributes.URL != "/services/data/v63.0/sobjects/User/"+first.ID || len(first.ID) != 18 {
		t.Fatalf("first %+v, last %+v", first, last)
	}
	// 4. The identity URL of the token response describes the user.
	var identity struct {
		UserID   string `json:"user_id"`
		Username string `json:"username"`
	}
	getJSON(strings.TrimPrefix(login.ID, login.InstanceURL), &identity)
	if identity.UserID != first.ID || identity.Username != first.Username {
		t.Fatalf("identity %+v, want the logged-in user %s", identity, first.ID)
	}
}
