package platform

import (
	"errors"
	"fmt"
	"strings"
)

// ProblemTypeBase prefixes the code to form a problem's type URI.
const ProblemTypeBase = "https://salesseat.dev/problems/"

// Problem codes of the API contract.
const (
	CodeValidationFailed                = "validation_failed"
	CodeNotFound                        = "not_found"
	CodeUnauthorized                    = "unauthorized"
	CodeInsufficientScope               = "insufficient_scope"
	CodeSeatLimitReached                = "seat_limit_reached"
	CodeCRMUsernameMapped               = "crm_username_mapped"
	CodeCRMUsernameReserved             = "crm_username_reserved"
	CodeProfileNotMapped                = "profile_not_mapped"
	CodeCRMUserInactive                 = "crm_user_inactive"
	CodeServiceAccountNotAllowed        = "service_account_not_allowed"
	CodeConnectionDisconnected          = "connection_disconnected"
	CodeCRMAuthorizationFailed          = "crm_authorization_failed"
	CodeServiceAccountMissingPermission = "service_account_missing_permission"
	CodeRoleMappingExists               = "role_mapping_exists"
	CodeUserManagementInSalesforce      = "user_management_in_salesforce"
	CodePreconditionFailed              = "precondition_failed"
	CodeRateLimited                     = "rate_limited"
	CodeInternalError                   = "internal_error"
	CodeUnavailable                     = "unavailable"
)

// Resource names carried by not_found problems.
const (
	ResourceSalesUser       = "sales_user"
	ResourceConnection      = "connection"
	ResourceRoleMapping     = "role_mapping"
	ResourceCRMUser         = "crm_user"
	ResourceCRMProfile      = "crm_profile"
	ResourceCRMGroup        = "crm_group"
	ResourceRecycleBinEntry = "recycle_bin_entry"
)

// Problem is every rule violation of the platform: a code from the API
// contract, a title, a detail that tells the user how to fix it, and
// extension members with the facts of the case. The HTTP layer maps the code
// to a status and renders the problem as application/problem+json
// (RFC 9457).
type Problem struct {
	Code   string
	Title  string
	Detail string
	Ext    map[string]any
	// Stale is set on precondition_failed: the object that changed since the
	// version the caller named, at its current version. The HTTP layer tells
	// the user in its own terms (entity tags).
	Stale *Stale
}

// Stale names an object and its current version.
type Stale struct {
	Resource string
	ID       string
	Version  int
}

// FieldError names one invalid field of a validation_failed problem.
type FieldError struct {
	Field   string `json:"field"`
	Message string `json:"message"`
}

// Error returns "code: detail".
func (p *Problem) Error() string {
	return p.Code + ": " + p.Detail
}

// Type returns the problem's type URI.
func (p *Problem) Type() string {
	return ProblemTypeBase + p.Code
}

// AsProblem returns err as a *Problem: the problem itself when err wraps
// one, else an internal_error whose detail does not leak err's text.
func AsProblem(err error) *Problem {
	if err == nil {
		return nil
	}
	var p *Problem
	if errors.As(err, &p) {
		return p
	}
	return Internal("The platform failed unexpectedly. Retry the request; if it keeps failing, report it with the time of the request.")
}

// IsCode reports whether err is a *Problem with the given code.
func IsCode(err error, code string) bool {
	var p *Problem
	return errors.As(err, &p) && p.Code == code
}

func newProblem(code, title, detail string, ext map[string]any) *Problem {
	return &Problem{Code: code, Title: title, Detail: detail, Ext: ext}
}

// Validation returns a validation_failed problem for one field.
func Validation(field, message string) *Problem {
	return ValidationErrors([]FieldError{{Field: field, Message: message}})
}

// ValidationErrors returns a validation_failed problem for several
// fields.
func ValidationErrors(errs []FieldError) *Problem {
	parts := make([]string, 0, len(errs))
	for _, e := range errs {
		if e.Field == "" {
			parts = append(parts, e.Message)
			continue
		}
		parts = append(parts, e.Field+": "+e.Message)
	}
	list := append([]FieldError(nil), errs...)
	return newProblem(CodeValidationFailed, "Validation failed", strings.Join(parts, "; "),
		map[string]any{"errors": list})
}

