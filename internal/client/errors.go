package client

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"reflect"
	"strconv"
	"strings"
	"time"
	"unicode"
)

// Sentinel errors matched by [*Error] (through its Code) with [errors.Is].
var (
	ErrNotFound                        = errors.New("salesseat: not found")
	ErrUnauthorized                    = errors.New("salesseat: unauthorized")
	ErrInsufficientScope               = errors.New("salesseat: insufficient scope")
	ErrValidation                      = errors.New("salesseat: validation failed")
	ErrSeatLimitReached                = errors.New("salesseat: seat limit reached")
	ErrCRMUsernameMapped               = errors.New("salesseat: CRM username already mapped")
	ErrCRMUsernameReserved             = errors.New("salesseat: CRM username reserved")
	ErrProfileNotMapped                = errors.New("salesseat: profile not mapped")
	ErrCRMUserInactive                 = errors.New("salesseat: CRM user inactive")
	ErrServiceAccountNotAllowed        = errors.New("salesseat: service account not allowed")
	ErrConnectionDisconnected          = errors.New("salesseat: connection disconnected")
	ErrCRMAuthorizationFailed          = errors.New("salesseat: CRM authorization failed")
	ErrServiceAccountMissingPermission = errors.New("salesseat: service account missing permission")
	ErrRoleMappingExists               = errors.New("salesseat: role mapping exists")
	ErrUserManagementInSalesforce      = errors.New("salesseat: user management is handed to Salesforce")
	ErrIdempotencyKeyReused            = errors.New("salesseat: idempotency key reused")
	ErrPreconditionFailed              = errors.New("salesseat: precondition failed")
	ErrRateLimited                     = errors.New("salesseat: rate limited")
	ErrInternal                        = errors.New("salesseat: internal error")
	ErrUnavailable                     = errors.New("salesseat: unavailable")
)

// ErrResponseTooLarge is wrapped by the error returned when a response body
// exceeds Config.MaxResponseBytes.
var ErrResponseTooLarge = errors.New("response body too large")

// Problem codes of the salesseat API.
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
	CodeIdempotencyKeyReused            = "idempotency_key_reused"
	CodePreconditionFailed              = "precondition_failed"
	CodeRateLimited                     = "rate_limited"
	CodeInternalError                   = "internal_error"
	CodeUnavailable                     = "unavailable"
)

var codeSentinels = map[string]error{
	CodeValidationFailed:                ErrValidation,
	CodeNotFound:                        ErrNotFound,
	CodeUnauthorized:                    ErrUnauthorized,
	CodeInsufficientScope:               ErrInsufficientScope,
	CodeSeatLimitReached:                ErrSeatLimitReached,
	CodeCRMUsernameMapped:               ErrCRMUsernameMapped,
	CodeCRMUsernameReserved:             ErrCRMUsernameReserved,
	CodeProfileNotMapped:                ErrProfileNotMapped,
	CodeCRMUserInactive:                 ErrCRMUserInactive,
	CodeServiceAccountNotAllowed:        ErrServiceAccountNotAllowed,
	CodeConnectionDisconnected:          ErrConnectionDisconnected,
	CodeCRMAuthorizationFailed:          ErrCRMAuthorizationFailed,
	CodeServiceAccountMissingPermission: ErrServiceAccountMissingPermission,
	CodeRoleMappingExists:               ErrRoleMappingExists,
	CodeUserManagementInSalesforce:      ErrUserManagementInSalesforce,
	CodeIdempotencyKeyReused:            ErrIdempotencyKeyReused,
	CodePreconditionFailed:              ErrPreconditionFailed,
	CodeRateLimited:                     ErrRateLimited,
	CodeInternalError:                   ErrInternal,
	CodeUnavailable:                     ErrUnavailable,
}

// statusSentinels maps the status of a problem without a code.
var statusSentinels = map[int]error{
	http.StatusNotFound:            ErrNotFound,
	http.StatusUnauthorized:        ErrUnauthorized,
	http.StatusForbidden:           ErrInsufficientScope,
	http.StatusPreconditionFailed:  ErrPreconditionFailed,
	http.StatusTooManyRequests:     ErrRateLimited,
	http.StatusInternalServerError: ErrInternal,
	http.StatusServiceUnavailable:  ErrUnavailable,
}

