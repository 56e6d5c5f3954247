// Package client is a typed Go client for the salesseat provisioning API.
//
// The client mirrors the API one method per operation, grouped into services
// that hang off [Client]: Account, Roles, Connections, CRM, RoleMappings,
// SalesUsers and RecycleBin. Every method takes a [context.Context]; list
// operations return [iter.Seq2] iterators that fetch further pages lazily by
// following the API's next_cursor and stop at the first error, which they
// yield.
//
// # Authentication
//
// The client authenticates with the OAuth 2.0 client-credentials grant against
// <endpoint>/oauth/token. Tokens are cached and refreshed shortly before they
// expire; [Client.Authenticate] fetches one immediately, so misconfigured
// credentials fail fast with an [*AuthenticationError] instead of on the first
// API call.
//
// # Retries and idempotency
//
// Requests are sent through hashicorp/go-retryablehttp and retried up to
// [Config].RetryMax times, with jittered exponential backoff between
// [Config].RetryWaitMin and [Config].RetryWaitMax. 429 and 503 responses are
// retried for every request, since the server refused them; connection errors
// and 502/504 responses only for requests that are safe to repeat: reads,
// deletes, creates, updates without IfMatch and the other operations whose
// repetition has no further effect (everything but a restore from the
// recycle bin and a conditional update). A Retry-After header is
// honored; one longer than RetryWaitMax is not waited for, and the error,
// carrying [Error].RetryAfter, is returned instead. Waiting stops as soon as
// the context is canceled. Creates (connections, role mappings and sales
// users) carry an Idempotency-Key that stays the same across retries, so a
// retry after a lost response never creates a second object.
//
// # Errors
//
// API errors (application/problem+json) are returned as [*Error] and match the
// package's sentinel errors with [errors.Is]:
//
//	u, err := c.SalesUsers.Read(ctx, id)
//	if errors.Is(err, client.ErrNotFound) {
//		// the sales user is gone
//	}
//	var apiErr *client.Error
//	if errors.As(err, &apiErr) && apiErr.Code == "seat_limit_reached" {
//		fmt.Println(apiErr.SeatsUsed, apiErr.SeatLimit)
//	}
//
// A response that is not a problem document (an HTML page from a proxy, an
// empty or truncated body) is returned as [*UnexpectedResponseError], which
// describes what came back instead.
//
// # Logging
//
// With an [hclog.Logger] at debug level the client logs one line per HTTP
// attempt (method, path, status, duration); at trace level it adds headers and
// bodies. Credentials, tokens and private keys are redacted from both.
package client
