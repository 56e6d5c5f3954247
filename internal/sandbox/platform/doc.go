// Package platform is the domain layer of the salesseat sandbox: the account
// and its seats, CRM connections, profile-to-role mappings, sales users, the
// recycle bin, dry-run validation, automatic user sync and optimistic
// concurrency (every object has a version).
//
// Every rule of the product is enforced here, and every violation is a
// *Problem: a code of the API contract, a title, a detail and the facts of
// the case. The HTTP layer (package sandbox) owns the protocol: it maps codes
// to statuses, renders problems as application/problem+json, turns versions
// into ETags and If-Match into a version, keeps the Idempotency-Key records
// and sets the instance of each problem. One piece of HTTP remains here on
// purpose: problem details that tell the user how to fix something name the
// API request to send (for example "purge it with DELETE
// /api/v1/recycle-bin/{id}"), because that advice is part of the rule and
// the wire text is part of the contract; moving it out would need a template
// language for details, which the details do not yet warrant.
//
// The platform reaches each Salesforce org through the CRM interface that a
// Dialer returns. In the sandbox that is the real Salesforce REST connector
// (package internal/sandbox/salesforce) talking HTTP to the simulated org on
// the sandbox's own listener, not an in-memory shortcut to package sforg.
// That is what a real platform does, so OAuth, token refresh, SOQL paging
// and Salesforce's error responses are exercised exactly as in production,
// and it is what lets the sandbox's fault injection and request counters see
// the Salesforce side of every operation.
//
// Locking discipline: Platform.mu guards all state and is taken only by the
// scope helpers in lock.go, which release it with a deferred Unlock. It is
// never held while the CRM is called: operations that need CRM data fetch it
// first, then take the lock, re-check the rules against the state as it is
// now and commit.
package platform
