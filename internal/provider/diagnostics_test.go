package provider

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"

	"github.com/salesseat/terraform-provider-salesseat/internal/client"
)

func TestDescribeError(t *testing.T) {
	cases := map[string]struct {
		err         error
		wantSummary string
		wantDetail  []string
	}{
		"seat limit": {
			err:         &client.Error{Status: 409, Code: client.CodeSeatLimitReached, SeatsUsed: 25, SeatLimit: 25, SeatsRequested: 1},
			wantSummary: "No Free Seat",
			wantDetail:  []string{"Adding 1 sales user needs 1 free seat, but only 0 of 25 seats are free (25 used)", "raised by your vendor, not Terraform"},
		},
		"username mapped": {
			err: &client.Error{Status: 409, Code: client.CodeCRMUsernameMapped, CRMUsername: "jordan.lee@acme.example",
				ConflictingSalesUserID: "su_1", ConflictingUserName: "Jordan Lee", ConflictingUserEmail: "jordan.lee@acme.example"},
			wantSummary: "CRM Username Already Mapped",
			wantDetail:  []string{`"jordan.lee@acme.example" is already mapped to sales user su_1 (Jordan Lee <jordan.lee@acme.example>)`, "import {", `id = "su_1"`},
		},
		"username mapped in the recycle bin": {
			err: &client.Error{Status: 409, Code: client.CodeCRMUsernameMapped, CRMUsername: "riley.brooks@acme.example",
				ConflictingSalesUserID: "su_rb", ConflictingUserName: "Riley Brooks", InRecycleBin: true},
			wantSummary: "CRM Username Already Mapped",
			wantDetail:  []string{"in the recycle bin", "restore it", "/api/v1/recycle-bin/su_rb/restore", "purge it", "DELETE /api/v1/recycle-bin/su_rb", "import {"},
		},
		"username reserved": {
			err: &client.Error{Status: 409, Code: client.CodeCRMUsernameReserved, CRMUsername: "sam.taylor@acme.example",
				PlatformUserID: "pu_sam", PlatformUserEmail: "sam.taylor@acme.example", PlatformUserName: "Sam Taylor"},
			wantSummary: "CRM Username Reserved",
			wantDetail:  []string{"platform user Sam Taylor <sam.taylor@acme.example> (pu_sam)", "reserved"},
		},
		"profile not mapped": {
			err:         &client.Error{Status: 422, Code: client.CodeProfileNotMapped, CRMProfileID: "00e5A0000000003QAA", CRMProfileName: "Sales Manager", ConnectionID: "conn_1"},
			wantSummary: "Profile Has No Role Mapping",
			wantDetail:  []string{`"Sales Manager" (00e5A0000000003QAA)`, `resource "salesseat_profile_role_mapping" "sales_manager"`, `connection_id  = "conn_1"`, "depends_on"},
		},
		"internal error is not retried": {
			err:         &client.Error{Status: 500, Code: client.CodeInternalError},
			wantSummary: "Salesseat API Error",
			wantDetail:  []string{"not retried", "run terraform plan to see the current state"},
		},
		"unavailable after retries": {
			err:         &client.Error{Status: 503, Code: client.CodeUnavailable},
			wantSummary: "Salesseat API Unavailable",
			wantDetail:  []string{"after every retry", "max_retries"},
		},
		"inactive": {
			err:         &client.Error{Status: 422, Code: client.CodeCRMUserInactive, CRMUsername: "chris.walker@acme.example", CRMUserID: "0055A0000000006QAA"},
			wantSummary: "CRM User Inactive",
			wantDetail:  []string{`"chris.walker@acme.example" (0055A0000000006QAA) is inactive`, "Reactivate"},
		},
		"service account": {
			err:         &client.Error{Status: 422, Code: client.CodeServiceAccountNotAllowed, CRMUsername: "integration@acme.example"},
			wantSummary: "Service Account Cannot Be A Sales User",
			wantDetail:  []string{`"integration@acme.example" is the service account`},
		},
		"disconnected": {
			err:         &client.Error{Status: 409, Code: client.CodeConnectionDisconnected, ConnectionID: "conn_1", StatusReason: "invalid_grant: expired access/refresh token"},
			wantSummary: "Connection Disconnected",
			wantDetail:  []string{"conn_1", "invalid_grant: expired access/refresh token", "credentials_wo_version"},
		},
		"authorization failed: expired": {
			err:         &client.Error{Status: 422, Code: client.CodeCRMAuthorizationFailed, CRMError: "invalid_grant", CRMErrorDescription: "expired access/refresh token"},
			wantSummary: "Salesforce Authorization Failed",
			wantDetail:  []string{"(invalid_grant: expired access/refresh token)", "Obtain a new one"},
		},
		"authorization failed: assertion": {
			err:         &client.Error{Status: 422, Code: client.CodeCRMAuthorizationFailed, CRMError: "invalid_grant", CRMErrorDescription: "invalid assertion"},
			wantSummary: "Salesforce Authorization Failed",
			wantDetail:  []string{"private key matches the certificate"},
		},
		"missing permission": {
			err:         &client.Error{Status: 422, Code: client.CodeServiceAccountMissingPermission, ServiceUsername: "svc@acme.example", Permission: "View All Data"},
			wantSummary: "Service Account Lacks Permission",
			wantDetail:  []string{`"svc@acme.example" does not have the "View All Data" permission`},
		},
		"mapping exists": {
			err:         &client.Error{Status: 409, Code: client.CodeRoleMappingExists, CRMProfileID: "00e5A0000000002QAA", ConflictingRoleMappingID: "rm_1"},
			wantSummary: "Profile Already Mapped",
			wantDetail:  []string{"salesseat_profile_role_mapping.<name>", `id = "rm_1"`},
		},
		"not found": {
			err:         &client.Error{Status: 404, Code: client.CodeNotFound, Resource: "crm_user", Detail: "No CRM user 005x."},
			wantSummary: "CRM User Not Found",
			wantDetail:  []string{"no such CRM user", "No CRM user 005x."},
		},
		"validation": {
			err:         &client.Error{Status: 422, Code: client.CodeValidationFailed, FieldErrors: []client.FieldError{{Field: "login_url", Message: "must use https"}}},
			wantSummary: "Invalid Value",
			wantDetail:  []string{"- login_url: must use https"},
		},
		"rate limited": {
			err:         &client.Error{Status: 429, Code: client.CodeRateLimited},
			wantSummary: "Rate Limited",
			wantDetail:  []string{"max_retries"},
		},
		"rate limited beyond retry_wait_max": {
			err:         &client.Error{Status: 429, Code: client.CodeRateLimited, RetryAfter: 2 * time.Minute, RetryWaitMax: 30 * time.Second},
			wantSummary: "Rate Limited",
			wantDetail:  []string{"asked to wait 2m0s (Retry-After), longer than retry_wait_max (30s)", "did not wait or retry", "raise retry_wait_max"},
		},
		"unknown code": {
			err:         &client.Error{Status: 418, Code: "teapot", Title: "i am a teapot", Detail: "Short and stout."},
			wantSummary: "I Am A Teapot",
			wantDetail:  []string{"Short and stout."},
		},
		"authentication": {
			err:         fmt.Errorf("wrapped: %w", &client.AuthenticationError{ClientID: "cid", Code: "invalid_client"}),
			wantSummary: "Unable To Authenticate",
			wantDetail:  []string{`client_id "cid"`, "SALESSEAT_CLIENT_SECRET"},
		},
		"unexpected response": {
			err:         &client.UnexpectedResponseError{Status: 502, ContentType: "text/html"},
			wantSummary: "Unexpected API Response",
			wantDetail:  []string{"proxy or gateway"},
		},
		"canceled": {
			err:         fmt.Errorf("salesseat API: %w", context.Canceled),
			wantSummary: "Operation Interrupted",
			wantDetail:  []string{"request_timeout"},
		},
		"other": {
			err:         errors.New("boom"),
			wantSummary: "Client Error",
			wantDetail:  []string{"Could not do it.", "Original error: boom"},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			summary, detail := describeError("do it", tc.err)
			if summary != tc.wantSummary {
				t.Errorf("summary = %q, want %q", summary, tc.wantSummary)
			}
			for _, want := range tc.wantDetail {
				if !strings.Contains(detail, want) {
					t.Errorf("detail does not contain %q:\n%s", want, detail)
				}
			}
			if !strings.Contains(detail, "do it") {
				t.Errorf("detail does not name the action:\n%s", detail)
			}
			if !strings.Contains(detail, "Original error: ") {
				t.Errorf("detail does not end with the original error:\n%s", detail)
			}
		})
	}
}

