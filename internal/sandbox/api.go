package sandbox

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/salesseat/terraform-provider-salesseat/internal/sandbox/platform"
)

// pageRequest parses the limit and cursor query parameters; the platform applies the default
// page size.
func pageRequest(q url.Values) (platform.PageRequest, *problem) {
	pr := platform.PageRequest{Cursor: q.Get("cursor")}
	if raw := q.Get("limit"); raw != "" {
		n, err := strconv.Atoi(raw)
		if err != nil || n < 1 || n > platform.MaxPageLimit {
			return pr, invalidField("limit", fmt.Sprintf("must be an integer from 1 to %d", platform.MaxPageLimit))
		}
		pr.Limit = n
	}
	return pr, nil
}

// boolParam parses an optional true/false query parameter.
func boolParam(q url.Values, name string) (*bool, *problem) {
	raw := q.Get(name)
	if raw == "" {
		return nil, nil
	}
	v, err := strconv.ParseBool(raw)
	if err != nil || (raw != "true" && raw != "false") {
		return nil, invalidField(name, "must be true or false")
	}
	return &v, nil
}

// neverMatches is a version no object has: If-Match compares strongly, so a
// weak ETag (W/"3") never matches (RFC 9110 section 13.1.1) and the update
// is refused with precondition_failed naming the current ETag.
const neverMatches = -1

// ifMatch parses the If-Match header: 0 when absent or "*", else the version it names.
func ifMatch(r *http.Request) (int, *problem) {
	raw := strings.TrimSpace(r.Header.Get("If-Match"))
	if raw == "" || raw == "*" {
		return 0, nil
	}
	tag, weak := strings.CutPrefix(raw, "W/")
	unquoted, err := strconv.Unquote(tag)
	if err == nil {
		if v, err := strconv.Atoi(unquoted); err == nil && v >= 1 && strconv.Itoa(v) == unquoted {
			if weak {
				return neverMatches, nil
			}
			return v, nil
		}
	}
	return 0, invalidField("If-Match", `must be the ETag of the object as returned, e.g. "3" (with the quotes), or *`)
}

// decodeBody reads and strictly decodes a JSON object body into dst.
func decodeBody(w http.ResponseWriter, r *http.Request, dst any) (map[string]any, *problem) {
	data, prob := readBody(w, r)
	if prob != nil {
		return nil, prob
	}
	return decodeJSON(data, dst)
}

// writeList writes a page.
func writeList[T any](w http.ResponseWriter, r *http.Request, s *Sandbox, page platform.Page[T], err error) {
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if page.Items == nil {
		page.Items = []T{}
	}
	writeJSON(w, http.StatusOK, page)
}

// createRoute describes a create operation: how to run it and where the result lives. An
// operation without identity (a batch) answers 200 with neither ETag nor Location.
type createRoute[In, Out any] struct {
	create   func(ctx context.Context, in In) (Out, error)
	identity func(Out) (id string, version int)
	location string // path prefix of the created object, ending in /
}

// serveCreate decodes a create request, runs it once per Idempotency-Key and answers 201 with
// ETag and Location. A request with a key already used by the same API client replays the
// stored response (Idempotent-Replayed: true) when the body is the same, and is refused with
// idempotency_key_reused when it is not. Bodies that do not decode are refused before the key
// is looked at, so fixing a typo never needs a new key.
func serveCreate[In, Out any](s *Sandbox, w http.ResponseWriter, r *http.Request, op createRoute[In, Out]) {
	_, hasKey := r.Header[http.CanonicalHeaderKey("Idempotency-Key")]
	key := r.Header.Get("Idempotency-Key")
	if hasKey && (key == "" || len(key) > 255) {
		writeProblem(w, r, invalidField("Idempotency-Key", "must be 1 to 255 characters"))
		return
	}
	data, prob := readBody(w, r)
	if prob != nil {
		writeProblem(w, r, prob)
		return
	}
	var in In
	if _, prob := decodeJSON(data, &in); prob != nil {
		writeProblem(w, r, prob)
		return
	}
	run := func() storedResponse {
		out, err := op.create(r.Context(), in)
		if err != nil {
			p := s.asProblem(r, err)
			return storedResponse{Status: p.Status(), Body: problemBody(p, r.URL.Path)}
		}
		body, err := json.Marshal(out)
		if err != nil {
			p := s.asProblem(r, err)
			return storedResponse{Status: p.Status(), Body: problemBody(p, r.URL.Path)}
		}
		if op.identity == nil {
			return storedResponse{Status: http.StatusOK, Body: body}
		}
		id, version := op.identity(out)
		return storedResponse{Status: http.StatusCreated, Body: body, ETag: etag(version), Location: op.location + url.PathEscape(id)}
	}
	if key == "" {
		writeStored(w, run(), false)
		return
	}
	resp, replayed, prob := s.idem.do(idempotencyScope(r), key, fingerprint(r.Method, r.URL.Path, data), run)
	if prob != nil {
		writeProblem(w, r, prob)
		return
	}
	writeStored(w, resp, replayed)
}

