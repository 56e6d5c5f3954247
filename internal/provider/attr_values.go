package provider

// Helpers that read terraform-plugin-framework values, shared by the
// resources.

import (
	"slices"

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
