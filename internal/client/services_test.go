package client

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"
)

func ptr[T any](v T) *T { return &v }

func TestOperationsSendTheWireRequest(t *testing.T) {
	connection := map[string]any{"id": "conn_1", "name": "prod", "environment": "production", "status": "connected",
		"organization_id": "00D000000000001AAA", "created_at": "2025-01-02T03:04:05Z", "updated_at": "2025-01-02T03:04:05Z", "version": 2}
	mapping := map[string]any{"id": "rm_1", "connection_id": "conn_1", "crm_profile_id": "00e000000000001AAA", "role": "sales", "version": 1}
	type call func(ctx context.Context, c *Client) (any, error)
	cases := map[string]struct {
		call        call
		route       string // "METHOD path" the fake serves
		status      int
		respond     any
		wantBody    string // JSON, "" = no body
		wantQuery   string
		wantKey     bool
		wantIfMatch string
		check       func(t *testing.T, got any)
	}{
		"connections create": {
			call: func(ctx context.Context, c *Client) (any, error) {
				return c.Connections.Create(ctx, ConnectionCreateOptions{Name: "prod", Environment: "production", ServiceUsername: "svc@acme.com",
					OAuthClientID: "3MVG9", RefreshToken: "rt", UserSync: ptr(false)})
			},
			route: "POST /api/v1/connections", status: 201, respond: connection, wantKey: true,
			wantBody: `{"name":"prod","environment":"production","service_username":"svc@acme.com","oauth_client_id":"3MVG9","refresh_token":"rt","user_sync":false}`,
			check: func(t *testing.T, got any) {
				c := as[*Connection](t, got)
				if c.ID != "conn_1" || c.Version != 2 || c.ETag != `"2"` || !c.CreatedAt.Equal(time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)) {
					t.Errorf("connection = %+v", c)
				}
			},
		},
		"connections read": {
			call:  func(ctx context.Context, c *Client) (any, error) { return c.Connections.Read(ctx, "conn_1") },
			route: "GET /api/v1/connections/conn_1", status: 200, respond: connection,
		},
		"connections update": {
			call: func(ctx context.Context, c *Client) (any, error) {
				return c.Connections.Update(ctx, "conn_1", ConnectionUpdateOptions{Name: ptr("new"), AutomaticUserSync: ptr(true), IfMatch: `"2"`})
			},
			route: "PATCH /api/v1/connections/conn_1", status: 200, respond: connection,
			wantBody: `{"name":"new","automatic_user_sync":true}`, wantIfMatch: `"2"`,
		},
		"connections delete": {
			call:  func(ctx context.Context, c *Client) (any, error) { return nil, c.Connections.Delete(ctx, "conn_1") },
			route: "DELETE /api/v1/connections/conn_1", status: 204,
		},
		"connections authorize without body": {
			call: func(ctx context.Context, c *Client) (any, error) {
				return c.Connections.Authorize(ctx, "conn_1", ConnectionAuthorizeOptions{})
			},
			route: "POST /api/v1/connections/conn_1/authorize", status: 200, respond: connection,
		},
		"connections authorize with token": {
			call: func(ctx context.Context, c *Client) (any, error) {
				return c.Connections.Authorize(ctx, "conn_1", ConnectionAuthorizeOptions{RefreshToken: "rt2"})
			},
			route: "POST /api/v1/connections/conn_1/authorize", status: 200, respond: connection, wantBody: `{"refresh_token":"rt2"}`,
		},
		"connections update from crm": {
			call:  func(ctx context.Context, c *Client) (any, error) { return c.Connections.UpdateFromCRM(ctx, "conn_1") },
			route: "POST /api/v1/connections/conn_1/update-from-crm", status: 200, respond: map[string]any{"updated": 7},
			check: func(t *testing.T, got any) {
				if as[int](t, got) != 7 {
					t.Errorf("updated = %v, want 7", got)
				}
			},
		},
		"crm read user normalizes the id": {
			call: func(ctx context.Context, c *Client) (any, error) {
				return c.CRM.ReadUser(ctx, "conn_1", "005000000000001")
			},
			route: "GET /api/v1/connections/conn_1/crm-users/005000000000001AAA", status: 200,
			respond: map[string]any{"id": "005000000000001AAA", "sales_user_id": "su_1"},
		},
		"crm profiles": {
			call: func(ctx context.Context, c *Client) (any, error) {
				return Collect(c.CRM.ListProfiles(ctx, "conn_1"))
			},
			route: "GET /api/v1/connections/conn_1/crm-profiles", status: 200,
			respond: map[string]any{"items": []map[string]any{{"id": "00e000000000001AAA", "name": "Sales Rep", "user_count": 42}}},
			check: func(t *testing.T, got any) {
				p := as[[]*CRMProfile](t, got)
				if len(p) != 1 || *p[0] != (CRMProfile{ID: "00e000000000001AAA", Name: "Sales Rep", UserCount: 42}) {
					t.Errorf("profiles = %+v", p)
				}
			},
		},
		"role mapping create normalizes the profile id": {
			call: func(ctx context.Context, c *Client) (any, error) {
				return c.RoleMappings.Create(ctx, RoleMappingCreateOptions{ConnectionID: "conn_1", CRMProfileID: "00e000000000001", Role: "sales"})
			},
			route: "POST /api/v1/role-mappings", status: 201, respond: mapping, wantKey: true,
			wantBody: `{"connection_id":"conn_1","crm_profile_id":"00e000000000001AAA","role":"sales"}`,
		},
		"role mapping update": {
			call: func(ctx context.Context, c *Client) (any, error) {
				return c.RoleMappings.Update(ctx, "rm_1", RoleMappingUpdateOptions{Role: "marketing"})
			},
			route: "PATCH /api/v1/role-mappings/rm_1", status: 200, respond: mapping, wantBody: `{"role":"marketing"}`,
		},
		"role mapping read and delete": {
			call: func(ctx context.Context, c *Client) (any, error) {
				if _, err := c.RoleMappings.Read(ctx, "rm_1"); err != nil {
					return nil, err
				}
				return nil, c.RoleMappings.Delete(ctx, "rm_1")
			},
			route: "/api/v1/role-mappings/rm_1", status: 200, respond: mapping,
		},
		"sales user create by username": {
			call: func(ctx context.Context, c *Client) (any, error) {
				return c.SalesUsers.Create(ctx, SalesUserCreateOptions{ConnectionID: "conn_1", CRMUsername: "a@acme.com", Team: "West", HiddenComponents: []string{"hot_prospects"}})
			},
			route: "POST /api/v1/sales-users", status: 201, respond: salesUserJSON("su_1"), wantKey: true,
			wantBody: `{"connection_id":"conn_1","crm_username":"a@acme.com","team":"West","hidden_components":["hot_prospects"]}`,
		},
		"sales user update clears role and components": {
			call: func(ctx context.Context, c *Client) (any, error) {
				return c.SalesUsers.Update(ctx, "su_1", SalesUserUpdateOptions{Role: ptr(""), HiddenComponents: ptr([]string(nil)), IfMatch: `"1"`})
			},
			route: "PATCH /api/v1/sales-users/su_1", status: 200, respond: salesUserJSON("su_1"),
			wantBody: `{"role":"","hidden_components":[]}`, wantIfMatch: `"1"`,
		},
		"sales user by crm username": {
			call: func(ctx context.Context, c *Client) (any, error) {
				return c.SalesUsers.ReadByCRMUsername(ctx, "a+b@acme.com")
			},
			route: "GET /api/v1/sales-users/by-crm-username/a+b@acme.com", status: 200, respond: salesUserJSON("su_1"),
		},
		"sales user update from crm": {
			call:  func(ctx context.Context, c *Client) (any, error) { return c.SalesUsers.UpdateFromCRM(ctx, "su_1") },
			route: "POST /api/v1/sales-users/su_1/update-from-crm", status: 200, respond: salesUserJSON("su_1"),
		},
		"sales user list filters": {
			call: func(ctx context.Context, c *Client) (any, error) {
				return Collect(c.SalesUsers.List(ctx, SalesUserListOptions{ConnectionID: "conn_1", CRMUsername: "a@acme.com"}))
			},
			route: "GET /api/v1/sales-users", status: 200, respond: map[string]any{"items": []any{salesUserJSON("su_1")}},
			wantQuery: "connection_id=conn_1&crm_username=a%40acme.com",
		},
		"validate": {
			call: func(ctx context.Context, c *Client) (any, error) {
				return c.SalesUsers.Validate(ctx, ValidateOptions{Items: []ValidateItem{
					{Action: ValidateActionCreate, ConnectionID: "conn_1", CRMUserID: "005000000000001"},
					{Action: ValidateActionUpdate, SalesUserID: "su_1", Role: ptr("sales")},
				}})
			},
			route: "POST /api/v1/sales-users/validate", status: 200,
			respond: map[string]any{"valid": false, "seats": map[string]int{"seat_limit": 25, "seats_used": 25, "seats_available": 0, "seats_requested": 1},
				"items": []any{
					map[string]any{"index": 0, "valid": false, "crm_user_id": "005000000000001AAA", "problems": []any{
						map[string]any{"status": 409, "code": "seat_limit_reached", "detail": "full", "seats_used": 25}}},
					map[string]any{"index": 1, "valid": true, "problems": []any{}},
				}},
			wantBody: `{"items":[{"action":"create","connection_id":"conn_1","crm_user_id":"005000000000001AAA"},{"action":"update","sales_user_id":"su_1","role":"sales"}]}`,
			check: func(t *testing.T, got any) {
				r := as[*ValidationResult](t, got)
				if r.Valid || r.Seats.SeatsRequested != 1 || len(r.Items) != 2 || len(r.Items[0].Problems) != 1 {
					t.Fatalf("result = %+v", r)
				}
				p := r.Items[0].Problems[0]
				if p.Code != CodeSeatLimitReached || p.Status != 409 || p.SeatsUsed != 25 || !errors.Is(p, ErrSeatLimitReached) {
					t.Errorf("problem = %+v", p)
				}
			},
		},
		"batch": {
			call: func(ctx context.Context, c *Client) (any, error) {
				return c.SalesUsers.Batch(ctx, SalesUserBatchOptions{ConnectionID: "conn_1", Items: []ValidateItem{
					{Action: ValidateActionCreate, CRMUserID: "005000000000001", Role: ptr("sales")},
					{Action: ValidateActionRemove, SalesUserID: "su_2"},
					{Action: ValidateActionUpdate, SalesUserID: "su_3", HiddenComponents: []string{}},
				}})
			},
			route: "POST /api/v1/sales-users/batch", status: 200, wantKey: true,
			respond: map[string]any{"applied": 1, "failed": 1, "seats": map[string]int{"seat_limit": 25, "seats_used_before": 25, "seats_used": 24},
				"items": []any{
					map[string]any{"index": 0, "action": "create", "applied": false, "crm_user_id": "005000000000001AAA",
						"problem": map[string]any{"status": 422, "code": "crm_user_inactive", "detail": "inactive"}},
					map[string]any{"index": 1, "action": "remove", "applied": true, "sales_user": salesUserJSON("su_2")},
				}},
			// An empty, non-nil hidden_components clears them.
			wantBody: `{"connection_id":"conn_1","items":[{"action":"create","crm_user_id":"005000000000001AAA","role":"sales"},{"action":"remove","sales_user_id":"su_2"},{"action":"update","sales_user_id":"su_3","hidden_components":[]}]}`,
			check: func(t *testing.T, got any) {
				r := as[*SalesUserBatchResult](t, got)
				if r.Applied != 1 || r.Failed != 1 || r.Seats.SeatsUsedBefore != 25 || r.Seats.SeatsUsed != 24 || len(r.Items) != 2 {
					t.Fatalf("result = %+v", r)
				}
				if p := r.Items[0].Problem; p == nil || !errors.Is(p, ErrCRMUserInactive) || r.Items[0].SalesUser != nil {
					t.Errorf("failed item = %+v", r.Items[0])
				}
				if su := r.Items[1].SalesUser; su == nil || su.ID != "su_2" || r.Items[1].Problem != nil {
					t.Errorf("applied item = %+v", r.Items[1])
				}
			},
		},
		"recycle bin restore without body": {
			call: func(ctx context.Context, c *Client) (any, error) {
				return c.RecycleBin.Restore(ctx, "su_1", RecycleBinRestoreOptions{})
			},
			route: "POST /api/v1/recycle-bin/su_1/restore", status: 200, respond: salesUserJSON("su_1"),
		},
		"recycle bin restore on a connection": {
			call: func(ctx context.Context, c *Client) (any, error) {
				return c.RecycleBin.Restore(ctx, "su_1", RecycleBinRestoreOptions{ConnectionID: "conn_2"})
			},
			route: "POST /api/v1/recycle-bin/su_1/restore", status: 200, respond: salesUserJSON("su_1"),
			wantBody: `{"connection_id":"conn_2"}`,
		},
		"recycle bin purge": {
			call:  func(ctx context.Context, c *Client) (any, error) { return nil, c.RecycleBin.Purge(ctx, "su_1") },
			route: "DELETE /api/v1/recycle-bin/su_1", status: 204,
		},
		"recycle bin list": {
			call: func(ctx context.Context, c *Client) (any, error) {
				return Collect(c.RecycleBin.List(ctx, RecycleBinListOptions{ConnectionID: "conn_1"}))
			},
			route: "GET /api/v1/recycle-bin", status: 200,
			respond:   map[string]any{"items": []any{map[string]any{"id": "su_2", "deleted_at": "2025-03-01T00:00:00Z", "hidden_components": nil}}},
			wantQuery: "connection_id=conn_1",
			check: func(t *testing.T, got any) {
				u := as[[]*SalesUser](t, got)
				if len(u) != 1 || u[0].DeletedAt.IsZero() || u[0].HiddenComponents == nil {
					t.Errorf("recycle bin = %+v", u)
				}
			},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			f := newFakeAPI(t)
			f.handle(tc.route, func(w http.ResponseWriter, r *http.Request) {
				if tc.respond == nil || r.Method == http.MethodDelete {
					w.WriteHeader(http.StatusNoContent)
					return
				}
				w.Header().Set("ETag", `"2"`)
				writeJSON(w, tc.status, tc.respond)
			})
			c := newTestClient(t, f, nil)
			got, err := tc.call(context.Background(), c)
			if err != nil {
				t.Fatalf("call: %v", err)
			}
			req := f.lastAPIRequest(t)
			if tc.wantBody == "" {
				if len(req.Body) != 0 {
					t.Errorf("body = %s, want none", req.Body)
				}
			} else {
				assertSameJSON(t, req.Body, tc.wantBody)
				if ct := req.Header.Get("Content-Type"); ct != "application/json" {
					t.Errorf("Content-Type = %q", ct)
				}
			}
			if req.RawQuery != tc.wantQuery {
				t.Errorf("query = %q, want %q", req.RawQuery, tc.wantQuery)
			}
			if key := req.Header.Get("Idempotency-Key"); (key != "") != tc.wantKey {
				t.Errorf("Idempotency-Key = %q, want present: %v", key, tc.wantKey)
			}
			if got := req.Header.Get("If-Match"); got != tc.wantIfMatch {
				t.Errorf("If-Match = %q, want %q", got, tc.wantIfMatch)
			}
			if tc.check != nil {
				tc.check(t, got)
			}
		})
	}
}