func TestAddAPIErrorAttachesToTheAttribute(t *testing.T) {
	at := salesUserResourceModel{}.problemAttribute() // crm_user_id not set: both null → crm_user_id
	cases := map[string]struct {
		err      error
		wantPath path.Path
	}{
		"inactive on the key":          {err: &client.Error{Code: client.CodeCRMUserInactive}, wantPath: path.Root("crm_user_id")},
		"profile on role":              {err: &client.Error{Code: client.CodeProfileNotMapped}, wantPath: path.Root("role")},
		"unknown connection":           {err: &client.Error{Code: client.CodeNotFound, Resource: "connection"}, wantPath: path.Root("connection_id")},
		"one field error":              {err: &client.Error{Code: client.CodeValidationFailed, FieldErrors: []client.FieldError{{Field: "team", Message: "too long"}}}, wantPath: path.Root("team")},
		"seat limit is resource-level": {err: &client.Error{Code: client.CodeSeatLimitReached}, wantPath: path.Empty()},
		"plain errors too":             {err: errors.New("boom"), wantPath: path.Empty()},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			var diags diag.Diagnostics
			addAPIError(&diags, "create the sales user", tc.err, at)
			if diags.ErrorsCount() != 1 {
				t.Fatalf("want one error, got %v", diags)
			}
			got := path.Empty()
			if wp, ok := diags[0].(diag.DiagnosticWithPath); ok {
				got = wp.Path()
			}
			if !got.Equal(tc.wantPath) {
				t.Errorf("path = %q, want %q", got, tc.wantPath)
			}
		})
	}
}

