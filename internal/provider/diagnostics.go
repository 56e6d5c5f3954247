package provider

// This file keeps the wording of every diagnostic built from an API error in
// one place. A diagnostic has a short Title Case summary and a detail that
// says what failed, what to do about it, and ends with the original error.
// The client's errors never contain secrets (it redacts them), and nothing
// here adds any.

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"

	"github.com/salesseat/terraform-provider-salesseat/internal/client"
)

const (
	// reportBug ends details of errors that only a provider bug can cause.
	reportBug = "Please report this issue to the provider developers."

	// seatLimitNote is the sentence every seat diagnostic ends with.
	seatLimitNote = "The seat limit is raised by your vendor, not Terraform."

	// seatShortageSummary is the summary of the plan-time seat shortage
	// error and of the warnings that name the further sales users that do
	// not fit; one summary lets Terraform collapse the warnings.
	seatShortageSummary = "Not Enough Seats"

	// userManagedSummary is the summary of the refusal to import on a
	// connection that hands user management to a Salesforce group.
	userManagedSummary = "User Management Is In Salesforce"
)

// resourceNames names the resource kinds of not_found problems: a Title
// Case title for the summary and a noun for the detail.
var resourceNames = map[string]struct{ title, noun string }{
	"sales_user":        {"Sales User", "sales user"},
	"connection":        {"Connection", "connection"},
	"role_mapping":      {"Role Mapping", "role mapping"},
	"crm_user":          {"CRM User", "CRM user"},
	"crm_profile":       {"CRM Profile", "CRM profile"},
	"crm_group":         {"Salesforce Group", "Salesforce public group"},
	"recycle_bin_entry": {"Recycle Bin Entry", "recycle bin entry"},
}

// problemAttribute picks the attribute a problem belongs to. It returns false
// when the problem concerns the resource as a whole.
type problemAttribute func(e *client.Error) (path.Path, bool)

// addAPIError appends the diagnostic for err to diags. action completes the
// sentence "Could not ...", e.g. "create the sales user". at, when not nil,
// attaches problems that concern one attribute to it.
func addAPIError(diags *diag.Diagnostics, action string, err error, at problemAttribute) {
	summary, detail := describeError(action, err)
	var apiErr *client.Error
	if at != nil && errors.As(err, &apiErr) {
		if p, ok := at(apiErr); ok {
			diags.AddAttributeError(p, summary, detail)
			return
		}
	}
	diags.AddError(summary, detail)
}

// describeError returns the summary and detail of the diagnostic for err.
func describeError(action string, err error) (summary, detail string) {
	var (
		apiErr  *client.Error
		authErr *client.AuthenticationError
		unexp   *client.UnexpectedResponseError
	)
	switch {
	case errors.As(err, &authErr):
		return "Unable To Authenticate",
			fmt.Sprintf("Could not %s: the provider could not get an access token for client_id %q. "+
				"Check client_id and client_secret (or SALESSEAT_CLIENT_ID and SALESSEAT_CLIENT_SECRET) and that endpoint points at the salesseat API.\n\n"+
				"Original error: %s", action, authErr.ClientID, err)
	case errors.As(err, &apiErr):
		summary, body := describeProblem(apiErr)
		return summary, fmt.Sprintf("Could not %s. %s\n\nOriginal error: %s", action, body, err)
	case errors.As(err, &unexp):
		return "Unexpected API Response",
			fmt.Sprintf("Could not %s: the API answered with something that is not a salesseat API response. "+
				"Check that endpoint points at the salesseat API; if it does, a proxy or gateway in between failed: try again later.\n\n"+
				"Original error: %s", action, err)
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return "Operation Interrupted",
			fmt.Sprintf("Could not %s: the operation was canceled or timed out before the API answered. "+
				"Run Terraform again; raise request_timeout if the API is slow to answer.\n\nOriginal error: %s", action, err)
	default:
		var urlErr *url.Error
		if errors.As(err, &urlErr) {
			return "Unable To Reach The API",
				fmt.Sprintf("Could not %s: the salesseat API could not be reached. Check endpoint and the network, then try again.\n\n"+
					"Original error: %s", action, err)
		}
		return "Client Error", fmt.Sprintf("Could not %s.\n\nOriginal error: %s", action, err)
	}
}