// as returns got as a T, failing the test when it is not one.
func as[T any](t *testing.T, got any) T {
	t.Helper()
	v, ok := got.(T)
	if !ok {
		t.Fatalf("result is %T, want %T", got, v)
	}
	return v
}

func assertSameJSON(t *testing.T, got []byte, want string) {
	t.Helper()
	var g, w any
	if err := json.Unmarshal(got, &g); err != nil {
		t.Fatalf("request body %s is not JSON: %v", got, err)
	}
	if err := json.Unmarshal([]byte(want), &w); err != nil {
		t.Fatalf("bad expectation %s: %v", want, err)
	}
	if !reflect.DeepEqual(g, w) {
		t.Errorf("body = %s\nwant   %s", got, want)
	}
}

func TestIdempotencyKeyFormat(t *testing.T) {
	seen := map[string]bool{}
	for range 100 {
		k := newIdempotencyKey()
		if len(k) != 36 || k[8] != '-' || k[14] != '4' || seen[k] {
			t.Fatalf("key %q is not a fresh v4 UUID", k)
		}
		seen[k] = true
	}
}

func TestBatchRefusesWhatTheAPIWouldRefuse(t *testing.T) {
	c := newTestClient(t, newFakeAPI(t), nil)
	ctx := context.Background()
	tooMany := make([]ValidateItem, MaxBatchItems+1)
	for i := range tooMany {
		tooMany[i] = ValidateItem{Action: ValidateActionRemove, SalesUserID: fmt.Sprintf("su_%d", i)}
	}
	cases := map[string]struct {
		opts SalesUserBatchOptions
		want string
	}{
		"no connection": {SalesUserBatchOptions{Items: tooMany[:1]}, "connection_id"},
		"no items":      {SalesUserBatchOptions{ConnectionID: "conn_1"}, "1 to 500 items, got 0"},
		"too many":      {SalesUserBatchOptions{ConnectionID: "conn_1", Items: tooMany}, "1 to 500 items, got 501"},
		"bad crm id":    {SalesUserBatchOptions{ConnectionID: "conn_1", Items: []ValidateItem{{Action: ValidateActionCreate, CRMUserID: "005nope"}}}, "items[0].crm_user_id"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			_, err := c.SalesUsers.Batch(ctx, tc.opts)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err = %v, want it to mention %q", err, tc.want)
			}
		})
	}
}
