package sforg

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/salesseat/terraform-provider-salesseat/internal/sfid"
)

// API versions the org serves.
const (
	MinAPIVersion = 50
	MaxAPIVersion = 63
)

// Query batch sizes (Sforce-Query-Options: batchSize=N).
const (
	defaultBatchSize = 2000
	minBatchSize     = 200
	maxBatchSize     = 2000
)

// releaseNames labels API versions as Salesforce's version list does.
var releaseNames = map[int]string{
	50: "Winter '21", 51: "Spring '21", 52: "Summer '21",
	53: "Winter '22", 54: "Spring '22", 55: "Summer '22",
	56: "Winter '23", 57: "Spring '23", 58: "Summer '23",
	59: "Winter '24", 60: "Spring '24", 61: "Summer '24",
	62: "Winter '25", 63: "Spring '25",
}

// apiError is one element of Salesforce's REST error array.
type apiError struct {
	Message   string `json:"message"`
	ErrorCode string `json:"errorCode"`
}

func writeJSON(w http.ResponseWriter, status int, body []byte) {
	w.Header().Set("Content-Type", "application/json;charset=UTF-8")
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

func writeAPIError(w http.ResponseWriter, status int, code, message string) {
	body, _ := json.Marshal([]apiError{{Message: message, ErrorCode: code}})
	if status == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", "Token")
	}
	writeJSON(w, status, body)
}

func writeNotFound(w http.ResponseWriter) {
	writeAPIError(w, http.StatusNotFound, CodeNotFound, "The requested resource does not exist")
}

// Handler serves POST /services/oauth2/token, GET /services/data/... (the
// version list, each version's resource list, query and queryAll with their
// continuation locators, limits) and the identity services: GET
// /services/oauth2/userinfo and the identity URL /id/{orgID}/{userID} that
// token responses name. Anything else answers Salesforce's NOT_FOUND.
func (s *Server) Handler() http.Handler {
	return http.HandlerFunc(s.serveHTTP)
}

func (s *Server) serveHTTP(w http.ResponseWriter, r *http.Request) {
	path := r.URL.Path
	switch {
	case path == "/services/oauth2/token":
		s.serveToken(w, r)
	case path == "/services/oauth2/userinfo":
		if allowGet(w, r) {
			s.serveUserInfo(w, r)
		}
	case strings.HasPrefix(path, "/id/"):
		if allowGet(w, r) {
			s.serveIdentity(w, r, strings.TrimPrefix(path, "/id/"))
		}
	case path == "/services/data" || path == "/services/data/":
		if !allowGet(w, r) {
			return
		}
		s.serveVersions(w)
	case strings.HasPrefix(path, "/services/data/"):
		s.serveData(w, r, strings.TrimPrefix(path, "/services/data/"))
	default:
		writeNotFound(w)
	}
}

func allowGet(w http.ResponseWriter, r *http.Request) bool {
	if r.Method == http.MethodGet || r.Method == http.MethodHead {
		return true
	}
	w.Header().Set("Allow", "GET,HEAD")
	writeAPIError(w, http.StatusMethodNotAllowed, CodeMethodNotAllowed,
		fmt.Sprintf("HTTP Method '%s' not allowed. Allowed are GET,HEAD", r.Method))
	return false
}

func (s *Server) serveVersions(w http.ResponseWriter) {
	type version struct {
		Label   string `json:"label"`
		URL     string `json:"url"`
		Version string `json:"version"`
	}
	out := make([]version, 0, MaxAPIVersion-MinAPIVersion+1)
	for v := MinAPIVersion; v <= MaxAPIVersion; v++ {
		n := strconv.Itoa(v) + ".0"
		out = append(out, version{Label: releaseNames[v], URL: "/services/data/v" + n, Version: n})
	}
	body, _ := json.Marshal(out)
	writeJSON(w, http.StatusOK, body)
}

// parseVersion accepts "v50.0" .. "v63.0" and returns "50.0" .. "63.0".
func parseVersion(seg string) (string, bool) {
	major, ok := strings.CutSuffix(strings.TrimPrefix(seg, "v"), ".0")
	if !ok || !strings.HasPrefix(seg, "v") {
		return "", false
	}
	n, err := strconv.Atoi(major)
	if err != nil || n < MinAPIVersion || n > MaxAPIVersion || strconv.Itoa(n) != major {
		return "", false
	}
	return major + ".0", true
}

// serveData routes /services/data/vNN.N/...; rest is the path after
// /services/data/.
func (s *Server) serveData(w http.ResponseWriter, r *http.Request, rest string) {
	seg, tail, _ := strings.Cut(rest, "/")
	version, ok := parseVersion(seg)
	if !ok {
		writeNotFound(w)
		return
	}
	tail = strings.TrimSuffix(tail, "/")
	resource, locator, _ := strings.Cut(tail, "/")
	switch resource {
	case "", "query", "queryAll":
	case "limits":
		if locator != "" {
			writeNotFound(w)
			return
		}
	default:
		writeNotFound(w)
		return
	}
	if !allowGet(w, r) {
		return
	}
	o, ds, _, err := s.session(r)
	if err != nil {
		writeAPIError(w, http.StatusUnauthorized, CodeInvalidSessionID, "Session expired or invalid")
		return
	}
	switch {
	case resource == "":
		body, _ := json.Marshal(map[string]string{
			"limits":   "/services/data/v" + version + "/limits",
			"query":    "/services/data/v" + version + "/query",
			"queryAll": "/services/data/v" + version + "/queryAll",
		})
		writeJSON(w, http.StatusOK, body)
	case resource == "limits":
		writeJSON(w, http.StatusOK, limitsBody)
	case locator != "":
		s.serveQueryMore(w, r, o, version, resource, locator)
	default:
		s.serveQuery(w, r, o, ds, version, resource)
	}
}

