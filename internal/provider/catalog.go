package provider

import (
	"fmt"
	"strings"
)

// The value catalogs below are part of the API contract. Each slice feeds
// both the validator of an attribute and the "supported values" sentence of its
// description, so the documentation cannot drift from what is accepted.
var (
	// roleNames is the platform's role catalog.
	roleNames = []string{"administrator", "marketing", "sales_manager", "sales"}

	// hiddenComponentNames are the platform components that can be hidden
	// from a sales user.
	hiddenComponentNames = []string{"hot_prospects", "website_visitors", "sent_messages", "activity_history", "email_signature"}

	// environmentNames are the kinds of Salesforce org a connection can link.
	environmentNames = []string{environmentProduction, environmentSandbox}
)

const (
	environmentProduction = "production"
	environmentSandbox    = "sandbox"

	statusConnected    = "connected"
	statusDisconnected = "disconnected"

	authMethodRefreshToken = "refresh_token"
	authMethodJWTBearer    = "jwt_bearer"

	roleSourceExplicit       = "explicit"
	roleSourceProfileMapping = "profile_mapping"

	// pageSize is the page size used for every listing: the API's maximum,
	// so an org with 50,000 users is read in 50 requests.
	pageSize = 1000
)

// defaultLoginURLs maps an environment to the Salesforce login host the
// platform uses when login_url is not set.
var defaultLoginURLs = map[string]string{
	environmentProduction: "https://login.salesforce.com",
	environmentSandbox:    "https://test.salesforce.com",
}

// supportedValues renders a catalog for a MarkdownDescription, e.g.
// "Supported values: `a`, `b`.".
func supportedValues(values []string) string {
	quoted := make([]string, len(values))
	for i, v := range values {
		quoted[i] = "`" + v + "`"
	}
	return fmt.Sprintf("Supported values: %s.", strings.Join(quoted, ", "))
}