// NotFound returns a not_found problem for a resource kind and ID.
func NotFound(resource, id string) *Problem {
	detail := fmt.Sprintf("No %s with ID %q exists.", strings.ReplaceAll(resource, "_", " "), id)
	switch resource {
	case ResourceSalesUser:
		detail += " It may have been deleted (see GET /api/v1/recycle-bin) or never created; list sales users with GET /api/v1/sales-users."
	case ResourceConnection:
		detail += " List connections with GET /api/v1/connections."
	case ResourceRoleMapping:
		detail += " List role mappings with GET /api/v1/role-mappings."
	case ResourceCRMUser:
		detail = fmt.Sprintf("No CRM user %q exists in the org of this connection. Check the ID or username (IDs have 15 or 18 characters and start with 005) and list users with GET /api/v1/connections/{connection_id}/crm-users or the salesseat_crm_users data source.", id)
	case ResourceCRMProfile:
		detail = fmt.Sprintf("No CRM profile %q exists in the org of this connection. List profiles with GET /api/v1/connections/{connection_id}/crm-profiles or the salesseat_crm_profiles data source.", id)
	case ResourceRecycleBinEntry:
		detail = fmt.Sprintf("No sales user %q is in the recycle bin. List it with GET /api/v1/recycle-bin.", id)
	}
	return newProblem(CodeNotFound, "Not found", detail, map[string]any{"resource": resource})
}

// Unauthorized returns an unauthorized problem.
func Unauthorized(detail string) *Problem {
	return newProblem(CodeUnauthorized, "Unauthorized", detail, nil)
}

// InsufficientScope returns an insufficient_scope problem naming the
// scope the request needs.
func InsufficientScope(scope string) *Problem {
	return newProblem(CodeInsufficientScope, "Insufficient scope",
		fmt.Sprintf("This request needs the scope %q, which the access token does not carry. Request a token with scope %q from an API client that is allowed it.", scope, scope),
		map[string]any{"required_scope": scope})
}

// seatLimitFix is how a seat shortage is resolved, the second half of every
// seat_limit_reached detail.
const seatLimitFix = "The seat limit is part of your contract: ask your vendor to raise it (it cannot be changed through the API or Terraform), " +
	"or delete sales users you no longer need."

// SeatLimitReached returns a seat_limit_reached problem.
func SeatLimitReached(used, limit, requested int) *Problem {
	noun := "sales users"
	if requested == 1 {
		noun = "sales user"
	}
	detail := fmt.Sprintf("The account uses %d of %d seats, so importing %d more %s would exceed the seat limit. %s",
		used, limit, requested, noun, seatLimitFix)
	return newProblem(CodeSeatLimitReached, "Seat limit reached", detail, map[string]any{
		"seats_used": used, "seat_limit": limit, "seats_requested": requested,
	})
}

// Conflict describes the sales user that already holds a CRM username.
type Conflict struct {
	SalesUserID  string
	Email        string
	Name         string
	InRecycleBin bool
}

// CRMUsernameMapped returns a crm_username_mapped problem.
func CRMUsernameMapped(username string, c Conflict) *Problem {
	who := c.Name
	if c.Email != "" {
		who = fmt.Sprintf("%s <%s>", c.Name, c.Email)
	}
	var detail string
	if c.InRecycleBin {
		detail = fmt.Sprintf("The CRM username %q is already mapped to sales user %s (%s), which is deleted and in the recycle bin, where it keeps its CRM username. "+
			"Purge it with DELETE /api/v1/recycle-bin/%s to free the username for good, "+
			"or restore it with POST /api/v1/recycle-bin/%s/restore and manage it in Terraform with "+
			"import { to = salesseat_sales_user.x, id = %q }.", username, c.SalesUserID, who, c.SalesUserID, c.SalesUserID, c.SalesUserID)
	} else {
		detail = fmt.Sprintf("The CRM username %q is already mapped to sales user %s (%s). A CRM user can hold only one sales user. "+
			"To manage the existing sales user in Terraform, import it with import { to = salesseat_sales_user.x, id = %q }; "+
			"or delete it with DELETE /api/v1/sales-users/%s and purge it from the recycle bin before importing it again.",
			username, c.SalesUserID, who, c.SalesUserID, c.SalesUserID)
	}
	return newProblem(CodeCRMUsernameMapped, "CRM username already mapped", detail, map[string]any{
		"crm_username":              username,
		"conflicting_sales_user_id": c.SalesUserID,
		"conflicting_user_email":    c.Email,
		"conflicting_user_name":     c.Name,
		"in_recycle_bin":            c.InRecycleBin,
	})
}