// FieldError is one entry of a validation_failed problem's errors member.
type FieldError struct {
	Field   string `json:"field"`
	Message string `json:"message"`
}

// Error is an API error decoded from an application/problem+json body
// (RFC 9457). The fields after Instance are the extension members of the
// individual codes; members the client does not know (or whose JSON type is
// unexpected) are kept in Extensions.
type Error struct {
	// Status is the HTTP status of the response.
	Status int
	// Code is the machine-readable problem code, e.g. "seat_limit_reached";
	// see the Code constants. Type, Title, Detail and Instance are the
	// RFC 9457 members.
	Code, Type, Title, Detail, Instance string

	// seat_limit_reached.
	SeatsUsed, SeatLimit, SeatsRequested int
	// crm_username_mapped (CRMUsername also in crm_username_reserved and
	// crm_user_inactive).
	CRMUsername, ConflictingSalesUserID, ConflictingUserEmail, ConflictingUserName string
	InRecycleBin                                                                   bool
	// crm_username_reserved.
	PlatformUserID, PlatformUserEmail, PlatformUserName string
	// profile_not_mapped, crm_user_inactive, service_account_not_allowed,
	// connection_disconnected, role_mapping_exists.
	CRMProfileID, CRMProfileName, ConnectionID, CRMUserID, StatusReason string
	// crm_authorization_failed and service_account_missing_permission.
	CRMError, CRMErrorDescription, ServiceUsername, Permission string
	// not_found: the kind of resource that was not found, e.g. "sales_user".
	Resource string
	// role_mapping_exists.
	ConflictingRoleMappingID string
	// precondition_failed: the resource's current ETag.
	CurrentETag string
	// user_management_in_salesforce: the Salesforce public group that
	// manages the connection's users (API name and ID).
	UserManagementGroup, UserManagementGroupID string
	// validation_failed: the fields at fault.
	FieldErrors []FieldError

	// RetryAfter is the server's Retry-After header, when it sent one.
	RetryAfter time.Duration
	// RetryWaitMax is set when the client gave up at once because
	// RetryAfter exceeded its RetryWaitMax (the value, which the provider
	// calls retry_wait_max); zero when it retried as usual.
	RetryWaitMax time.Duration
	// Extensions holds members the client does not model, and modeled
	// members whose JSON type was unexpected.
	Extensions map[string]json.RawMessage
}

// Error returns a one-line summary such as
// "salesseat API: seat_limit_reached (409): <detail>".
func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString("salesseat API: ")
	name := e.Code
	if name == "" {
		name = e.Title
	}
	if name == "" {
		name = http.StatusText(e.Status)
	}
	if name == "" {
		name = "error"
	}
	fmt.Fprintf(&b, "%s (%d)", oneLine(name, 100), e.Status)
	msg := e.Detail
	if msg == "" && e.Code != "" {
		msg = e.Title
	}
	if msg != "" {
		b.WriteString(": ")
		b.WriteString(oneLine(msg, 1000))
	}
	if len(e.FieldErrors) > 0 {
		parts := make([]string, 0, len(e.FieldErrors))
		for _, fe := range e.FieldErrors {
			parts = append(parts, oneLine(fe.Field+": "+fe.Message, 300))
		}
		fmt.Fprintf(&b, " [%s]", strings.Join(parts, "; "))
	}
	if e.RetryAfter > 0 {
		fmt.Fprintf(&b, " (retry after %s)", e.RetryAfter)
	}
	return b.String()
}

// Is reports whether target is the sentinel error of e's code (or, for a
// problem without a code, of its status), so errors.Is(err, ErrNotFound)
// works.
func (e *Error) Is(target error) bool {
	if e.Code != "" {
		s, ok := codeSentinels[e.Code]
		return ok && s == target
	}
	s, ok := statusSentinels[e.Status]
	return ok && s == target
}

