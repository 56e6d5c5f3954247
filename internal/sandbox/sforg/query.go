package sforg

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/salesseat/terraform-provider-salesseat/internal/sfid"
)

// Query batch sizes (Sforce-Query-Options: batchSize=N).
const (
	defaultBatchSize = 2000
	minBatchSize     = 200
	maxBatchSize     = 2000
)

// Query locators.
const (
	// cursorTTL is how long an unused query locator stays valid
	// (Salesforce: 15 minutes of inactivity).
	cursorTTL = 15 * time.Minute
	// maxCursors bounds the open query locators; the least recently used
	// is dropped beyond it.
	maxCursors = 1000
)

type cursor struct {
	orgID    string
	res      *result
	batch    int
	lastUsed time.Time
}

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
	id := sfid.New(sfid.QueryLocator.Prefix)
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