// limitsBody is the answer of GET /services/data/vNN.N/limits. The simulation enforces no
// limit, so every one is reported untouched; clients (go-salesforce, for one) call the resource
// to check that an access token works.
var limitsBody = func() []byte {
	type limit struct {
		Max       int `json:"Max"`
		Remaining int `json:"Remaining"`
	}
	body, _ := json.Marshal(map[string]limit{
		"ConcurrentAsyncGetReportInstances": {Max: 200, Remaining: 200},
		"DailyApiRequests":                  {Max: 15000, Remaining: 15000},
		"DailyBulkApiBatches":               {Max: 15000, Remaining: 15000},
		"DataStorageMB":                     {Max: 5, Remaining: 5},
		"FileStorageMB":                     {Max: 20, Remaining: 20},
	})
	return body
}()

// batchSize reads Sforce-Query-Options: batchSize=N, clamped to 200..2000
// as Salesforce does; fallback applies when the header is absent.
func batchSize(r *http.Request, fallback int) int {
	for _, opt := range strings.Split(r.Header.Get("Sforce-Query-Options"), ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(opt), "=")
		if !ok || !strings.EqualFold(strings.TrimSpace(k), "batchSize") {
			continue
		}
		n, err := strconv.Atoi(strings.TrimSpace(v))
		if err != nil {
			continue
		}
		return min(max(n, minBatchSize), maxBatchSize)
	}
	return fallback
}

func (s *Server) serveQuery(w http.ResponseWriter, r *http.Request, o *org, ds *dataset, version, resource string) {
	q := r.URL.Query().Get("q")
	if strings.TrimSpace(q) == "" {
		writeAPIError(w, http.StatusBadRequest, CodeMalformedQuery, "A query string has to be specified")
		return
	}
	res, qerr := execute(q, ds)
	if qerr != nil {
		writeAPIError(w, qerr.Status(), qerr.Code, qerr.Message)
		return
	}
	batch := batchSize(r, defaultBatchSize)
	locator := ""
	if res.size > batch {
		locator = s.openCursor(o.id, res, batch)
	}
	writeJSON(w, http.StatusOK, renderPage(res, 0, batch, version, resource, locator))
}

// serveQueryMore continues a query from its locator "01g...-N", N being the
// index of the next record.
func (s *Server) serveQueryMore(w http.ResponseWriter, r *http.Request, o *org, version, resource, locator string) {
	id, startStr, ok := strings.Cut(locator, "-")
	start, err := strconv.Atoi(startStr)
	c := s.cursor(id)
	if !ok || err != nil || c == nil || c.orgID != o.id || start < 0 || start > c.res.size {
		writeAPIError(w, http.StatusBadRequest, CodeInvalidQueryLocator, "invalid query locator")
		return
	}
	batch := batchSize(r, c.batch)
	next := ""
	if start+batch < c.res.size {
		next = id
	}
	writeJSON(w, http.StatusOK, renderPage(c.res, start, batch, version, resource, next))
}

// renderPage writes one page of a query result as Salesforce's JSON:
// totalSize, done, nextRecordsUrl (when more remain), records.
func renderPage(res *result, start, batch int, version, resource, locator string) []byte {
	end := min(start+batch, res.size)
	buf := make([]byte, 0, 64+(end-start)*400)
	buf = append(buf, `{"totalSize":`...)
	buf = strconv.AppendInt(buf, int64(res.total), 10)
	buf = append(buf, `,"done":`...)
	buf = strconv.AppendBool(buf, end >= res.size)
	if end < res.size {
		buf = append(buf, `,"nextRecordsUrl":`...)
		buf = appendJSONString(buf, "/services/data/v"+version+"/"+resource+"/"+locator+"-"+strconv.Itoa(end))
	}
	buf = append(buf, `,"records":[`...)
	for i := start; i < end; i++ {
		if i > start {
			buf = append(buf, ',')
		}
		buf = res.render(buf, i, version)
	}
	return append(buf, "]}"...)
}

// openCursor keeps a result for its continuation pages and returns the
// locator ID.
func (s *Server) openCursor(orgID string, res *result, batch int) string {
	now := s.now()
	id := sfid.New(prefixQueryLocator)
	s.cursorMu.Lock()
	defer s.cursorMu.Unlock()
	var oldestID string
	for k, c := range s.cursors {
		if now.Sub(c.lastUsed) > cursorTTL {
			delete(s.cursors, k)
			continue
		}
		if oldestID == "" || c.lastUsed.Before(s.cursors[oldestID].lastUsed) {
			oldestID = k
		}
	}
	if len(s.cursors) >= maxCursors && oldestID != "" {
		delete(s.cursors, oldestID)
	}
	s.cursors[id] = &cursor{orgID: orgID, res: res, batch: batch, lastUsed: now}
	return id
}

// cursor returns the open locator id, or nil when unknown or timed out.
func (s *Server) cursor(id string) *cursor {
	now := s.now()
	s.cursorMu.Lock()
	defer s.cursorMu.Unlock()
	c, ok := s.cursors[id]
	if !ok {
		return nil
	}
	if now.Sub(c.lastUsed) > cursorTTL {
		delete(s.cursors, id)
		return nil
	}
	c.lastUsed = now
	return c
}
