// Package sandbox serves the sandbox org on one listener: the salesseat provisioning API (whose
// rules live in package platform), the simulated Salesforce org the platform connects to (package
// sforg, under /services/), the admin controls that shape test scenarios (under /admin/v1), the
// OpenAPI document of the API (GET /openapi.json) and a read-only console for people (GET /, see
// console.go).
//
// The HTTP layer is thin but owns the protocol: it authenticates, decodes strictly, maps each
// platform.Problem's code to a status and renders it as application/problem+json, and adds the
// protocol features of the API: idempotency keys (the record store and request fingerprints),
// ETags computed from the platform's object versions (If-Match is compared strongly, RFC 9110),
// and Location. The platform reaches the simulated org through the real Salesforce client in package
// salesforce, over HTTP to this same server, so a connection behaves as it would against
// Salesforce.
//
// Start runs a sandbox in-process (tests); Run implements the `sandbox` subcommand of the provider
// binary.
package sandbox