// CRMUsernameReserved returns a crm_username_reserved problem: the
// username equals the email of a different platform user who is not mapped.
func CRMUsernameReserved(username string, pu PlatformUser) *Problem {
	name := fullName(pu.FirstName, pu.LastName)
	detail := fmt.Sprintf("The CRM username %q is reserved for platform user %s (%s <%s>), whose email address equals it but who is a different person than this CRM user. "+
		"Change the CRM user's username in Salesforce, or change the email address of platform user %s, then import again.",
		username, pu.ID, name, pu.Email, pu.ID)
	return newProblem(CodeCRMUsernameReserved, "CRM username reserved", detail, map[string]any{
		"crm_username":        username,
		"platform_user_id":    pu.ID,
		"platform_user_email": pu.Email,
		"platform_user_name":  name,
	})
}

// ProfileNotMapped returns a profile_not_mapped problem.
func ProfileNotMapped(profileID, profileName, connectionID string) *Problem {
	detail := fmt.Sprintf("User sync is enabled on connection %s and the CRM user's profile %q (%s) has no role mapping, so the sales user would have no role. "+
		"Add a role mapping for the profile (resource salesseat_profile_role_mapping with crm_profile_name = %q, or POST /api/v1/role-mappings), "+
		"or set role explicitly on the sales user.", connectionID, profileName, profileID, profileName)
	return newProblem(CodeProfileNotMapped, "Profile not mapped to a role", detail, map[string]any{
		"crm_profile_id":   profileID,
		"crm_profile_name": profileName,
		"connection_id":    connectionID,
	})
}

// UserManagementInSalesforce returns a user_management_in_salesforce
// problem: the connection hands user management to a Salesforce group, so
// sales users are not imported or restored by hand on it.
func UserManagementInSalesforce(connectionID, group, groupID, userID, username string) *Problem {
	who := "the CRM user"
	if username != "" {
		who = fmt.Sprintf("%q", username)
	}
	detail := fmt.Sprintf("Connection %s hands user management to the Salesforce public group %q (%s): the platform creates and removes its sales users from the group's members at each sync, and refuses imports by hand. "+
		"Add %s to the group %q in Salesforce (Setup > Public Groups) and the next sync creates the sales user; "+
		"in Terraform, remove the salesseat_sales_user or roster member for this connection and keep the connection's user_management_group and the role mappings instead.",
		connectionID, group, groupID, who, group)
	return newProblem(CodeUserManagementInSalesforce, "User management is handed to Salesforce", detail, map[string]any{
		"connection_id":            connectionID,
		"user_management_group":    group,
		"user_management_group_id": groupID,
		"crm_user_id":              userID,
		"crm_username":             username,
	})
}

// CRMUserInactive returns a crm_user_inactive problem.
func CRMUserInactive(userID, username string) *Problem {
	detail := fmt.Sprintf("The CRM user %q (%s) is inactive in Salesforce, and inactive users cannot hold a seat. "+
		"Reactivate the user in Salesforce, or remove it from the configuration (filter the salesseat_crm_users data source with active = true).", username, userID)
	return newProblem(CodeCRMUserInactive, "CRM user inactive", detail, map[string]any{
		"crm_user_id": userID, "crm_username": username,
	})
}

// ServiceAccountNotAllowed returns a service_account_not_allowed problem.
func ServiceAccountNotAllowed(userID, username string) *Problem {
	detail := fmt.Sprintf("The CRM user %q (%s) is the service account the connection authorizes as, and the service account cannot itself be a sales user. "+
		"Remove it from the configuration (exclude its username from the salesseat_crm_users selection).", username, userID)
	return newProblem(CodeServiceAccountNotAllowed, "Service account cannot be a sales user", detail, map[string]any{
		"crm_user_id": userID, "crm_username": username,
	})
}

// ConnectionDisconnected returns a connection_disconnected problem.
func ConnectionDisconnected(connectionID, reason string) *Problem {
	detail := fmt.Sprintf("Connection %s is disconnected (%s), so the platform cannot read the CRM and sync for its sales users is suspended. "+
		"Re-authorize it: supply a new refresh token (refresh_token on salesseat_crm_connection, or POST /api/v1/connections/%s/authorize with {\"refresh_token\": ...}), "+
		"or re-run the JWT bearer grant with POST /api/v1/connections/%s/authorize.", connectionID, reason, connectionID, connectionID)
	return newProblem(CodeConnectionDisconnected, "Connection disconnected", detail, map[string]any{
		"connection_id": connectionID, "status_reason": reason,
	})
}

