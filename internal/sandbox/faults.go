package sandbox

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/salesseat/terraform-provider-salesseat/internal/sandbox/platform"
)

// faultSeed seeds the generator behind error_rate; it is reseeded on every change of the rules
// so a scenario repeats exactly.
const faultSeed = 20240601

// FaultRule is one fault-injection rule of the admin API (PUT /admin/v1/faults). A request
// matches when its method and path prefix match (empty matches any); a matching request is
// affected with probability ErrorRate (nil means 1) until Count requests were affected (0 means
// unlimited).
type FaultRule struct {
	// Method is the HTTP method to match; empty matches any.
	Method string `json:"method,omitempty"`
	// PathPrefix is the path prefix to match; empty matches any.
	PathPrefix string `json:"path_prefix,omitempty"`
	// LatencyMS delays the request before it is handled.
	LatencyMS int `json:"latency_ms,omitempty"`
	// ErrorRate is the probability (0..1) that a matching request is affected; nil means 1.
	ErrorRate *float64 `json:"error_rate,omitempty"`
	// Status answers the request with this error (429, 500 or 503) instead of handling it.
	Status int `json:"status,omitempty"`
	// RetryAfterSeconds is sent as Retry-After with Status (default 1 for 429).
	RetryAfterSeconds int `json:"retry_after_seconds,omitempty"`
	// DropResponseAfterCommit handles the request, then closes the connection without answering.
	DropResponseAfterCommit bool `json:"drop_response_after_commit,omitempty"`
	// Count is how many matching requests the rule affects; 0 means unlimited.
	Count int `json:"count,omitempty"`
}

// faultStatuses are the statuses a rule may inject.
var faultStatuses = map[int]bool{
	http.StatusTooManyRequests:     true,
	http.StatusInternalServerError: true,
	http.StatusServiceUnavailable:  true,
}

// validate checks a rule received through the admin API; index locates it in the request.
func (fr FaultRule) validate(index int) *platform.FieldError {
	field := func(name string) string { return fmt.Sprintf("rules[%d].%s", index, name) }
	switch {
	case fr.Method != "" && fr.Method != strings.ToUpper(fr.Method):
		return &platform.FieldError{Field: field("method"), Message: "must be an upper-case HTTP method such as POST, or empty for any"}
	case fr.PathPrefix != "" && !strings.HasPrefix(fr.PathPrefix, "/"):
		return &platform.FieldError{Field: field("path_prefix"), Message: "must start with /, e.g. /api/v1/sales-users"}
	case fr.LatencyMS < 0:
		return &platform.FieldError{Field: field("latency_ms"), Message: "must be 0 or more"}
	case fr.ErrorRate != nil && (*fr.ErrorRate < 0 || *fr.ErrorRate > 1):
		return &platform.FieldError{Field: field("error_rate"), Message: "must be between 0 and 1"}
	case fr.Status != 0 && !faultStatuses[fr.Status]:
		return &platform.FieldError{Field: field("status"), Message: "must be 429, 500 or 503 (or 0 for none)"}
	case fr.RetryAfterSeconds < 0:
		return &platform.FieldError{Field: field("retry_after_seconds"), Message: "must be 0 or more"}
	case fr.Count < 0:
		return &platform.FieldError{Field: field("count"), Message: "must be 0 (unlimited) or more"}
	case fr.Status == 0 && fr.LatencyMS == 0 && !fr.DropResponseAfterCommit:
		return &platform.FieldError{Field: field("status"), Message: "the rule does nothing; set status, latency_ms or drop_response_after_commit"}
	}
	return nil
}

// faultDecision is what the rules do to one request.
type faultDecision struct {
	latency    time.Duration
	status     int
	retryAfter int
	drop       bool
}

// faultSet holds the active rules and how many requests each may still affect.
type faultSet struct {
	mu        sync.Mutex
	rules     []FaultRule
	remaining []int // -1 = unlimited
	rng       *rand.Rand
}

// set replaces the rules and reseeds the generator.
func (f *faultSet) set(rules []FaultRule) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.rules = slices.Clone(rules)
	f.remaining = make([]int, len(rules))
	for i, r := range rules {
		f.remaining[i] = -1
		if r.Count > 0 {
			f.remaining[i] = r.Count
		}
	}
	f.rng = rand.New(rand.NewPCG(faultSeed, faultSeed))
}

