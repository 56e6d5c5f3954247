package client

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

var allSentinels = []error{
	ErrNotFound, ErrUnauthorized, ErrInsufficientScope, ErrValidation, ErrSeatLimitReached,
	ErrCRMUsernameMapped, ErrCRMUsernameReserved, ErrProfileNotMapped, ErrCRMUserInactive,
	ErrServiceAccountNotAllowed, ErrConnectionDisconnected, ErrCRMAuthorizationFailed,
	ErrServiceAccountMissingPermission, ErrRoleMappingExists, ErrIdempotencyKeyReused,
	ErrPreconditionFailed, ErrRateLimited, ErrInternal, ErrUnavailable,
}

func TestEveryCodeMatchesItsSentinel(t *testing.T) {
	cases := map[string]struct {
		status int
		want   error
		ext    map[string]any
		check  func(t *testing.T, e *Error)
	}{
		CodeValidationFailed: {status: 422, want: ErrValidation,
			ext: map[string]any{"errors": []map[string]string{{"field": "crm_user_id", "message": "is required"}}},
			check: func(t *testing.T, e *Error) {
				if len(e.FieldErrors) != 1 || e.FieldErrors[0] != (FieldError{Field: "crm_user_id", Message: "is required"}) {
					t.Errorf("FieldErrors = %+v", e.FieldErrors)
				}
			}},
		CodeNotFound: {status: 404, want: ErrNotFound, ext: map[string]any{"resource": "sales_user"},
			check: func(t *testing.T, e *Error) { wantEqual(t, "Resource", e.Resource, "sales_user") }},
		CodeUnauthorized:      {status: 401, want: ErrUnauthorized},
		CodeInsufficientScope: {status: 403, want: ErrInsufficientScope},
		CodeSeatLimitReached: {status: 409, want: ErrSeatLimitReached,
			ext: map[string]any{"seats_used": 25, "seat_limit": 25, "seats_requested": 1},
			check: func(t *testing.T, e *Error) {
				if e.SeatsUsed != 25 || e.SeatLimit != 25 || e.SeatsRequested != 1 {
					t.Errorf("seats = %d/%d/%d", e.SeatsUsed, e.SeatLimit, e.SeatsRequested)
				}
			}},
		CodeCRMUsernameMapped: {status: 409, want: ErrCRMUsernameMapped,
			ext: map[string]any{"crm_username": "a@acme.com", "conflicting_sales_user_id": "su_9", "conflicting_user_email": "x@acme.com", "conflicting_user_name": "X Y", "in_recycle_bin": true},
			check: func(t *testing.T, e *Error) {
				wantEqual(t, "ConflictingSalesUserID", e.ConflictingSalesUserID, "su_9")
				wantEqual(t, "ConflictingUserName", e.ConflictingUserName, "X Y")
				if !e.InRecycleBin {
					t.Error("InRecycleBin = false")
				}
			}},
		CodeCRMUsernameReserved: {status: 409, want: ErrCRMUsernameReserved,
			ext:   map[string]any{"crm_username": "a@acme.com", "platform_user_id": "pu_1", "platform_user_email": "p@acme.com", "platform_user_name": "P Q"},
			check: func(t *testing.T, e *Error) { wantEqual(t, "PlatformUserEmail", e.PlatformUserEmail, "p@acme.com") }},
		CodeProfileNotMapped: {status: 422, want: ErrProfileNotMapped,
			ext:   map[string]any{"crm_profile_id": "00e000000000001AAA", "crm_profile_name": "Sales Rep", "connection_id": "conn_1"},
			check: func(t *testing.T, e *Error) { wantEqual(t, "CRMProfileName", e.CRMProfileName, "Sales Rep") }},
		CodeCRMUserInactive: {status: 422, want: ErrCRMUserInactive,
			ext:   map[string]any{"crm_user_id": "005000000000001AAA", "crm_username": "a@acme.com"},
			check: func(t *testing.T, e *Error) { wantEqual(t, "CRMUserID", e.CRMUserID, "005000000000001AAA") }},
		CodeServiceAccountNotAllowed: {status: 422, want: ErrServiceAccountNotAllowed},
		CodeConnectionDisconnected: {status: 409, want: ErrConnectionDisconnected,
			ext: map[string]any{"connection_id": "conn_1", "status_reason": "invalid_grant: expired access/refresh token"},
			check: func(t *testing.T, e *Error) {
				wantEqual(t, "StatusReason", e.StatusReason, "invalid_grant: expired access/refresh token")
			}},
		CodeCRMAuthorizationFailed: {status: 422, want: ErrCRMAuthorizationFailed,
			ext: map[string]any{"connection_id": "", "crm_error": "invalid_grant", "crm_error_description": "token revoked"},
			check: func(t *testing.T, e *Error) {
				wantEqual(t, "CRMError", e.CRMError, "invalid_grant")
				wantEqual(t, "CRMErrorDescription", e.CRMErrorDescription, "token revoked")
			}},
		CodeServiceAccountMissingPermission: {status: 422, want: ErrServiceAccountMissingPermission,
			ext:   map[string]any{"service_username": "svc@acme.com", "permission": "View All Data"},
			check: func(t *testing.T, e *Error) { wantEqual(t, "Permission", e.Permission, "View All Data") }},
		CodeRoleMappingExists: {status: 409, want: ErrRoleMappingExists,
			ext: map[string]any{"conflicting_role_mapping_id": "rm_1", "crm_profile_id": "00e000000000001AAA"},
			check: func(t *testing.T, e *Error) {
				wantEqual(t, "ConflictingRoleMappingID", e.ConflictingRoleMappingID, "rm_1")
			}},
		CodeIdempotencyKeyReused: {status: 422, want: ErrIdempotencyKeyReused},
		CodePreconditionFailed: {status: 412, want: ErrPreconditionFailed, ext: map[string]any{"current_etag": `"4"`},
			check: func(t *testing.T, e *Error) { wantEqual(t, "CurrentETag", e.CurrentETag, `"4"`) }},
		CodeRateLimited:   {status: 429, want: ErrRateLimited},
		CodeInternalError: {status: 500, want: ErrInternal},
		CodeUnavailable:   {status: 503, want: ErrUnavailable},
	}
	for code, tc := range cases {
		t.Run(code, func(t *testing.T) {
			f := newFakeAPI(t)
			f.handle("GET /api/v1/sales-users/su_1", func(w http.ResponseWriter, r *http.Request) {
				writeProblem(w, tc.status, code, "the detail naming cause and fix", tc.ext)
			})
			c := newTestClient(t, f, func(c *Config) { c.RetryMax = -1 })
			_, err := c.SalesUsers.Read(context.Background(), "su_1")
			var apiErr *Error
			if !errors.As(err, &apiErr) {
				t.Fatalf("err = %v (%T), want *Error", err, err)
			}
			if apiErr.Code != code || apiErr.Status != tc.status {
				t.Errorf("Code, Status = %q, %d; want %q, %d", apiErr.Code, apiErr.Status, code, tc.status)
			}
			for _, s := range allSentinels {
				if got := errors.Is(err, s); got != errors.Is(s, tc.want) {
					t.Errorf("errors.Is(err, %v) = %v", s, got)
				}
			}
			if tc.check != nil {
				tc.check(t, apiErr)
			}
			if apiErr.Extensions != nil {
				t.Errorf("known members ended up in Extensions: %v", apiErr.Extensions)
			}
		})
	}
}