// CRMErrorRequestFailed is the crm_error of a crm_authorization_failed
// problem when the org's token endpoint could not be reached or answered
// something other than an OAuth response.
const CRMErrorRequestFailed = "request_failed"

// CRMAuthorizationFailed returns a crm_authorization_failed problem.
func CRMAuthorizationFailed(connectionID, crmError, description string) *Problem {
	var fix string
	switch {
	case crmError == "invalid_grant" && strings.Contains(description, "expired"):
		fix = "The refresh token has expired: obtain a new one for the service account (OAuth web flow) and supply it, or switch the connection to the JWT bearer flow, which re-authorizes without a human."
	case crmError == "invalid_grant" && strings.Contains(description, "revoked"):
		fix = "The refresh token was revoked in Salesforce: obtain a new one for the service account and supply it."
	case crmError == "invalid_grant":
		fix = "Check that the service username is right, that the user is active and has approved the connected app (or is pre-authorized for it), and, for the JWT bearer flow, that the private key matches the certificate uploaded to the connected app."
	case crmError == "invalid_client_id" || crmError == "invalid_client":
		fix = "Check oauth_client_id: it must be the consumer key of the connected app in that org."
	default:
		fix = "Check login_url, oauth_client_id and the credentials, then try again."
	}
	detail := fmt.Sprintf("Salesforce refused to authorize the connection: %s: %s. %s", crmError, description, fix)
	if crmError == CRMErrorRequestFailed {
		detail = fmt.Sprintf("The platform could not reach Salesforce to authorize the connection: %s. "+
			"Check login_url and that its host is reachable from the platform, then try again.", description)
	}
	return newProblem(CodeCRMAuthorizationFailed, "CRM authorization failed", detail, map[string]any{
		"connection_id": connectionID, "crm_error": crmError, "crm_error_description": description,
	})
}

// ServiceAccountMissingPermission returns a service_account_missing_permission
// problem.
func ServiceAccountMissingPermission(username string) *Problem {
	detail := fmt.Sprintf("The service account %q authorized, but its profile lacks the \"View All Data\" permission, without which the platform cannot read users and profiles. "+
		"Give the user a profile or permission set with View All Data in Salesforce, or use a different service account.", username)
	return newProblem(CodeServiceAccountMissingPermission, "Service account lacks a permission", detail, map[string]any{
		"service_username": username, "permission": "View All Data",
	})
}

// RoleMappingExists returns a role_mapping_exists problem.
func RoleMappingExists(existingID, profileID, profileName string) *Problem {
	detail := fmt.Sprintf("The profile %q (%s) already has role mapping %s on this connection, and a profile maps to exactly one role. "+
		"Change that mapping's role instead, or manage it in Terraform with import { to = salesseat_profile_role_mapping.x, id = %q }.",
		profileName, profileID, existingID, existingID)
	return newProblem(CodeRoleMappingExists, "Role mapping exists", detail, map[string]any{
		"conflicting_role_mapping_id": existingID, "crm_profile_id": profileID,
	})
}

// PreconditionFailed returns a precondition_failed problem: the object
// changed since the version the caller named. Its detail is in terms of
// versions; the HTTP layer, which speaks entity tags, tells it from Stale.
func PreconditionFailed(resource, id string, current int) *Problem {
	detail := fmt.Sprintf("The %s %s changed since it was read (it is now at version %d), so the update was not applied. "+
		"Read it again and re-apply the change to the current version.", strings.ReplaceAll(resource, "_", " "), id, current)
	p := newProblem(CodePreconditionFailed, "Precondition failed", detail, nil)
	p.Stale = &Stale{Resource: resource, ID: id, Version: current}
	return p
}

// RateLimited returns a rate_limited problem; the HTTP layer adds the
// Retry-After header.
func RateLimited(retryAfterSeconds int) *Problem {
	return newProblem(CodeRateLimited, "Too many requests",
		fmt.Sprintf("Too many requests. Retry after %d seconds (see the Retry-After header).", retryAfterSeconds), nil)
}

// Internal returns an internal_error problem.
func Internal(detail string) *Problem {
	return newProblem(CodeInternalError, "Internal error", detail, nil)
}

// Unavailable returns an unavailable problem.
func Unavailable(detail string) *Problem {
	return newProblem(CodeUnavailable, "Service unavailable", detail, nil)
}

func fullName(first, last string) string {
	return strings.TrimSpace(first + " " + last)
}