func TestResourceName(t *testing.T) {
	cases := map[string]string{
		"Sales Rep":            "sales_rep",
		"System Administrator": "system_administrator",
		"  R&D -- Team ":       "r_d_team",
		"2024 Hires":           "profile_2024_hires",
		"":                     "profile",
	}
	for in, want := range cases {
		if got := resourceName(in); got != want {
			t.Errorf("resourceName(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestTitleCase guards the summary of problems the provider has no wording
// of its own for: the API's title may be in any language, and upper-casing
// a byte instead of a rune wrote invalid UTF-8.
func TestTitleCase(t *testing.T) {
	cases := map[string]string{
		"":                   "",
		"not found":          "Not Found",
		"  seat   limit ":    "Seat Limit",
		"économie":           "Économie",
		"über":               "Über",
		"ça va":              "Ça Va",
		"日本":                 "日本",
		"ωmega straße":       "Ωmega Straße",
		"already Title Case": "Already Title Case",
		"\xffbroken title":   "\xffbroken Title",
	}
	for in, want := range cases {
		got := titleCase(in)
		if got != want {
			t.Errorf("titleCase(%q) = %q, want %q", in, got, want)
		}
		if utf8.ValidString(in) && !utf8.ValidString(got) {
			t.Errorf("titleCase(%q) = %q is not valid UTF-8", in, got)
		}
	}
}