// writeStored writes a (possibly replayed) create response.
func writeStored(w http.ResponseWriter, resp storedResponse, replayed bool) {
	h := w.Header()
	if resp.Status >= 400 {
		h.Set("Content-Type", problemMediaType)
	} else {
		h.Set("Content-Type", "application/json")
	}
	if resp.ETag != "" {
		h.Set("ETag", resp.ETag)
	}
	if resp.Location != "" {
		h.Set("Location", resp.Location)
	}
	if replayed {
		h.Set("Idempotent-Replayed", "true")
	}
	w.WriteHeader(resp.Status)
	_, _ = w.Write(resp.Body)
}

func (s *Sandbox) getAccount(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, s.plat.Account())
}

func (s *Sandbox) getSeatReport(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, s.plat.SeatReport())
}

func (s *Sandbox) listRoles(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, struct {
		Items []platform.Role `json:"items"`
	}{s.plat.Roles()})
}

// Connections.

func (s *Sandbox) listConnections(w http.ResponseWriter, r *http.Request) {
	pr, prob := pageRequest(r.URL.Query())
	if prob != nil {
		writeProblem(w, r, prob)
		return
	}
	page, err := s.plat.ListConnections(pr)
	writeList(w, r, s, page, err)
}

func (s *Sandbox) createConnection(w http.ResponseWriter, r *http.Request) {
	serveCreate(s, w, r, createRoute[platform.ConnectionInput, platform.Connection]{
		create:   s.plat.CreateConnection,
		identity: func(c platform.Connection) (string, int) { return c.ID, c.Version },
		location: "/api/v1/connections/",
	})
}

