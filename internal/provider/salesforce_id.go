package provider

import "github.com/salesseat/terraform-provider-salesseat/internal/sfid"

// normalizedID returns the 18-character form of a Salesforce ID, or id as it
// is when it is not a well-formed one: the schema's validators and the API
// say what is wrong with it, so the provider passes it on unchanged.
func normalizedID(id string) string {
	if n, err := sfid.Normalize(id); err == nil {
		return n
	}
	return id
}
