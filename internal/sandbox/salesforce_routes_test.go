package sandbox

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// TestSimulatedOrgRoutes checks that the simulated org is reachable on the
// sandbox's own listener as a Salesforce client would use it: log in at the
// printed login URL with the printed refresh token, then follow the identity
// URL the token response names.
func TestSimulatedOrgRoutes(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	form := url.Values{
		"grant_type":    {"refresh_token"},
		"refresh_token": {e.creds.RefreshToken},
		"client_id":     {e.creds.OAuthClientID},
	}
	tokenReq, err := http.NewRequestWithContext(t.Context(), http.MethodPost, e.creds.LoginURL+"/services/oauth2/token", strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	tokenReq.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := http.DefaultClient.Do(tokenReq)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var tok struct {
		AccessToken string `json:"access_token"`
		ID          string `json:"id"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&tok); err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("token: status %d, err %v", resp.StatusCode, err)
	}
	if !strings.HasPrefix(tok.ID, e.url+"/id/") {
		t.Fatalf("identity URL %q is not served by the sandbox at %s", tok.ID, e.url)
	}
	req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, tok.ID, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+tok.AccessToken)
	idResp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer idResp.Body.Close()
	var identity struct {
		Username string `json:"username"`
	}
	if err := json.NewDecoder(idResp.Body).Decode(&identity); err != nil || idResp.StatusCode != http.StatusOK {
		t.Fatalf("identity URL: status %d, err %v", idResp.StatusCode, err)
	}
	if identity.Username != e.creds.ServiceUsername {
		t.Errorf("identity username %q, want %q", identity.Username, e.creds.ServiceUsername)
	}
}

func TestOrgRouteKeys(t *testing.T) {
	t.Parallel()
	cases := map[string]string{
		"/services/oauth2/token":                      "/services/oauth2/token",
		"/services/oauth2/userinfo":                   "/services/oauth2/userinfo",
		"/services/data":                              "/services/data",
		"/services/data/":                             "/services/data",
		"/services/data/v63.0":                        "/services/data/{version}",
		"/services/data/v63.0/query":                  "/services/data/{version}/query",
		"/services/data/v50.0/query/":                 "/services/data/{version}/query",
		"/services/data/v63.0/query/01gABC-2000":      "/services/data/{version}/query/{locator}",
		"/services/data/v63.0/queryAll/01gABC-2000":   "/services/data/{version}/queryAll/{locator}",
		"/services/data/v63.0/limits":                 "/services/data/{version}/limits",
		"/id/00D5A0000000001UAA/0055A0000000001QAA":   "/id/{org_id}/{user_id}",
		"/services/apexrest/anything":                 "/services/",
		"/id/too/many/segments":                       "/id/",
		"/services/oauth2/token/extra/segments/there": "/services/",
	}
	for path, want := range cases {
		t.Run(path, func(t *testing.T) {
			t.Parallel()
			if got := orgRoute(path); got != want {
				t.Errorf("orgRoute(%q) = %q, want %q", path, got, want)
			}
		})
	}
}