// describeProblem returns the summary and the cause-and-fix text for an API
// problem, built from its typed extension members.
func describeProblem(e *client.Error) (summary, body string) {
	switch e.Code {
	case client.CodeSeatLimitReached:
		return "No Free Seat", seatLimitText(e.SeatsRequested, e.SeatsUsed, e.SeatLimit)
	case client.CodeCRMUsernameMapped:
		return "CRM Username Already Mapped", usernameMappedText(e)
	case client.CodeCRMUsernameReserved:
		return "CRM Username Reserved", fmt.Sprintf(
			"The CRM username %q equals the email of platform user %s (%s), who is not mapped to a CRM user yet, so that username is reserved for that platform user. "+
				"Change that platform user's email in the platform, or give this CRM user a different username in Salesforce, then plan again.",
			e.CRMUsername, platformUser(e.PlatformUserName, e.PlatformUserEmail), orDash(e.PlatformUserID))
	case client.CodeProfileNotMapped:
		return "Profile Has No Role Mapping", profileNotMappedText(e, false)
	case client.CodeCRMUserInactive:
		return "CRM User Inactive", fmt.Sprintf(
			"CRM user %s is inactive in Salesforce, and an inactive user cannot become a sales user. "+
				"Reactivate the user in Salesforce, or remove it from the configuration (a for_each over data.salesseat_crm_users can filter with active = true).",
			crmUser(e.CRMUsername, e.CRMUserID))
	case client.CodeServiceAccountNotAllowed:
		return "Service Account Cannot Be A Sales User", fmt.Sprintf(
			"CRM user %s is the service account the connection authorizes as, and the service account may not be a sales user. "+
				"Remove it from the configuration (in a for_each over data.salesseat_crm_users, leave out its username).",
			crmUser(e.CRMUsername, e.CRMUserID))
	case client.CodeConnectionDisconnected:
		return "Connection Disconnected", disconnectedText(e.ConnectionID, e.StatusReason)
	case client.CodeCRMAuthorizationFailed:
		return "Salesforce Authorization Failed", crmAuthorizationText(e)
	case client.CodeServiceAccountMissingPermission:
		perm := e.Permission
		if perm == "" {
			perm = "View All Data"
		}
		return "Service Account Lacks Permission", fmt.Sprintf(
			"The service account %q does not have the %q permission in Salesforce, which the connection needs to read users and profiles. "+
				"Grant %q to the service account's profile or through a permission set, or set service_username to an account that has it, then apply again.",
			e.ServiceUsername, perm, perm)
	case client.CodeRoleMappingExists:
		return "Profile Already Mapped", fmt.Sprintf(
			"CRM profile %s already has a role mapping (%s) on this connection, and a profile maps to one role per connection. "+
				"Manage the existing mapping with Terraform instead of creating a second one:\n\n%s",
			orDash(e.CRMProfileID), e.ConflictingRoleMappingID,
			importBlock("salesseat_profile_role_mapping", e.ConflictingRoleMappingID))
	case client.CodeUserManagementInSalesforce:
		return userManagedSummary, userManagedText(e)
	case client.CodeNotFound:
		name, ok := resourceNames[e.Resource]
		if !ok {
			name.title, name.noun = "Object", "object"
		}
		return name.title + " Not Found", fmt.Sprintf("The salesseat API has no such %s. %s", name.noun, e.Detail)
	case client.CodeUnauthorized:
		return "Unauthorized", "The API rejected the provider's access token. Check client_id and client_secret (or SALESSEAT_CLIENT_ID and SALESSEAT_CLIENT_SECRET); if they are right, the API client may have been disabled."
	case client.CodeInsufficientScope:
		return "Insufficient Scope", "The API client is not allowed to do this: reading needs the salesseat.read scope and every change needs salesseat.write. Ask the account's administrator to grant the scope to the API client."
	case client.CodeValidationFailed:
		return "Invalid Value", validationText(e)
	case client.CodePreconditionFailed:
		return "Concurrent Change", "The object was changed by someone else while Terraform was changing it. Run terraform plan again to see the current state."
	case client.CodeRateLimited:
		if e.RetryWaitMax > 0 {
			return "Rate Limited", fmt.Sprintf("The API answered 429 Too Many Requests and asked to wait %s (Retry-After), longer than retry_wait_max (%s), "+
				"so the provider did not wait or retry. Try again later, or raise retry_wait_max in the provider configuration to let it wait that long.",
				e.RetryAfter, e.RetryWaitMax)
		}
		return "Rate Limited", "The API kept answering 429 Too Many Requests after every retry. Try again later, lower terraform's -parallelism, or raise max_retries in the provider configuration."
	case client.CodeInternalError:
		return "Salesseat API Error", "The API answered with an internal error. Such a request is not retried, because the API may have made the change before failing: " +
			"run terraform plan to see the current state, then apply again. If it keeps failing, report it to your vendor with the time of the request."
	case client.CodeUnavailable:
		if e.RetryWaitMax > 0 {
			return "Salesseat API Unavailable", fmt.Sprintf("The API is unavailable and asked to wait %s (Retry-After), longer than retry_wait_max (%s), "+
				"so the provider did not wait or retry. Try again later, or raise retry_wait_max in the provider configuration to let it wait that long.",
				e.RetryAfter, e.RetryWaitMax)
		}
		return "Salesseat API Unavailable", "The API failed after every retry. Try again later; raise max_retries in the provider configuration to wait longer."
	case client.CodeIdempotencyKeyReused:
		return "Idempotency Key Reused", "The API saw the same idempotency key with a different request. " + reportBug
	default:
		title := e.Title
		if title == "" {
			title = "API Error"
		}
		return titleCase(title), e.Detail
	}
}

