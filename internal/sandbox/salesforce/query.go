package salesforce

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"iter"
	"net/http"
	"net/url"
	"strings"
)

// maxResponseBytes bounds one REST response (a page holds at most 2,000
// records).
const maxResponseBytes = 64 << 20

// codeInvalidSession is the error code of an expired or revoked session.
const codeInvalidSession = "INVALID_SESSION_ID"

// ErrNotFound is wrapped by the errors of single-record lookups that match
// nothing.
var ErrNotFound = errors.New("salesforce: record not found")

// APIError is an error answer of the REST API: Salesforce's array of
// {message, errorCode}.
type APIError struct {
	Status int
	Errors []struct{ Message, ErrorCode string }
}

// Error returns the HTTP status and the first error, e.g.
// "salesforce: HTTP 400 INVALID_FIELD: No such column 'Foo' on entity 'User'...".
func (e *APIError) Error() string {
	if len(e.Errors) == 0 {
		return fmt.Sprintf("salesforce: HTTP %d", e.Status)
	}
	first := e.Errors[0]
	msg := strings.TrimSpace(first.Message)
	if first.ErrorCode == "" {
		return fmt.Sprintf("salesforce: HTTP %d: %s", e.Status, msg)
	}
	return fmt.Sprintf("salesforce: HTTP %d %s: %s", e.Status, first.ErrorCode, msg)
}

// HasCode reports whether one of the errors carries the error code.
func (e *APIError) HasCode(code string) bool {
	for _, item := range e.Errors {
		if item.ErrorCode == code {
			return true
		}
	}
	return false
}

// queryPage is one page of a query result.
type queryPage struct {
	TotalSize      int               `json:"totalSize"`
	Done           bool              `json:"done"`
	NextRecordsURL string            `json:"nextRecordsUrl"`
	Records        []json.RawMessage `json:"records"`
}

// Query runs a SOQL statement and yields every record, following
// nextRecordsUrl from page to page. Field values are decoded as
// encoding/json decodes into any (strings, bools, float64, nested maps for
// relationships, nil). After an error it yields (nil, err) once and stops.
func (c *Client) Query(ctx context.Context, soql string) iter.Seq2[map[string]any, error] {
	return func(yield func(map[string]any, error) bool) {
		stopped := false
		err := c.pages(ctx, soql, func(p *queryPage) (bool, error) {
			for _, raw := range p.Records {
				var rec map[string]any
				if err := json.Unmarshal(raw, &rec); err != nil {
					return false, fmt.Errorf("salesforce: decoding a query record: %w", err)
				}
				if !yield(rec, nil) {
					stopped = true
					return false, nil
				}
			}
			return true, nil
		})
		if err != nil && !stopped {
			yield(nil, err)
		}
	}
}

// Count runs a SOQL statement and returns its totalSize without reading
// further pages; for "SELECT COUNT() FROM ..." that is the count.
func (c *Client) Count(ctx context.Context, soql string) (int, error) {
	var total int
	err := c.pages(ctx, soql, func(p *queryPage) (bool, error) {
		total = p.TotalSize
		return false, nil
	})
	return total, err
}

// pages runs soql and calls fn for every page until fn returns false, an
// error occurs, or the result is done.
func (c *Client) pages(ctx context.Context, soql string, fn func(*queryPage) (bool, error)) error {
	path := "/services/data/v" + c.apiVersion + "/query?q=" + url.QueryEscape(soql)
	for {
		var page queryPage
		if err := c.get(ctx, path, &page); err != nil {
			return err
		}
		more, err := fn(&page)
		if err != nil || !more || page.Done || page.NextRecordsURL == "" {
			return err
		}
		if !strings.HasPrefix(page.NextRecordsURL, "/services/data/") {
			return fmt.Errorf("salesforce: the query answered nextRecordsUrl %q, which is not a REST API path", page.NextRecordsURL)
		}
		path = page.NextRecordsURL
	}
}

// get sends GET instance_url+path and decodes the JSON answer into out. A
// 401 INVALID_SESSION_ID makes it run the grant again once and resend.
func (c *Client) get(ctx context.Context, path string, out any) error {
	status, body, gen, err := c.send(ctx, path)
	if err != nil {
		return err
	}
	if status == http.StatusUnauthorized {
		if apiErr := decodeAPIError(status, body); apiErr.HasCode(codeInvalidSession) {
			c.invalidate(gen)
			if status, body, _, err = c.send(ctx, path); err != nil {
				return err
			}
		}
	}
	if status < 200 || status > 299 {
		return decodeAPIError(status, body)
	}
	if err := json.Unmarshal(body, out); err != nil {
		return fmt.Errorf("salesforce: decoding the answer to GET %s: %w", redactQuery(path), err)
	}
	return nil
}

// send performs one authorized GET and returns the status and body.
func (c *Client) send(ctx context.Context, path string) (int, []byte, uint64, error) {
	tok, gen, err := c.token(ctx)
	if err != nil {
		return 0, nil, 0, err
	}
	instance := c.Identity().InstanceURL
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, instance+path, nil)
	if err != nil {
		return 0, nil, 0, fmt.Errorf("salesforce: building GET %s: %w", redactQuery(path), err)
	}
	req.Header.Set("Authorization", "Bearer "+tok.AccessToken)
	req.Header.Set("Accept", "application/json")
	resp, err := c.hc.Do(req)
	if err != nil {
		return 0, nil, 0, fmt.Errorf("salesforce: GET %s%s: %w", instance, redactQuery(path), unwrapURLError(err))
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxResponseBytes+1))
	if err != nil {
		return 0, nil, 0, fmt.Errorf("salesforce: reading the answer to GET %s: %w", redactQuery(path), err)
	}
	if len(body) > maxResponseBytes {
		return 0, nil, 0, fmt.Errorf("salesforce: the answer to GET %s exceeds %d bytes", redactQuery(path), maxResponseBytes)
	}
	return resp.StatusCode, body, gen, nil
}

// unwrapURLError drops the *url.Error wrapper, whose text repeats the whole
// URL (including the SOQL statement) that the caller already names.
func unwrapURLError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}

// redactQuery shortens a query path for error messages: the statement may
// be long, and it is not what the reader needs to see.
func redactQuery(path string) string {
	if i := strings.IndexByte(path, '?'); i >= 0 {
		return path[:i]
	}
	return path
}

// decodeAPIError reads Salesforce's error array; anything else becomes one
// error holding the start of the body.
func decodeAPIError(status int, body []byte) *APIError {
	e := &APIError{Status: status}
	if json.Unmarshal(body, &e.Errors) == nil && len(e.Errors) > 0 {
		return e
	}
	snippet := strings.TrimSpace(string(body))
	if len(snippet) > 200 {
		snippet = snippet[:200] + "..."
	}
	if snippet == "" {
		snippet = http.StatusText(status)
	}
	e.Errors = []struct{ Message, ErrorCode string }{{Message: snippet}}
	return e
}