// problemMembers are the members of a problem object decoded into typed
// fields, each with a pointer to its destination.
func (e *Error) problemMembers(status *int) map[string]any {
	return map[string]any{
		"type": &e.Type, "title": &e.Title, "status": status, "detail": &e.Detail,
		"instance": &e.Instance, "code": &e.Code,
		"seats_used": &e.SeatsUsed, "seat_limit": &e.SeatLimit, "seats_requested": &e.SeatsRequested,
		"crm_username": &e.CRMUsername, "conflicting_sales_user_id": &e.ConflictingSalesUserID,
		"conflicting_user_email": &e.ConflictingUserEmail, "conflicting_user_name": &e.ConflictingUserName,
		"in_recycle_bin": &e.InRecycleBin, "platform_user_id": &e.PlatformUserID,
		"platform_user_email": &e.PlatformUserEmail, "platform_user_name": &e.PlatformUserName,
		"crm_profile_id": &e.CRMProfileID, "crm_profile_name": &e.CRMProfileName,
		"connection_id": &e.ConnectionID, "crm_user_id": &e.CRMUserID, "status_reason": &e.StatusReason,
		"crm_error": &e.CRMError, "crm_error_description": &e.CRMErrorDescription,
		"service_username": &e.ServiceUsername, "permission": &e.Permission, "resource": &e.Resource,
		"conflicting_role_mapping_id": &e.ConflictingRoleMappingID, "current_etag": &e.CurrentETag,
		"user_management_group": &e.UserManagementGroup, "user_management_group_id": &e.UserManagementGroupID,
		"errors": &e.FieldErrors,
	}
}

// UnmarshalJSON decodes a problem object leniently: a member of an
// unexpected JSON type is kept in Extensions instead of failing the decode.
// Only a body that is not a JSON object is an error.
func (e *Error) UnmarshalJSON(data []byte) error {
	var members map[string]json.RawMessage
	if err := json.Unmarshal(data, &members); err != nil {
		return err
	}
	if members == nil {
		return errors.New("problem is null, a JSON object was expected")
	}
	*e = Error{}
	targets := e.problemMembers(&e.Status)
	for name, raw := range members {
		dst, known := targets[name]
		if known {
			if err := json.Unmarshal(raw, dst); err == nil {
				continue
			}
			reflect.ValueOf(dst).Elem().SetZero()
		}
		if e.Extensions == nil {
			e.Extensions = make(map[string]json.RawMessage)
		}
		e.Extensions[name] = raw
	}
	return nil
}

// MarshalJSON encodes e as a problem object, the inverse of UnmarshalJSON.
func (e *Error) MarshalJSON() ([]byte, error) {
	out := make(map[string]any, len(e.Extensions)+8)
	for k, v := range e.Extensions {
		out[k] = v
	}
	status := e.Status
	for name, ptr := range e.problemMembers(&status) {
		v := reflect.ValueOf(ptr).Elem()
		if !v.IsZero() {
			out[name] = v.Interface()
		}
	}
	return json.Marshal(out)
}

// UnexpectedResponseError is returned when the API answers with something
// other than the expected JSON: an HTML error page from a proxy, an empty or
// truncated body, or the wrong content type.
type UnexpectedResponseError struct {
	Method, Path string
	Status       int
	ContentType  string
	// Snippet is the start of the body, sanitized: control characters
	// removed, whitespace collapsed, secrets redacted, at most 200 characters.
	Snippet string
	// Reason says what was wrong with the response.
	Reason string
}

// Error describes the response.
func (e *UnexpectedResponseError) Error() string {
	var b strings.Builder
	b.WriteString("salesseat API: unexpected response")
	if e.Method != "" || e.Path != "" {
		fmt.Fprintf(&b, " to %s %s", e.Method, e.Path)
	}
	fmt.Fprintf(&b, ": HTTP %d", e.Status)
	if text := http.StatusText(e.Status); text != "" {
		b.WriteString(" " + text)
	}
	if e.ContentType == "" {
		b.WriteString(", no content type")
	} else {
		fmt.Fprintf(&b, ", content type %q", e.ContentType)
	}
	if e.Reason != "" {
		b.WriteString(": " + e.Reason)
	}
	if e.Snippet != "" {
		fmt.Fprintf(&b, "; body starts %q", e.Snippet)
	}
	b.WriteString("; check that endpoint points at the salesseat API and retry later if a proxy or gateway failed")
	return b.String()
}