// userManagedText explains user_management_in_salesforce: the connection's
// seats follow a Salesforce group, so the fix is in Salesforce (add the user
// to the group) and in the configuration (drop the per-user declaration).
func userManagedText(e *client.Error) string {
	who := "this CRM user"
	if e.CRMUsername != "" || e.CRMUserID != "" {
		who = "CRM user " + crmUser(e.CRMUsername, e.CRMUserID)
	}
	return fmt.Sprintf("Connection %s hands user management to the Salesforce public group %q (user_management_group on its salesseat_crm_connection), "+
		"so the platform creates and removes its sales users from the group's members and refuses imports by hand. "+
		"To give %s a seat, add it to the group %q in Salesforce (Setup > Public Groups); the next sync creates the sales user with the role of its profile's mapping. "+
		"Then remove this salesseat_sales_user (or roster member) from the configuration: on this connection Terraform manages the connection and the salesseat_profile_role_mapping resources, "+
		"and Salesforce the group. To manage seats in Terraform instead, remove user_management_group from the connection first.",
		orDash(e.ConnectionID), e.UserManagementGroup, who, e.UserManagementGroup)
}

// userManagedDeclared is the plan error of a sales user (or roster) that
// declares seats on a connection whose user management is handed to a
// Salesforce group: the group decides, so the declaration must go; a
// removed block keeps the sales users while Terraform forgets them.
func userManagedDeclared(connectionID, group, what, address string) string {
	return fmt.Sprintf("Connection %s hands user management to the Salesforce public group %q (user_management_group on its salesseat_crm_connection): "+
		"the platform's sync gives the group's members their seats and removes everyone else's, so %s on this connection would fight it. "+
		"Take it out of the configuration. To keep the sales users while Terraform forgets them, use a removed block:\n\n"+
		"removed {\n  from = %s\n\n  lifecycle {\n    destroy = false\n  }\n}\n\n"+
		"Then manage who holds a seat through the group's members in Salesforce (Setup > Public Groups). "+
		"To manage seats in Terraform instead, remove user_management_group from the connection.",
		connectionID, group, what, address)
}

