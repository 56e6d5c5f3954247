package client

import (
	"context"
	"fmt"
	"iter"
	"net/http"
	"net/url"
	"strconv"
)

// MaxPageSize is the largest page the API serves.
const MaxPageSize = 1000

// ListOptions are the paging options of a list operation.
type ListOptions struct {
	// PageSize is how many items each request asks for (1..1000); 0 uses the
	// API's default (100). It does not limit how many items the iterator
	// yields: it follows next_cursor to the end.
	PageSize int
}

// page is one page of a list response.
type page[T any] struct {
	Items      []*T   `json:"items"`
	NextCursor string `json:"next_cursor"`
}

// list returns an iterator over every item of a paginated list, fetching a
// page at a time. It stops at the first error, which it yields.
func list[T any](ctx context.Context, c *Client, path string, query url.Values, pageSize int) iter.Seq2[*T, error] {
	return func(yield func(*T, error) bool) {
		if pageSize < 0 || pageSize > MaxPageSize {
			yield(nil, fmt.Errorf("salesseat API: GET %s: PageSize is %d: it must be between 1 and %d, or 0 for the API's default", path, pageSize, MaxPageSize))
			return
		}
		q := url.Values{}
		for k, v := range query {
			q[k] = append([]string(nil), v...)
		}
		if pageSize > 0 {
			q.Set("limit", strconv.Itoa(pageSize))
		}
		seen := map[string]bool{}
		for {
			p, err := doJSON[page[T]](ctx, c, request{method: http.MethodGet, path: path, query: q})
			if err != nil {
				yield(nil, err)
				return
			}
			for _, item := range p.Items {
				if item == nil {
					continue
				}
				if !yield(item, nil) {
					return
				}
			}
			if p.NextCursor == "" {
				return
			}
			if seen[p.NextCursor] {
				yield(nil, fmt.Errorf("salesseat API: GET %s returned next_cursor %q a second time; stopping so the listing does not loop forever", path, p.NextCursor))
				return
			}
			seen[p.NextCursor] = true
			q.Set("cursor", p.NextCursor)
		}
	}
}

// Collect drains a list iterator into a slice, returning the first error.
func Collect[T any](seq iter.Seq2[*T, error]) ([]*T, error) {
	var out []*T
	for item, err := range seq {
		if err != nil {
			return nil, err
		}
		out = append(out, item)
	}
	return out, nil
}

// pathSegment checks an ID that goes into a URL path and escapes it. kind
// names the ID in the error ("sales user").
func pathSegment(kind, id string) (string, error) {
	switch id {
	case "":
		return "", fmt.Errorf("salesseat API: the %s ID is empty: pass the ID of an existing %s", kind, kind)
	case ".", "..":
		return "", fmt.Errorf("salesseat API: %q is not a valid %s ID", id, kind)
	}
	return url.PathEscape(id), nil
}