func newUnexpectedResponseError(method, path string, status int, contentType string, body []byte, reason string, r *redactor) *UnexpectedResponseError {
	return &UnexpectedResponseError{
		Method:      method,
		Path:        path,
		Status:      status,
		ContentType: oneLine(contentType, 100),
		Snippet:     snippet(body, r),
		Reason:      reason,
	}
}

// decodeErrorResponse turns a non-2xx response into *Error when the body is a
// problem document and into *UnexpectedResponseError otherwise. It never
// returns anything else.
func decodeErrorResponse(method, path string, status int, header http.Header, body []byte, readErr error, r *redactor, now func() time.Time) error {
	ct := header.Get("Content-Type")
	unexpected := func(reason string) error {
		return newUnexpectedResponseError(method, path, status, ct, body, reason, r)
	}
	switch {
	case errors.Is(readErr, ErrResponseTooLarge):
		return unexpected("the error body is larger than MaxResponseBytes")
	case readErr != nil:
		return unexpected("reading the body failed: " + oneLine(readErr.Error(), 200))
	case len(bytes.TrimSpace(body)) == 0:
		return unexpected("the body is empty, a problem+json document was expected")
	case mediaType(ct) != "application/problem+json":
		return unexpected("an application/problem+json body was expected")
	}
	var p Error
	if err := json.Unmarshal(body, &p); err != nil {
		reason := "the problem+json body is not a JSON object"
		var syntaxErr *json.SyntaxError
		if errors.As(err, &syntaxErr) {
			reason = "the problem+json body is not valid JSON"
			if strings.Contains(err.Error(), "unexpected end of JSON input") {
				reason = "the problem+json body is truncated"
			}
		}
		return unexpected(reason)
	}
	p.Status = status
	if d, ok := parseRetryAfter(header.Get("Retry-After"), now()); ok {
		p.RetryAfter = d
	}
	return &p
}

// snippet returns the sanitized start of body for error messages.
func snippet(body []byte, r *redactor) string {
	const maxRunes = 200
	if len(body) > 4096 {
		body = body[:4096]
	}
	s := strings.ToValidUTF8(string(body), "\uFFFD")
	if r != nil {
		s = r.text(s)
	}
	return oneLine(s, maxRunes)
}

// oneLine collapses whitespace and drops control characters, truncating to
// maxRunes runes with an ellipsis.
func oneLine(s string, maxRunes int) string {
	var b strings.Builder
	space := false
	n := 0
	for _, c := range s {
		if unicode.IsSpace(c) {
			space = b.Len() > 0
			continue
		}
		if unicode.IsControl(c) {
			continue
		}
		width := 1
		if space {
			width = 2
		}
		if n+width > maxRunes {
			b.WriteString("…")
			return b.String()
		}
		if space {
			b.WriteByte(' ')
			space = false
		}
		b.WriteRune(c)
		n += width
	}
	return b.String()
}

// parseRetryAfter parses a Retry-After header in seconds or as an HTTP date;
// a date in the past yields 0.
func parseRetryAfter(v string, now time.Time) (time.Duration, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, false
	}
	if secs, err := strconv.ParseInt(v, 10, 64); err == nil {
		if secs < 0 {
			return 0, false
		}
		if secs > int64(24*time.Hour/time.Second) {
			secs = int64(24 * time.Hour / time.Second)
		}
		return time.Duration(secs) * time.Second, true
	}
	t, err := http.ParseTime(v)
	if err != nil {
		return 0, false
	}
	d := t.Sub(now)
	if d < 0 {
		d = 0
	}
	return d, true
}