func wantEqual(t *testing.T, field, got, want string) {
	t.Helper()
	if got != want {
		t.Errorf("%s = %q, want %q", field, got, want)
	}
}

func TestErrorMessage(t *testing.T) {
	cases := map[string]struct {
		err  *Error
		want string
	}{
		"code and detail": {
			err:  &Error{Status: 409, Code: CodeSeatLimitReached, Title: "Seat limit reached", Detail: "All 25 seats are in use;\nfree one or raise the limit."},
			want: "salesseat API: seat_limit_reached (409): All 25 seats are in use; free one or raise the limit.",
		},
		"field errors": {
			err:  &Error{Status: 422, Code: CodeValidationFailed, Detail: "The request is invalid.", FieldErrors: []FieldError{{"role", "must be one of sales, marketing"}}},
			want: "salesseat API: validation_failed (422): The request is invalid. [role: must be one of sales, marketing]",
		},
		"no code": {
			err:  &Error{Status: 404, Title: "Not Found"},
			want: "salesseat API: Not Found (404)",
		},
		"nothing but a status": {
			err:  &Error{Status: 502},
			want: "salesseat API: Bad Gateway (502)",
		},
		"retry after": {
			err:  &Error{Status: 429, Code: CodeRateLimited, Detail: "Too many requests.", RetryAfter: 2 * time.Second},
			want: "salesseat API: rate_limited (429): Too many requests. (retry after 2s)",
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			if got := tc.err.Error(); got != tc.want {
				t.Errorf("Error() = %q\nwant      %q", got, tc.want)
			}
		})
	}
}

