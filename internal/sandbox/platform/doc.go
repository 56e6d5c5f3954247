// Package platform is the domain layer of the salesseat sandbox: the account
// and its seats, CRM connections, profile-to-role mappings, sales users, the
// recycle bin, dry-run validation, automatic user sync, optimistic
// concurrency and idempotency records.
//
// Every rule of the product is enforced here, and every violation is a
// *Problem that the HTTP layer renders verbatim as application/problem+json.
// The package knows nothing about HTTP: the Salesforce org is reached through
// the CRM interface (satisfied by *salesforce.Client) that a Dialer returns.
//
// Locking discipline: Platform.mu guards all state and is never held while
// the CRM is called. Operations that need CRM data fetch it first, then take
// the lock, re-check the rules against the state as it is now and commit.
package platform