// seatLimitText says that the API refused to add requested sales users
// (the sales users of one request, not of the whole plan) for lack of seats.
func seatLimitText(requested, used, limit int) string {
	free := max(limit-used, 0)
	if requested < 1 {
		requested = 1
	}
	return fmt.Sprintf("Adding %d sales %s needs %d free %s, but only %d of %d seats are free (%d used). "+
		"Remove sales users from the configuration, free seats by destroying other salesseat_sales_user resources, or buy more seats. %s",
		requested, plural(requested, "user", "users"), requested, plural(requested, "seat", "seats"), free, limit, used, seatLimitNote)
}

// seatShortageText explains a plan-time seat shortage found by the seat
// ledger, once for the plan: its totals once the ledger has settled, and
// the planned sales users, sorted.
func seatShortageText(c seatCheck, planned []string) string {
	over := max(c.Planned-c.Free, 0)
	if c.Budget > 0 {
		return fmt.Sprintf("%d sales %s planned for creation, %d %s free under the seat budget (max_seats = %d in the provider configuration; %d %s used, "+
			"and the account's seat limit is %d): remove %d from the configuration, or raise max_seats if this configuration may take more of the account's seats. "+
			"The planned sales users: %s.",
			c.Planned, plural(c.Planned, "user is", "users are"), c.Free, plural(c.Free, "seat is", "seats are"), c.Budget, c.Used, plural(c.Used, "seat is", "seats are"),
			c.Limit, over, joinFirst(planned, 20))
	}
	return fmt.Sprintf("%d sales %s planned for creation, %d %s free (the account's seat limit is %d and %d %s used): remove %d from the configuration, "+
		"or raise the seat limit through your vendor. The planned sales users: %s.\n\n"+
		"The seats of sales users this plan destroys do not count, because Terraform may create before it destroys; "+
		"free them in an apply of their own first (remove them from the configuration and apply with -target, or destroy them). "+
		"If this error stops terraform destroy, which plans the configuration before it destroys, run terraform destroy -refresh=false: "+
		"it skips that plan and frees the seats. %s",
		c.Planned, plural(c.Planned, "user is", "users are"), c.Free, plural(c.Free, "seat is", "seats are"), c.Limit, c.Used, plural(c.Used, "seat is", "seats are"),
		over, joinFirst(planned, 20), seatLimitNote)
}

// usernameMappedText explains which user holds the username and how to get
// it back, with the import block that brings the holder under Terraform.
func usernameMappedText(e *client.Error) string {
	holder := fmt.Sprintf("sales user %s (%s)", e.ConflictingSalesUserID, platformUser(e.ConflictingUserName, e.ConflictingUserEmail))
	if !e.InRecycleBin {
		return fmt.Sprintf("The CRM username %q is already mapped to %s, and a CRM username can be mapped to one platform user only. "+
			"If that sales user should be managed by this configuration, import it instead of creating a new one:\n\n%s",
			e.CRMUsername, holder, importBlock("salesseat_sales_user", e.ConflictingSalesUserID))
	}
	return fmt.Sprintf("The CRM username %q is still held by %s, which was deleted and is in the recycle bin: "+
		"a deleted sales user keeps its CRM username until it is restored or purged.\n\n"+
		"To keep that user and its history, restore it: a salesseat_sales_user resource for the same CRM user does that by itself with "+
		"restore_from_recycle_bin = true (the default). Or restore it from the recycle bin yourself (in the platform, or POST /api/v1/recycle-bin/%s/restore), "+
		"then bring it under Terraform with an import block instead of creating a new one:\n\n%s\n\n"+
		"To start afresh, purge it from the recycle bin (in the platform, or DELETE /api/v1/recycle-bin/%s); this frees the username for good, and the next apply creates the sales user.",
		e.CRMUsername, holder, e.ConflictingSalesUserID, importBlock("salesseat_sales_user", e.ConflictingSalesUserID), e.ConflictingSalesUserID)
}