func TestProblemWithoutCodeMatchesByStatus(t *testing.T) {
	err := error(&Error{Status: 404})
	if !errors.Is(err, ErrNotFound) {
		t.Error("a code-less 404 problem does not match ErrNotFound")
	}
	err = &Error{Status: 404, Code: "something_new"}
	if errors.Is(err, ErrNotFound) {
		t.Error("an unknown code matched ErrNotFound by its status")
	}
}

func TestProblemExtensionsAreKept(t *testing.T) {
	body := `{"type":"about:blank","status":409,"code":"seat_limit_reached","detail":"full",
		"seats_used":"twenty","seat_limit":25,"future_member":{"a":[1,2]},"trace_id":"abc"}`
	var e Error
	if err := json.Unmarshal([]byte(body), &e); err != nil {
		t.Fatalf("Unmarshal: %v", err)
	}
	if e.SeatLimit != 25 || e.SeatsUsed != 0 {
		t.Errorf("SeatLimit, SeatsUsed = %d, %d; want 25, 0", e.SeatLimit, e.SeatsUsed)
	}
	want := map[string]string{"seats_used": `"twenty"`, "future_member": `{"a":[1,2]}`, "trace_id": `"abc"`}
	if len(e.Extensions) != len(want) {
		t.Errorf("Extensions = %v, want keys %v", e.Extensions, want)
	}
	for k, v := range want {
		if string(e.Extensions[k]) != v {
			t.Errorf("Extensions[%q] = %s, want %s", k, e.Extensions[k], v)
		}
	}
	// MarshalJSON round-trips typed fields and extensions.
	out, err := json.Marshal(&e)
	if err != nil {
		t.Fatalf("Marshal: %v", err)
	}
	var back Error
	if err := json.Unmarshal(out, &back); err != nil {
		t.Fatalf("Unmarshal round trip: %v", err)
	}
	if back.Code != e.Code || back.SeatLimit != 25 || string(back.Extensions["trace_id"]) != `"abc"` {
		t.Errorf("round trip = %+v", back)
	}
}

func TestNonProblemErrorBodies(t *testing.T) {
	cases := map[string]struct {
		status      int
		contentType string
		body        string
		wantReason  string
		wantSnippet string
	}{
		"html 502 page": {status: 502, contentType: "text/html; charset=utf-8",
			body:       "<html>\n<head><title>502 Bad Gateway</title></head>\n<body>nginx</body></html>",
			wantReason: "an application/problem+json body was expected", wantSnippet: "<html> <head><title>502 Bad Gateway</title>"},
		"truncated problem": {status: 409, contentType: "application/problem+json",
			body: `{"type":"x","status":409,"code":"seat_li`, wantReason: "the problem+json body is truncated"},
		"invalid problem json": {status: 409, contentType: "application/problem+json",
			body: `{"code": seat}`, wantReason: "the problem+json body is not valid JSON"},
		"problem that is an array": {status: 409, contentType: "application/problem+json",
			body: `["seat_limit_reached"]`, wantReason: "the problem+json body is not a JSON object"},
		"problem that is null": {status: 409, contentType: "application/problem+json",
			body: `null`, wantReason: "the problem+json body is not a JSON object"},
		"text/plain": {status: 400, contentType: "text/plain",
			body: "bad request\r\n", wantReason: "an application/problem+json body was expected", wantSnippet: "bad request"},
		"empty body": {status: 500, contentType: "", body: "", wantReason: "the body is empty"},
		"json but not problem+json": {status: 404, contentType: "application/json",
			body: `{"code":"not_found"}`, wantReason: "an application/problem+json body was expected"},
		"token echoed in the body": {status: 400, contentType: "text/plain",
			body: `{"access_token":"leaked-token-value"}`, wantReason: "expected", wantSnippet: `[REDACTED]`},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			f := newFakeAPI(t)
			f.handle("GET /api/v1/account", func(w http.ResponseWriter, r *http.Request) {
				if tc.contentType != "" {
					w.Header().Set("Content-Type", tc.contentType)
				}
				w.WriteHeader(tc.status)
				_, _ = io.WriteString(w, tc.body)
			})
			c := newTestClient(t, f, func(c *Config) { c.RetryMax = -1 })
			_, err := c.Account.Read(context.Background())
			var unexpected *UnexpectedResponseError
			if !errors.As(err, &unexpected) {
				t.Fatalf("err = %v (%T), want *UnexpectedResponseError", err, err)
			}
			if unexpected.Status != tc.status || unexpected.ContentType != tc.contentType {
				t.Errorf("Status, ContentType = %d, %q", unexpected.Status, unexpected.ContentType)
			}
			if !strings.Contains(unexpected.Reason, tc.wantReason) {
				t.Errorf("Reason = %q, want it to contain %q", unexpected.Reason, tc.wantReason)
			}
			if !strings.Contains(unexpected.Snippet, tc.wantSnippet) {
				t.Errorf("Snippet = %q, want it to contain %q", unexpected.Snippet, tc.wantSnippet)
			}
			msg := err.Error()
			for _, bad := range []string{"invalid character", "unexpected end of JSON", "json:", "leaked-token-value", "\n"} {
				if strings.Contains(msg, bad) {
					t.Errorf("error %q contains %q", msg, bad)
				}
			}
			for _, sentinel := range allSentinels {
				if errors.Is(err, sentinel) {
					t.Errorf("an unexpected response matched %v", sentinel)
				}
			}
		})
	}
}