func (s *Sandbox) getConnection(w http.ResponseWriter, r *http.Request) {
	c, err := s.plat.GetConnection(r.Context(), r.PathValue("connection_id"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeObject(w, c, c.Version)
}

func (s *Sandbox) updateConnection(w http.ResponseWriter, r *http.Request) {
	version, prob := ifMatch(r)
	if prob != nil {
		writeProblem(w, r, prob)
		return
	}
	var in platform.ConnectionPatch
	if _, prob := decodeBody(w, r, &in); prob != nil {
		writeProblem(w, r, prob)
		return
	}
	c, err := s.plat.UpdateConnection(r.Context(), r.PathValue("connection_id"), in, version)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeObject(w, c, c.Version)
}

func (s *Sandbox) deleteConnection(w http.ResponseWriter, r *http.Request) {
	if err := s.plat.DeleteConnection(r.Context(), r.PathValue("connection_id")); err != nil {
		s.writeError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (s *Sandbox) authorizeConnection(w http.ResponseWriter, r *http.Request) {
	data, prob := readBody(w, r)
	if prob != nil {
		writeProblem(w, r, prob)
		return
	}
	var in platform.AuthorizeInput
	if len(strings.TrimSpace(string(data))) > 0 {
		if _, prob := decodeJSON(data, &in); prob != nil {
			writeProblem(w, r, prob)
			return
		}
	}
	c, err := s.plat.AuthorizeConnection(r.Context(), r.PathValue("connection_id"), in)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeObject(w, c, c.Version)
}

func (s *Sandbox) updateConnectionFromCRM(w http.ResponseWriter, r *http.Request) {
	n, err := s.plat.UpdateConnectionFromCRM(r.Context(), r.PathValue("connection_id"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]int{"updated": n})
}

// CRM data.

func (s *Sandbox) listCRMUsers(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	pr, prob := pageRequest(q)
	if prob != nil {
		writeProblem(w, r, prob)
		return
	}
	f := platform.CRMUserFilter{
		ProfileIDs:   q["profile_id"],
		ProfileNames: q["profile_name"],
		EmailDomain:  q.Get("email_domain"),
		Search:       q.Get("search"),
		Groups:       q["group"],
	}
	if f.Active, prob = boolParam(q, "active"); prob != nil {
		writeProblem(w, r, prob)
		return
	}
	if f.Imported, prob = boolParam(q, "imported"); prob != nil {
		writeProblem(w, r, prob)
		return
	}
	page, err := s.plat.ListCRMUsers(r.Context(), r.PathValue("connection_id"), f, pr)
	writeList(w, r, s, page, err)
}

func (s *Sandbox) getCRMUser(w http.ResponseWriter, r *http.Request) {
	u, err := s.plat.GetCRMUser(r.Context(), r.PathValue("connection_id"), r.PathValue("crm_user_id"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, u)
}

func (s *Sandbox) listCRMProfiles(w http.ResponseWriter, r *http.Request) {
	pr, prob := pageRequest(r.URL.Query())
	if prob != nil {
		writeProblem(w, r, prob)
		return
	}
	page, err := s.plat.ListCRMProfiles(r.Context(), r.PathValue("connection_id"), pr)
	writeList(w, r, s, page, err)
}

func (s *Sandbox) listCRMGroups(w http.ResponseWriter, r *http.Request) {
	pr, prob := pageRequest(r.URL.Query())
	if prob != nil {
		writeProblem(w, r, prob)
		return
	}
	page, err := s.plat.ListCRMGroups(r.Context(), r.PathValue("connection_id"), pr)
	writeList(w, r, s, page, err)
}

// Role mappings.

func (s *Sandbox) listRoleMappings(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	pr, prob := pageRequest(q)
	if prob != nil {
		writeProblem(w, r, prob)
		return
	}
	page, err := s.plat.ListRoleMappings(q.Get("connection_id"), pr)
	writeList(w, r, s, page, err)
}

func (s *Sandbox) createRoleMapping(w http.ResponseWriter, r *http.Request) {
	serveCreate(s, w, r, createRoute[platform.RoleMappingInput, platform.RoleMapping]{
		create:   s.plat.CreateRoleMapping,
		identity: func(m platform.RoleMapping) (string, int) { return m.ID, m.Version },
		location: "/api/v1/role-mappings/",
	})
}

func (s *Sandbox) getRoleMapping(w http.ResponseWriter, r *http.Request) {
	m, err := s.plat.GetRoleMapping(r.PathValue("mapping_id"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeObject(w, m, m.Version)
}

// roleMappingPatch is the body of PATCH /role-mappings/{mapping_id}.
type roleMappingPatch struct {
	Role *string `json:"role"`
}

func (s *Sandbox) updateRoleMapping(w http.ResponseWriter, r *http.Request) {
	version, prob := ifMatch(r)
	if prob != nil {
		writeProblem(w, r, prob)
		return
	}
	var in roleMappingPatch
	if _, prob := decodeBody(w, r, &in); prob != nil {
		writeProblem(w, r, prob)
		return
	}
	if in.Role == nil {
		writeProblem(w, r, invalidField("role", "is required: one of "+strings.Join(platform.RoleNames(), ", ")))
		return
	}
	m, err := s.plat.UpdateRoleMapping(r.PathValue("mapping_id"), *in.Role, version)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeObject(w, m, m.Version)
}

func (s *Sandbox) deleteRoleMapping(w http.ResponseWriter, r *http.Request) {
	if err := s.plat.DeleteRoleMapping(r.PathValue("mapping_id")); err != nil {
		s.writeError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// Sales users.

func (s *Sandbox) listSalesUsers(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	pr, prob := pageRequest(q)
	if prob != nil {
		writeProblem(w, r, prob)
		return
	}
	page, err := s.plat.ListSalesUsers(platform.SalesUserFilter{ConnectionID: q.Get("connection_id"), CRMUsername: q.Get("crm_username")}, pr)
	writeList(w, r, s, page, err)
}

func (s *Sandbox) createSalesUser(w http.ResponseWriter, r *http.Request) {
	serveCreate(s, w, r, createRoute[platform.SalesUserInput, platform.SalesUser]{
		create:   s.plat.CreateSalesUser,
		identity: func(u platform.SalesUser) (string, int) { return u.ID, u.Version },
		location: "/api/v1/sales-users/",
	})
}

// validateRequest is the body of POST /sales-users/validate.
type validateRequest struct {
	Items []platform.ValidateItem `json:"items"`
}

func (s *Sandbox) validateSalesUsers(w http.ResponseWriter, r *http.Request) {
	var in validateRequest
	obj, prob := decodeBody(w, r, &in)
	if prob != nil {
		writeProblem(w, r, prob)
		return
	}
	if _, ok := obj["items"]; !ok {
		writeProblem(w, r, invalidField("items", "is required: the list of planned creates and updates"))
		return
	}
	res, err := s.plat.Validate(r.Context(), in.Items)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, validationDocument(res, in.Items))
}

// validationResultDoc is the answer of POST /sales-users/validate.
type validationResultDoc struct {
	Valid bool                `json:"valid"`
	Seats platform.Seats      `json:"seats"`
	Items []validationItemDoc `json:"items"`
}

// validationItemDoc is the verdict on one item, its problems rendered as problem documents.
type validationItemDoc struct {
	Index       int               `json:"index"`
	Valid       bool              `json:"valid"`
	CRMUserID   string            `json:"crm_user_id,omitempty"`
	CRMUsername string            `json:"crm_username,omitempty"`
	CRMUser     *platform.CRMUser `json:"crm_user,omitempty"`
	Role        *string           `json:"role,omitempty"`
	RoleSource  string            `json:"role_source,omitempty"`
	Problems    []map[string]any  `json:"problems"`
}

// validationDocument renders a dry run. Each problem's instance is the request the item stands
// for (see itemInstance).
func validationDocument(res platform.ValidationResult, items []platform.ValidateItem) validationResultDoc {
	doc := validationResultDoc{Valid: res.Valid, Seats: res.Seats, Items: make([]validationItemDoc, len(res.Items))}
	for i, vi := range res.Items {
		instance := itemInstance(items[vi.Index], "/api/v1/sales-users/validate")
		d := validationItemDoc{Index: vi.Index, Valid: vi.Valid, CRMUserID: vi.CRMUserID, CRMUsername: vi.CRMUsername, CRMUser: vi.CRMUser,
			RoleSource: vi.RoleSource, Problems: make([]map[string]any, len(vi.Problems))}
		if vi.RoleSource != "" {
			role := vi.Role // "" is a value here: the profile has no mapping
			d.Role = &role
		}
		for j, p := range vi.Problems {
			d.Problems[j] = problemDocument(apiProblem(p), instance)
		}
		doc.Items[i] = d
	}
	return doc
}

// itemInstance is the single request a dry-run or batch item stands for: the create, the
// update or delete of its sales user, the restore of its recycle bin entry, or (for an unknown
// action) the request itself.
func itemInstance(it platform.ValidateItem, self string) string {
	switch it.Action {
	case platform.ActionCreate:
		return "/api/v1/sales-users"
	case platform.ActionUpdate, platform.ActionRemove:
		return "/api/v1/sales-users/" + url.PathEscape(it.SalesUserID)
	case platform.ActionRestore:
		return "/api/v1/recycle-bin/" + url.PathEscape(it.SalesUserID) + "/restore"
	}
	return self
}

// batchRequest is the body of POST /sales-users/batch.
type batchRequest struct {
	ConnectionID string                  `json:"connection_id"`
	Items        []platform.ValidateItem `json:"items"`
}

// batchResultDoc is the answer of POST /sales-users/batch.
type batchResultDoc struct {
	Applied int                 `json:"applied"`
	Failed  int                 `json:"failed"`
	Seats   platform.BatchSeats `json:"seats"`
	Items   []batchItemDoc      `json:"items"`
}

// batchItemDoc is the outcome of one item, its problem rendered as a problem document.
type batchItemDoc struct {
	Index       int                 `json:"index"`
	Action      string              `json:"action"`
	Applied     bool                `json:"applied"`
	CRMUserID   string              `json:"crm_user_id,omitempty"`
	CRMUsername string              `json:"crm_username,omitempty"`
	SalesUser   *platform.SalesUser `json:"sales_user,omitempty"`
	Problem     map[string]any      `json:"problem,omitempty"`
}

func (s *Sandbox) batchSalesUsers(w http.ResponseWriter, r *http.Request) {
	serveCreate(s, w, r, createRoute[batchRequest, batchResultDoc]{
		create: func(ctx context.Context, in batchRequest) (batchResultDoc, error) {
			res, err := s.plat.Batch(ctx, in.ConnectionID, in.Items)
			if err != nil {
				return batchResultDoc{}, err
			}
			doc := batchResultDoc{Applied: res.Applied, Failed: res.Failed, Seats: res.Seats, Items: make([]batchItemDoc, len(res.Items))}
			for i, it := range res.Items {
				d := batchItemDoc{Index: it.Index, Action: it.Action, Applied: it.Applied, CRMUserID: it.CRMUserID, CRMUsername: it.CRMUsername, SalesUser: it.SalesUser}
				if it.Problem != nil {
					d.Problem = problemDocument(apiProblem(it.Problem), itemInstance(in.Items[it.Index], "/api/v1/sales-users/batch"))
				}
				doc.Items[i] = d
			}
			return doc, nil
		},
	})
}

func (s *Sandbox) getSalesUserByCRMUsername(w http.ResponseWriter, r *http.Request) {
	u, err := s.plat.GetSalesUserByCRMUsername(r.PathValue("crm_username"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeObject(w, u, u.Version)
}

func (s *Sandbox) getSalesUser(w http.ResponseWriter, r *http.Request) {
	u, err := s.plat.GetSalesUser(r.PathValue("sales_user_id"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeObject(w, u, u.Version)
}

func (s *Sandbox) updateSalesUser(w http.ResponseWriter, r *http.Request) {
	version, prob := ifMatch(r)
	if prob != nil {
		writeProblem(w, r, prob)
		return
	}
	var in platform.SalesUserPatch
	_, prob = decodeBody(w, r, &in)
	if prob != nil {
		writeProblem(w, r, prob)
		return
	}
	u, err := s.plat.UpdateSalesUser(r.PathValue("sales_user_id"), in, version)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeObject(w, u, u.Version)
}

func (s *Sandbox) deleteSalesUser(w http.ResponseWriter, r *http.Request) {
	if err := s.plat.DeleteSalesUser(r.PathValue("sales_user_id")); err != nil {
		s.writeError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (s *Sandbox) updateSalesUserFromCRM(w http.ResponseWriter, r *http.Request) {
	u, err := s.plat.UpdateSalesUserFromCRM(r.Context(), r.PathValue("sales_user_id"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeObject(w, u, u.Version)
}

// Recycle bin.

func (s *Sandbox) listRecycleBin(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	pr, prob := pageRequest(q)
	if prob != nil {
		writeProblem(w, r, prob)
		return
	}
	page, err := s.plat.ListRecycleBin(q.Get("connection_id"), pr)
	writeList(w, r, s, page, err)
}

func (s *Sandbox) restoreSalesUser(w http.ResponseWriter, r *http.Request) {
	data, prob := readBody(w, r)
	if prob != nil {
		writeProblem(w, r, prob)
		return
	}
	var in platform.RestoreInput
	if len(strings.TrimSpace(string(data))) > 0 {
		if _, prob := decodeJSON(data, &in); prob != nil {
			writeProblem(w, r, prob)
			return
		}
	}
	u, err := s.plat.RestoreSalesUser(r.Context(), r.PathValue("sales_user_id"), in)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeObject(w, u, u.Version)
}

func (s *Sandbox) purgeSalesUser(w http.ResponseWriter, r *http.Request) {
	if err := s.plat.PurgeSalesUser(r.PathValue("sales_user_id")); err != nil {
		s.writeError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