// replacedHolderText explains why a sales user cannot be replaced by a new
// one for the same CRM user: the destroyed one keeps the CRM username in the
// recycle bin.
func replacedHolderText(e *client.Error) string {
	return fmt.Sprintf("This plan replaces sales user %s with a new sales user for the same CRM user %q, but a destroyed sales user moves to the recycle bin "+
		"and keeps its CRM username there, so the new one could not be created. "+
		"Undo the change that forces the replacement (such as a new connection_id), or replace it in steps: "+
		"remove the resource from the configuration and apply, purge %s from the recycle bin (in the platform, or DELETE /api/v1/recycle-bin/%s), "+
		"then add the resource back and apply.",
		e.ConflictingSalesUserID, e.CRMUsername, e.ConflictingSalesUserID, e.ConflictingSalesUserID)
}

// profileNotMappedText names the profile without a role mapping and shows the
// resource that fixes it; roleSet says that role is set on the resource
// already, so setting it is no advice.
func profileNotMappedText(e *client.Error, roleSet bool) string {
	profileLine := fmt.Sprintf("  crm_profile_id = %q", e.CRMProfileID)
	if e.CRMProfileName != "" {
		profileLine += " # " + e.CRMProfileName
	}
	connection := fmt.Sprintf("%q", e.ConnectionID)
	if e.ConnectionID == "" {
		connection = "salesseat_crm_connection.<name>.id"
	}
	advice := "Set role on this resource, or map the profile to a role:"
	if roleSet {
		// role is set already; what needs the mapping is the platform's
		// check (e.g. a restore checks the deleted sales user's own role).
		advice = "Setting role does not help here: map the profile to a role:"
	}
	text := fmt.Sprintf("The CRM user's profile %s has no role mapping on connection %s, and the connection has user sync enabled, so the platform cannot choose a role for the user. "+
		advice+"\n\n"+
		"resource \"salesseat_profile_role_mapping\" %q {\n  connection_id  = %s\n%s\n  role           = %q\n}\n\n"+
		"If such a mapping is part of this configuration, add it to this resource's depends_on so that Terraform creates it first.",
		profile(e.CRMProfileName, e.CRMProfileID), orDash(e.ConnectionID), resourceName(e.CRMProfileName), connection, profileLine, "sales")
	return text
}

// disconnectedText explains a disconnected connection and how to reconnect it.
func disconnectedText(connectionID, reason string) string {
	if reason == "" {
		reason = "no reason given"
	}
	return fmt.Sprintf("Connection %s cannot authorize with Salesforce (%s). While it is disconnected, sync is suspended for its sales users and no sales user can be created on it. "+
		"Re-authorize the connection: a connection using the JWT bearer flow is re-authorized by applying its salesseat_crm_connection resource; "+
		"one using a refresh token needs a new token: set refresh_token, or set refresh_token_wo and increase credentials_wo_version.",
		orDash(connectionID), reason)
}

// crmAuthorizationText explains why Salesforce refused the credentials.
func crmAuthorizationText(e *client.Error) string {
	cause := strings.TrimSpace(strings.Trim(e.CRMError+": "+e.CRMErrorDescription, ": "))
	if cause == "" {
		cause = e.Detail
	}
	var fix string
	desc := strings.ToLower(e.CRMErrorDescription)
	switch {
	case e.CRMError == "invalid_grant" && (strings.Contains(desc, "expired") || strings.Contains(desc, "revoked")):
		fix = "The refresh token has expired or was revoked. Obtain a new one for the connected app and set refresh_token (or refresh_token_wo and increase credentials_wo_version), or switch to the JWT bearer flow with jwt_private_key_wo, which re-authorizes without a person."
	case e.CRMError == "invalid_grant" && strings.Contains(desc, "assertion"):
		fix = "Salesforce rejected the signed JWT: check that the private key matches the certificate uploaded to the connected app, that oauth_client_id is its consumer key, and that service_username and login_url are right."
	case e.CRMError == "invalid_grant" && strings.Contains(desc, "approved"):
		fix = "The service account has not approved the connected app: pre-authorize the app for the service account's profile (Manage Connected Apps → Admin approved users are pre-authorized)."
	case e.CRMError == "invalid_client_id" || e.CRMError == "invalid_client":
		fix = "Check oauth_client_id: it must be the consumer key of the connected app in that org."
	default:
		fix = "Check login_url, service_username, oauth_client_id and the credentials."
	}
	return fmt.Sprintf("Salesforce refused to authorize the connection (%s). %s", cause, fix)
}