func TestUnexpectedSuccessBodies(t *testing.T) {
	cases := map[string]struct {
		contentType string
		body        string
		maxBytes    int64
		wantIs      error
		wantReason  string
	}{
		"oversized body":  {contentType: "application/json", body: `{"id":"` + strings.Repeat("a", 2000) + `"}`, maxBytes: 1024, wantIs: ErrResponseTooLarge},
		"html on 200":     {contentType: "text/html", body: "<html>captive portal</html>", wantReason: "a JSON body was expected"},
		"empty 200":       {contentType: "application/json", body: "", wantReason: "the body is empty"},
		"truncated 200":   {contentType: "application/json", body: `{"id":"acc_1","na`, wantReason: "truncated"},
		"wrong json type": {contentType: "application/json", body: `{"seat_limit":"many"}`, wantReason: "does not match the expected shape"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			f := newFakeAPI(t)
			f.handle("GET /api/v1/account", func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", tc.contentType)
				_, _ = io.WriteString(w, tc.body)
			})
			c := newTestClient(t, f, func(c *Config) { c.MaxResponseBytes = tc.maxBytes })
			_, err := c.Account.Read(context.Background())
			if err == nil {
				t.Fatal("Account.Read succeeded")
			}
			if tc.wantIs != nil {
				if !errors.Is(err, tc.wantIs) || !strings.Contains(err.Error(), "MaxResponseBytes (1024 bytes)") {
					t.Errorf("err = %v, want %v naming MaxResponseBytes", err, tc.wantIs)
				}
				return
			}
			var unexpected *UnexpectedResponseError
			if !errors.As(err, &unexpected) || !strings.Contains(unexpected.Reason, tc.wantReason) {
				t.Errorf("err = %v, want *UnexpectedResponseError with reason %q", err, tc.wantReason)
			}
		})
	}
}

func TestOversizedErrorBody(t *testing.T) {
	f := newFakeAPI(t)
	f.handle("GET /api/v1/account", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/problem+json")
		w.WriteHeader(http.StatusConflict)
		_, _ = io.WriteString(w, `{"code":"seat_limit_reached","detail":"`+strings.Repeat("x", 5000)+`"}`)
	})
	c := newTestClient(t, f, func(c *Config) { c.MaxResponseBytes = 1024 })
	_, err := c.Account.Read(context.Background())
	var unexpected *UnexpectedResponseError
	if !errors.As(err, &unexpected) || !strings.Contains(unexpected.Reason, "larger than MaxResponseBytes") {
		t.Fatalf("err = %v, want *UnexpectedResponseError about MaxResponseBytes", err)
	}
	if len(unexpected.Snippet) > 210*3 {
		t.Errorf("snippet is %d bytes long", len(unexpected.Snippet))
	}
}
