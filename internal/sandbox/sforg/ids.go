package sforg

import (
	"fmt"

	"github.com/salesseat/terraform-provider-salesseat/internal/sfid"
)

// explicitIDs returns the set of the well-formed IDs seeds give, so IDs
// minted for the other seeds avoid them.
func explicitIDs(n int, id func(int) string) map[string]bool {
	out := map[string]bool{}
	for i := range n {
		if norm, err := sfid.Normalize(id(i)); err == nil {
			out[norm] = true
		}
	}
	return out
}

// mint returns an unused deterministic ID of the kind, so that a fixture
// without IDs gets the same IDs on every start.
func (o *org) mint(k sfid.Kind, used func(string) bool) string {
	pod := o.id[3:5]
	for {
		o.nextSeq[k.Prefix]++
		id := sfid.FromSeq(k.Prefix, pod, o.nextSeq[k.Prefix])
		if !used(id) {
			return id
		}
	}
}

// inputID normalises an ID a seed or an admin call gives, refusing it as
// Salesforce would (malformed, or the key prefix of another object) with
// ErrInvalid and the field named.
func inputID(k sfid.Kind, field, id string) (string, error) {
	n, err := k.NormalizeField(field, id)
	if err != nil {
		return "", fmt.Errorf("%w: %w", ErrInvalid, err)
	}
	return n, nil
}
