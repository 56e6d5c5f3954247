package platform

import (
	"fmt"
	"slices"
	"strings"

	"github.com/salesseat/terraform-provider-salesseat/internal/sfid"
)

// normalizeSalesUserInput checks a create body: exactly one of CRM user ID
// (normalized to 18 characters) and username, a catalog role or "", and
// hidden components from the catalog (sorted, de-duplicated).
func normalizeSalesUserInput(in SalesUserInput) (SalesUserInput, error) {
	var errs []FieldError
	if in.ConnectionID == "" {
		errs = append(errs, FieldError{Field: "connection_id", Message: "connection_id is required"})
	}
	in.CRMUsername = strings.TrimSpace(in.CRMUsername)
	switch {
	case in.CRMUserID != "" && in.CRMUsername != "":
		errs = append(errs, FieldError{Field: "crm_user_id", Message: "supply either crm_user_id or crm_username, not both"})
	case in.CRMUserID != "":
		n, err := sfid.Normalize(in.CRMUserID)
		if err != nil {
			errs = append(errs, FieldError{Field: "crm_user_id", Message: err.Error()})
		}
		in.CRMUserID = n
	case in.CRMUsername == "":
		errs = append(errs, FieldError{Field: "crm_user_id", Message: "supply crm_user_id (the CRM user's Salesforce ID) or crm_username"})
	}
	if msg := checkRole(in.Role, true); msg != "" {
		errs = append(errs, FieldError{Field: "role", Message: msg + " (or omit it to follow the profile's role mapping)"})
	}
	hidden, msg := normalizeHidden(in.HiddenComponents)
	if msg != "" {
		errs = append(errs, FieldError{Field: "hidden_components", Message: msg})
	}
	in.HiddenComponents = hidden
	if len(errs) > 0 {
		return in, ValidationErrors(errs)
	}
	return in, nil
}

func normalizeSalesUserPatch(in SalesUserPatch) (SalesUserPatch, error) {
	var errs []FieldError
	if in.Role != nil {
		if msg := checkRole(*in.Role, true); msg != "" {
			errs = append(errs, FieldError{Field: "role", Message: msg + " (or \"\"/null to follow the profile's role mapping)"})
		}
	}
	if in.HiddenComponents != nil {
		hidden, msg := normalizeHidden(*in.HiddenComponents)
		if msg != "" {
			errs = append(errs, FieldError{Field: "hidden_components", Message: msg})
		}
		in.HiddenComponents = &hidden
	}
	if len(errs) > 0 {
		return in, ValidationErrors(errs)
	}
	return in, nil
}

// normalizeHidden validates hidden components against the catalog and
// returns them sorted, de-duplicated and never nil.
func normalizeHidden(in []string) ([]string, string) {
	catalog := HiddenComponentNames()
	out := []string{}
	for _, c := range in {
		if !slices.Contains(catalog, c) {
			return []string{}, fmt.Sprintf("unknown component %q; hidden_components takes any of %s", c, quoteJoin(catalog))
		}
		if !slices.Contains(out, c) {
			out = append(out, c)
		}
	}
	slices.Sort(out)
	return out, ""
}

// checkRole returns a message when role is not in the catalog ("" is
// allowed when allowEmpty).
func checkRole(role string, allowEmpty bool) string {
	if role == "" && allowEmpty {
		return ""
	}
	if slices.Contains(RoleNames(), role) {
		return ""
	}
	return fmt.Sprintf("role must be one of %s, got %q", quoteJoin(RoleNames()), role)
}

func quoteJoin(items []string) string {
	q := make([]string, len(items))
	for i, s := range items {
		q[i] = fmt.Sprintf("%q", s)
	}
	return strings.Join(q, ", ")
}

func looksLikeEmail(s string) bool {
	at := strings.LastIndexByte(s, '@')
	return at > 0 && at < len(s)-1 && !strings.ContainsAny(s, " \t\r\n")
}
