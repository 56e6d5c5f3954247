package client

import (
	"crypto/rand"
	"fmt"

	"github.com/salesseat/terraform-provider-salesseat/internal/sfid"
)

// newIdempotencyKey returns a random version 4 UUID for the Idempotency-Key
// header.
func newIdempotencyKey() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails (it crashes the program instead).
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

// normalizeIDField normalizes an optional Salesforce ID option: an empty
// ID stays empty (the option is unset), any other goes through sfid, whose
// error names the field.
func normalizeIDField(field, id string) (string, error) {
	if id == "" {
		return "", nil
	}
	return sfid.Any.NormalizeField(field, id)
}
