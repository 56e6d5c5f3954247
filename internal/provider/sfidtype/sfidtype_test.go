package sfidtype

import (
	"context"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/attr/xattr"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-framework/types/basetypes"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

const (
	userID18 = "0055A0000000003QAA"
	userID15 = "0055A0000000003"
)

func TestStringSemanticEquals(t *testing.T) {
	cases := map[string]struct {
		prior, next string
		want        bool
	}{
		"15 and its 18":            {prior: userID15, next: userID18, want: true},
		"18 and its 15":            {prior: userID18, next: userID15, want: true},
		"same 18":                  {prior: userID18, next: userID18, want: true},
		"checksum in lower case":   {prior: userID18, next: userID15 + "qaa", want: true},
		"other record":             {prior: userID15, next: "0055A0000000004QAA", want: false},
		"case differs in first 15": {prior: "0055a0000000003", next: userID18, want: false},
		"malformed":                {prior: "005", next: "005", want: false},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			got, diags := NewIDValue(tc.prior).StringSemanticEquals(context.Background(), NewIDValue(tc.next))
			if diags.HasError() {
				t.Fatalf("unexpected diagnostics: %v", diags)
			}
			if got != tc.want {
				t.Errorf("StringSemanticEquals(%q, %q) = %t, want %t", tc.prior, tc.next, got, tc.want)
			}
		})
	}
}

func TestSemanticEqualsRejectsOtherTypes(t *testing.T) {
	_, diags := NewIDValue(userID18).StringSemanticEquals(context.Background(), basetypes.NewStringValue(userID18))
	if !diags.HasError() {
		t.Fatal("expected an error for a plain string value")
	}
}

func TestValidateAttribute(t *testing.T) {
	cases := map[string]struct {
		value     ID
		wantError string
	}{
		"15 characters":    {value: NewIDValue(userID15)},
		"18 characters":    {value: NewIDValue(userID18)},
		"null":             {value: NewIDNull()},
		"unknown":          {value: NewIDUnknown()},
		"too short":        {value: NewIDValue("005ABC"), wantError: `Salesforce ID: "005ABC": it has 6 characters`},
		"bad checksum":     {value: NewIDValue(userID15 + "AAA"), wantError: "last three characters should be"},
		"not alphanumeric": {value: NewIDValue("005-A0000000003"), wantError: "is not a letter or digit"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			var resp xattr.ValidateAttributeResponse
			tc.value.ValidateAttribute(context.Background(), xattr.ValidateAttributeRequest{Path: path.Root("crm_user_id")}, &resp)
			if tc.wantError == "" {
				if resp.Diagnostics.HasError() {
					t.Fatalf("unexpected error: %v", resp.Diagnostics)
				}
				return
			}
			if resp.Diagnostics.ErrorsCount() != 1 {
				t.Fatalf("want one error, got %v", resp.Diagnostics)
			}
			d := resp.Diagnostics.Errors()[0]
			if d.Summary() != "Invalid Salesforce ID" || !strings.Contains(d.Detail(), tc.wantError) || !strings.Contains(d.Detail(), "The value of crm_user_id is not a valid") {
				t.Errorf("diagnostic = %q / %q, want it to name crm_user_id and contain %q", d.Summary(), d.Detail(), tc.wantError)
			}
		})
	}
}

func TestValidators(t *testing.T) {
	cases := map[string]struct {
		v         validator.String
		value     string
		wantError string
	}{
		"user ID":                 {v: Validator("005", "user"), value: userID15},
		"profile ID for user":     {v: Validator("005", "user"), value: "00e5A0000000002QAA", wantError: "Wrong Kind Of Salesforce ID"},
		"malformed":               {v: Validator("005", "user"), value: "00512", wantError: "Invalid Salesforce ID"},
		"prefix only: malformed":  {v: PrefixValidator("005", "user"), value: "00512"},
		"prefix only: wrong kind": {v: PrefixValidator("00e", "profile"), value: userID18, wantError: "Wrong Kind Of Salesforce ID"},
		"any prefix":              {v: Validator("", "record"), value: "00e5A0000000002QAA"},
		"role ID for profile":     {v: Validator("00e", "profile"), value: "00E5A0000000002", wantError: "Wrong Kind Of Salesforce ID"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			var resp validator.StringResponse
			tc.v.ValidateString(context.Background(), validator.StringRequest{Path: path.Root("id"), ConfigValue: types.StringValue(tc.value)}, &resp)
			switch {
			case tc.wantError == "" && resp.Diagnostics.HasError():
				t.Fatalf("unexpected error: %v", resp.Diagnostics)
			case tc.wantError != "" && (!resp.Diagnostics.HasError() || resp.Diagnostics.Errors()[0].Summary() != tc.wantError):
				t.Fatalf("want %q, got %v", tc.wantError, resp.Diagnostics)
			}
		})
	}
}

func TestPreferStateWhenEquivalent(t *testing.T) {
	cases := map[string]struct {
		state, config, plan types.String
		want                types.String
	}{
		"import stored the 18-character form": {state: types.StringValue(userID18), config: types.StringValue(userID15), plan: types.StringValue(userID15), want: types.StringValue(userID18)},
		"other record":                        {state: types.StringValue(userID18), config: types.StringValue("0055A0000000004QAA"), plan: types.StringValue("0055A0000000004QAA"), want: types.StringValue("0055A0000000004QAA")},
		"create":                              {state: types.StringNull(), config: types.StringValue(userID15), plan: types.StringValue(userID15), want: types.StringValue(userID15)},
		"not configured":                      {state: types.StringValue(userID18), config: types.StringNull(), plan: types.StringUnknown(), want: types.StringUnknown()},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			req := planmodifier.StringRequest{StateValue: tc.state, ConfigValue: tc.config, PlanValue: tc.plan}
			resp := planmodifier.StringResponse{PlanValue: tc.plan}
			PreferStateWhenEquivalent().PlanModifyString(context.Background(), req, &resp)
			if !resp.PlanValue.Equal(tc.want) {
				t.Errorf("plan = %s, want %s", resp.PlanValue, tc.want)
			}
		})
	}
}

func TestTypeRoundTrip(t *testing.T) {
	ctx := context.Background()
	v, err := IDType{}.ValueFromTerraform(ctx, tftypes.NewValue(tftypes.String, userID15))
	if err != nil {
		t.Fatal(err)
	}
	id, ok := v.(ID)
	if !ok {
		t.Fatalf("ValueFromTerraform returned %T, want ID", v)
	}
	if got, err := id.Normalized(); err != nil || got != userID18 {
		t.Errorf("Normalized() = %q, %v; want %q", got, err, userID18)
	}
	if !id.Type(ctx).Equal(IDType{}) || (IDType{}).Equal(types.StringType) {
		t.Error("type equality is wrong")
	}
}
