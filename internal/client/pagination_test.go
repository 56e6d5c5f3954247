package client

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
)

// pagedConnections serves total connections in pages of the requested limit
// (default 2) with opaque cursors.
func pagedConnections(total int, pages *atomic.Int32) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		pages.Add(1)
		limit := 2
		if l := r.URL.Query().Get("limit"); l != "" {
			_, _ = fmt.Sscan(l, &limit)
		}
		start := 0
		if c := r.URL.Query().Get("cursor"); c != "" {
			_, _ = fmt.Sscanf(c, "after-%d", &start)
		}
		var items []map[string]any
		for i := start; i < min(start+limit, total); i++ {
			items = append(items, map[string]any{"id": fmt.Sprintf("conn_%d", i)})
		}
		body := map[string]any{"items": items}
		if start+limit < total {
			body["next_cursor"] = fmt.Sprintf("after-%d", start+limit)
		}
		writeJSON(w, http.StatusOK, body)
	}
}

func TestListFollowsCursors(t *testing.T) {
	cases := map[string]struct {
		total, pageSize int
		stopAfter       int // 0 = drain
		wantIDs         int
		wantPages       int32
	}{
		"several pages":       {total: 5, wantIDs: 5, wantPages: 3},
		"page size is sent":   {total: 5, pageSize: 4, wantIDs: 5, wantPages: 2},
		"empty list":          {total: 0, wantIDs: 0, wantPages: 1},
		"early break":         {total: 10, stopAfter: 3, wantIDs: 3, wantPages: 2},
		"exact page boundary": {total: 4, wantIDs: 4, wantPages: 2},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			f := newFakeAPI(t)
			var pages atomic.Int32
			f.handle("GET /api/v1/connections", pagedConnections(tc.total, &pages))
			c := newTestClient(t, f, nil)
			var ids []string
			for conn, err := range c.Connections.List(context.Background(), ListOptions{PageSize: tc.pageSize}) {
				if err != nil {
					t.Fatalf("List: %v", err)
				}
				ids = append(ids, conn.ID)
				if tc.stopAfter > 0 && len(ids) == tc.stopAfter {
					break
				}
			}
			if len(ids) != tc.wantIDs {
				t.Errorf("got %d connections (%v), want %d", len(ids), ids, tc.wantIDs)
			}
			for i, id := range ids {
				if id != fmt.Sprintf("conn_%d", i) {
					t.Errorf("ids[%d] = %s", i, id)
				}
			}
			if pages.Load() != tc.wantPages {
				t.Errorf("pages fetched = %d, want %d", pages.Load(), tc.wantPages)
			}
			if tc.pageSize > 0 && !strings.Contains(f.lastAPIRequest(t).RawQuery, fmt.Sprintf("limit=%d", tc.pageSize)) {
				t.Errorf("query %q lacks limit", f.lastAPIRequest(t).RawQuery)
			}
		})
	}
}

func TestListStopsAtFirstError(t *testing.T) {
	f := newFakeAPI(t)
	var pages atomic.Int32
	f.handle("GET /api/v1/role-mappings", func(w http.ResponseWriter, r *http.Request) {
		if pages.Add(1) == 1 {
			writeJSON(w, http.StatusOK, map[string]any{"items": []map[string]any{{"id": "rm_1"}}, "next_cursor": "c2"})
			return
		}
		writeProblem(w, http.StatusNotFound, CodeNotFound, "connection gone", map[string]any{"resource": "connection"})
	})
	c := newTestClient(t, f, nil)
	var got []string
	var errs []error
	for m, err := range c.RoleMappings.List(context.Background(), RoleMappingListOptions{ConnectionID: "conn_1"}) {
		if err != nil {
			errs = append(errs, err)
			continue // the iterator must end by itself after an error
		}
		got = append(got, m.ID)
	}
	if len(got) != 1 || len(errs) != 1 || !errors.Is(errs[0], ErrNotFound) {
		t.Fatalf("items %v, errors %v; want [rm_1] and one not_found", got, errs)
	}
	if q := f.lastAPIRequest(t).RawQuery; !strings.Contains(q, "connection_id=conn_1") || !strings.Contains(q, "cursor=c2") {
		t.Errorf("second page query = %q", q)
	}
}

func TestListDetectsCursorLoop(t *testing.T) {
	f := newFakeAPI(t)
	f.handle("GET /api/v1/sales-users", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, map[string]any{"items": []map[string]any{{"id": "su_1"}}, "next_cursor": "same"})
	})
	c := newTestClient(t, f, nil)
	_, err := Collect(c.SalesUsers.List(context.Background(), SalesUserListOptions{}))
	if err == nil || !strings.Contains(err.Error(), `next_cursor "same" a second time`) {
		t.Fatalf("err = %v, want a cursor loop error", err)
	}
}

func TestListRejectsBadPageSize(t *testing.T) {
	f := newFakeAPI(t)
	c := newTestClient(t, f, nil)
	for _, size := range []int{-1, MaxPageSize + 1} {
		_, err := Collect(c.RecycleBin.List(context.Background(), RecycleBinListOptions{PageSize: size}))
		if err == nil || !strings.Contains(err.Error(), "PageSize") {
			t.Errorf("PageSize %d: err = %v, want an error naming PageSize", size, err)
		}
	}
	if len(f.apiRequests()) != 0 {
		t.Error("a bad page size reached the API")
	}
}

func TestCRMUserFilters(t *testing.T) {
	f := newFakeAPI(t)
	f.handle("GET /api/v1/connections/conn_1/crm-users", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, map[string]any{"items": []map[string]any{{"id": "005000000000001AAA", "username": "a@acme.com", "active": true}}})
	})
	c := newTestClient(t, f, nil)
	active, imported := true, false
	users, err := Collect(c.CRM.ListUsers(context.Background(), "conn_1", CRMUserListOptions{
		Active: &active, ProfileIDs: []string{"00e000000000001", "00e000000000002AAA"}, ProfileNames: []string{"Sales Rep", "Admin"},
		EmailDomain: "acme.com", Search: "ann lee", Imported: &imported, PageSize: 50,
	}))
	if err != nil {
		t.Fatalf("ListUsers: %v", err)
	}
	if len(users) != 1 || !users[0].Active || users[0].Username != "a@acme.com" {
		t.Errorf("users = %+v", users)
	}
	q := f.lastAPIRequest(t).RawQuery
	want := "active=true&email_domain=acme.com&imported=false&limit=50&profile_id=00e000000000001AAA&profile_id=00e000000000002AAA&profile_name=Sales+Rep&profile_name=Admin&search=ann+lee"
	if q != want {
		t.Errorf("query = %q\nwant    %q", q, want)
	}
}
