package provider

// Helpers that read terraform-plugin-framework values, shared by the
// resources.

import (
	"fmt"
	"slices"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// allKnown reports whether none of the values is unknown.
func allKnown(values ...attr.Value) bool {
	for _, v := range values {
		if v.IsUnknown() {
			return false
		}
	}
	return true
}

// setStrings returns the elements of a known set of strings, sorted.
func setStrings(s types.Set) []string {
	out := make([]string, 0, len(s.Elements()))
	for _, e := range s.Elements() {
		if v, ok := e.(types.String); ok {
			out = append(out, v.ValueString())
		}
	}
	slices.Sort(out)
	return out
}

// stringOrNull is a string value, null when the API has no value (""): an
// absent value is null, never "", so that `x == null` in a configuration
// tests what it reads as.
func stringOrNull(s string) types.String {
	if s == "" {
		return types.StringNull()
	}
	return types.StringValue(s)
}

// configuredKeys names an instance by the keys its configuration sets, as
// `name = "value"` joined with commas; nameValues are name, value pairs, and
// a pair with an empty value (not configured) is left out.
func configuredKeys(nameValues ...string) string {
	var keys []string
	for i := 0; i+1 < len(nameValues); i += 2 {
		if nameValues[i+1] != "" {
			keys = append(keys, fmt.Sprintf("%s = %q", nameValues[i], nameValues[i+1]))
		}
	}
	return strings.Join(keys, ", ")
}

// salesUserClaimDesc names a salesseat_sales_user in a seat claim by its
// configured CRM keys ("" when not configured) and its CRM user ID.
func salesUserClaimDesc(crmUserID, crmUsername, id string) string {
	return fmt.Sprintf("the salesseat_sales_user with %s (CRM user %s)", configuredKeys("crm_user_id", crmUserID, "crm_username", crmUsername), id)
}

// knownString is the value of a known string, "" when null or unknown.
func knownString(s types.String) string {
	if s.IsUnknown() {
		return ""
	}
	return s.ValueString()
}

// stringOrUnknown is a string value, unknown when "" (not known at plan).
func stringOrUnknown(s string) types.String {
	if s == "" {
		return types.StringUnknown()
	}
	return types.StringValue(s)
}

// validImportID reports whether id has the form of an API ID with prefix:
// the prefix, then letters, digits, "-" or "_".
func validImportID(id, prefix string) bool {
	rest, ok := strings.CutPrefix(id, prefix)
	if !ok || rest == "" {
		return false
	}
	return !strings.ContainsFunc(rest, func(c rune) bool {
		return (c < 'a' || c > 'z') && (c < 'A' || c > 'Z') && (c < '0' || c > '9') && c != '-' && c != '_'
	})
}
