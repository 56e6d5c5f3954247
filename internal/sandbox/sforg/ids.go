package sforg

import (
	"fmt"
	"strings"

	"github.com/salesseat/terraform-provider-salesseat/internal/sfid"
)

// Key prefixes of the sObjects the org stores.
const (
	prefixOrganization = "00D"
	prefixUser         = "005"
	prefixProfile      = "00e"
	prefixUserRole     = "00E"
	prefixQueryLocator = "01g"
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

// mint returns an unused deterministic ID for the key prefix, so that a
// fixture without IDs gets the same IDs on every start.
func (o *org) mint(prefix string, used func(string) bool) string {
	pod := o.id[3:5]
	for {
		o.nextSeq[prefix]++
		id := sfid.FromSeq(prefix, pod, o.nextSeq[prefix])
		if !used(id) {
			return id
		}
	}
}

func normalizeID(id, prefix, field string) (string, error) {
	n, err := sfid.Normalize(id)
	if err != nil {
		return "", fmt.Errorf("%w: %s: %w", ErrInvalid, field, err)
	}
	if !strings.HasPrefix(n, prefix) {
		return "", fmt.Errorf("%w: %s %s does not start with %s, the key prefix of this object; copy the ID of the right record", ErrInvalid, field, n, prefix)
	}
	return n, nil
}
