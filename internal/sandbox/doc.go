// Package sandbox serves the sandbox org on one listener: the salesseat provisioning API (whose
// rules live in package platform), the simulated Salesforce org the platform connects to (package
// sforg, under /services/), the admin controls that shape test scenarios (under /admin/v1) and the
// OpenAPI document of the API (GET /openapi.json).
//
// The HTTP layer is thin: it authenticates, decodes strictly, renders platform.Problem as
// application/problem+json and adds the protocol features of the API (idempotency keys, ETags,
// Location). The platform reaches the simulated org through the real Salesforce client in package
// salesforce, over HTTP to this same server, so a connection behaves as it would against
// Salesforce.
//
// Start runs a sandbox in-process (tests); Run implements the `sandbox` subcommand of the provider
// binary.
package sandbox
