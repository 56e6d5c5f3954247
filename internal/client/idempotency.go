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

// NormalizeSalesforceID checks a 15- or 18-character Salesforce ID and
// returns its 18-character form, as the API sends it. It is the client's
// entry point to package sfid; the client applies it to every Salesforce ID
// it sends.
func NormalizeSalesforceID(id string) (string, error) {
	return sfid.Normalize(id)
}

// normalizeIDField normalizes a Salesforce ID option, naming the field in
// the error. An empty ID stays empty.
func normalizeIDField(field, id string) (string, error) {
	if id == "" {
		return "", nil
	}
	n, err := sfid.Normalize(id)
	if err != nil {
		return "", fmt.Errorf("%s: %w", field, err)
	}
	return n, nil
}
