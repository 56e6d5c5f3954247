package platform

import (
	"encoding/base64"
	"fmt"
	"sort"
	"strings"
)

const cursorPrefix = "c1:"

// encodeCursor makes the opaque cursor that resumes a list after key.
func encodeCursor(key string) string {
	return base64.RawURLEncoding.EncodeToString([]byte(cursorPrefix + key))
}

// decodeCursor returns the key a cursor resumes after ("" for the first
// page).
func decodeCursor(cursor string) (string, error) {
	if cursor == "" {
		return "", nil
	}
	raw, err := base64.RawURLEncoding.DecodeString(cursor)
	if err != nil || !strings.HasPrefix(string(raw), cursorPrefix) || len(raw) == len(cursorPrefix) {
		return "", Validation("cursor", "the cursor is not one this API issued; pass next_cursor from the previous page unchanged, or omit cursor for the first page")
	}
	return strings.TrimPrefix(string(raw), cursorPrefix), nil
}

// pageLimit checks a requested page size and applies the default.
func pageLimit(limit int) (int, error) {
	switch {
	case limit == 0:
		return DefaultPageLimit, nil
	case limit < 1 || limit > MaxPageLimit:
		return 0, Validation("limit", fmt.Sprintf("limit must be between 1 and %d, got %d", MaxPageLimit, limit))
	}
	return limit, nil
}

// paginate returns the page of items (sorted by key, ascending) that pr
// selects. Cursors name the last key of a page, so they stay valid while
// items are added or removed.
func paginate[T any](items []T, key func(T) string, pr PageRequest) (Page[T], error) {
	limit, err := pageLimit(pr.Limit)
	if err != nil {
		return Page[T]{}, err
	}
	after, err := decodeCursor(pr.Cursor)
	if err != nil {
		return Page[T]{}, err
	}
	start := 0
	if after != "" {
		start = sort.Search(len(items), func(i int) bool { return key(items[i]) > after })
	}
	end := min(start+limit, len(items))
	page := Page[T]{Items: append([]T{}, items[start:end]...)}
	if end < len(items) {
		page.NextCursor = encodeCursor(key(items[end-1]))
	}
	return page, nil
}