// decide applies the rules to a request.
func (f *faultSet) decide(method, path string) faultDecision {
	f.mu.Lock()
	defer f.mu.Unlock()
	var d faultDecision
	for i, r := range f.rules {
		if f.remaining[i] == 0 ||
			(r.Method != "" && r.Method != method) ||
			!strings.HasPrefix(path, r.PathPrefix) {
			continue
		}
		if r.ErrorRate != nil && *r.ErrorRate < 1 && f.rng.Float64() >= *r.ErrorRate {
			continue
		}
		if f.remaining[i] > 0 {
			f.remaining[i]--
		}
		d.latency += time.Duration(r.LatencyMS) * time.Millisecond
		if r.Status != 0 && d.status == 0 {
			d.status = r.Status
			d.retryAfter = r.RetryAfterSeconds
			if d.retryAfter == 0 && r.Status == http.StatusTooManyRequests {
				d.retryAfter = 1
			}
		}
		d.drop = d.drop || r.DropResponseAfterCommit
	}
	return d
}

// applyFaults runs next under the fault rules: delay, answer with an error, or handle the request
// and drop the connection instead of answering.
func (s *Sandbox) applyFaults(w http.ResponseWriter, r *http.Request, next http.Handler) {
	d := s.faults.decide(r.Method, r.URL.Path)
	if d != (faultDecision{}) {
		s.consoleChanged() // a rule affected one more request: what is left of it changed
	}
	if d.latency > 0 {
		timer := time.NewTimer(d.latency)
		select {
		case <-timer.C:
		case <-r.Context().Done():
			timer.Stop()
			return
		}
	}
	if d.status != 0 {
		if d.retryAfter > 0 {
			w.Header().Set("Retry-After", strconv.Itoa(d.retryAfter))
		}
		writeProblem(w, r, injectedProblem(d.status, d.retryAfter))
		return
	}
	if !d.drop {
		next.ServeHTTP(w, r)
		return
	}
	buf := newBufferedResponse()
	next.ServeHTTP(buf, r)
	markDropped(w)
	conn, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		// Connections that cannot be hijacked (HTTP/2) are aborted instead; the client sees the
		// stream reset, which is the same failure from its side.
		panic(http.ErrAbortHandler)
	}
	_ = conn.Close()
}

// bufferedResponse collects a response in memory.
type bufferedResponse struct {
	header http.Header
	status int
	body   bytes.Buffer
}

// newBufferedResponse returns an empty buffer.
func newBufferedResponse() *bufferedResponse {
	return &bufferedResponse{header: make(http.Header)}
}

// Header implements http.ResponseWriter.
func (b *bufferedResponse) Header() http.Header { return b.header }

// WriteHeader implements http.ResponseWriter.
func (b *bufferedResponse) WriteHeader(status int) {
	if b.status == 0 {
		b.status = status
	}
}

// Write implements http.ResponseWriter.
func (b *bufferedResponse) Write(p []byte) (int, error) {
	if b.status == 0 {
		b.status = http.StatusOK
	}
	return b.body.Write(p)
}

// statusCode is the status written, 200 when none was.
func (b *bufferedResponse) statusCode() int {
	if b.status == 0 {
		return http.StatusOK
	}
	return b.status
}

// copyTo writes the buffered response to w.
func (b *bufferedResponse) copyTo(w http.ResponseWriter) {
	for k, v := range b.header {
		w.Header()[k] = v
	}
	w.WriteHeader(b.statusCode())
	_, _ = w.Write(b.body.Bytes())
}

// injectedProblem is the problem an injected error status answers with.
func injectedProblem(status, retryAfter int) *problem {
	switch status {
	case http.StatusTooManyRequests:
		return apiProblem(platform.RateLimited(retryAfter))
	case http.StatusInternalServerError:
		return apiProblem(platform.Internal("Injected fault (PUT /admin/v1/faults): the request was not handled; retry it."))
	default:
		detail := "Injected fault (PUT /admin/v1/faults): the service is unavailable; retry later."
		if retryAfter > 0 {
			detail = fmt.Sprintf("Injected fault (PUT /admin/v1/faults): the service is unavailable; retry after %d seconds (see the Retry-After header).", retryAfter)
		}
		return apiProblem(platform.Unavailable(detail))
	}
}