// validationText lists the API's field errors.
func validationText(e *client.Error) string {
	if len(e.FieldErrors) == 0 {
		return e.Detail
	}
	lines := make([]string, 0, len(e.FieldErrors))
	for _, fe := range e.FieldErrors {
		lines = append(lines, fmt.Sprintf("- %s: %s", fe.Field, fe.Message))
	}
	return "The API rejected these values:\n" + strings.Join(lines, "\n")
}

// fieldAttribute attaches a validation_failed problem with one field error to
// that attribute, when the field is one of names.
func fieldAttribute(e *client.Error, names ...string) (path.Path, bool) {
	if e.Code != client.CodeValidationFailed || len(e.FieldErrors) != 1 {
		return path.Empty(), false
	}
	for _, n := range names {
		// "field=attribute" maps an API field to an attribute of another
		// name.
		field, attribute, renamed := strings.Cut(n, "=")
		if !renamed {
			attribute = field
		}
		if e.FieldErrors[0].Field == field {
			return path.Root(attribute), true
		}
	}
	return path.Empty(), false
}

// importBlock renders an import block for an existing object.
func importBlock(resourceType, id string) string {
	return fmt.Sprintf("import {\n  to = %s.<name>\n  id = %q\n}", resourceType, id)
}

func platformUser(name, email string) string {
	switch {
	case name != "" && email != "":
		return fmt.Sprintf("%s <%s>", name, email)
	case email != "":
		return email
	case name != "":
		return name
	}
	return "unknown name"
}

func crmUser(username, id string) string {
	switch {
	case username != "" && id != "":
		return fmt.Sprintf("%q (%s)", username, id)
	case username != "":
		return fmt.Sprintf("%q", username)
	}
	return orDash(id)
}

func profile(name, id string) string {
	switch {
	case name != "" && id != "":
		return fmt.Sprintf("%q (%s)", name, id)
	case name != "":
		return fmt.Sprintf("%q", name)
	}
	return orDash(id)
}

// resourceName turns a profile name into a Terraform resource name.
func resourceName(s string) string {
	var b strings.Builder
	for _, c := range strings.ToLower(s) {
		switch {
		case c >= 'a' && c <= 'z', c >= '0' && c <= '9':
			b.WriteRune(c)
		case b.Len() > 0 && !strings.HasSuffix(b.String(), "_"):
			b.WriteByte('_')
		}
	}
	name := strings.TrimSuffix(b.String(), "_")
	if name == "" || (name[0] >= '0' && name[0] <= '9') {
		name = "profile_" + name
	}
	return strings.TrimSuffix(name, "_")
}

func orDash(s string) string {
	if s == "" {
		return "(unknown)"
	}
	return s
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// titleCase upper-cases the first letter of every word. It works on runes:
// upper-casing the first byte of a multi-byte letter (as in "économie")
// would write invalid UTF-8. A word that does not start with valid UTF-8 is
// left as it is.
func titleCase(s string) string {
	words := strings.Fields(s)
	for i, w := range words {
		r, size := utf8.DecodeRuneInString(w)
		if r == utf8.RuneError && size <= 1 {
			continue
		}
		words[i] = string(unicode.ToUpper(r)) + w[size:]
	}
	return strings.Join(words, " ")
}

// notConfigured is the diagnostic for a resource used before the provider
// was configured, e.g. when the provider configuration was unknown.
func notConfigured(diags *diag.Diagnostics) {
	diags.AddError("Provider Not Configured",
		"The salesseat provider was not configured, so it cannot call the API. "+
			"This happens when the provider configuration depends on values known only after apply: "+
			"set endpoint, client_id and client_secret from values known at plan time, or apply the resources they depend on first with -target.")
}
