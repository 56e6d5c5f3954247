package sandbox

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"
)

// idempotencyTTL is how long a completed request is kept for replay.
const idempotencyTTL = 24 * time.Hour

const idemSweepEvery = time.Minute

// idempotencyRecord is a completed request kept for replay. The records live in the state file
// beside the platform's state (under "platform", where they always were).
type idempotencyRecord struct {
	Scope       string         `json:"scope"`
	Key         string         `json:"key"`
	Fingerprint string         `json:"fingerprint"`
	Response    storedResponse `json:"response"`
	CreatedAt   time.Time      `json:"created_at"`
}

// storedResponse is the response an idempotent request produced, replayed verbatim for a retry
// with the same key and body.
type storedResponse struct {
	Status   int    `json:"status"`
	Body     []byte `json:"body"`
	ETag     string `json:"etag,omitempty"`
	Location string `json:"location,omitempty"`
}

type idemEntry struct {
	rec  idempotencyRecord
	done bool
	wait chan struct{} // closed when the first request completes
}

// idempotencyStore runs each create at most once per (API client, Idempotency-Key). It is a
// protocol feature of the API, so it belongs to the HTTP layer, not to the platform's rules.
type idempotencyStore struct {
	now      func() time.Time
	onChange func() // called without the lock after a record is kept (to persist it)

	mu        sync.Mutex
	entries   map[string]*idemEntry
	lastSweep time.Time
}

func newIdempotencyStore(now func() time.Time, onChange func()) *idempotencyStore {
	return &idempotencyStore{now: now, onChange: onChange, entries: map[string]*idemEntry{}}
}

func idemMapKey(scope, key string) string {
	return scope + "\x00" + key
}

func (st *idempotencyStore) clock() time.Time {
	return st.now().UTC().Truncate(time.Second)
}

// do runs fn at most once per (scope, key): the scope is the API client, the key the
// Idempotency-Key header, the fingerprint a canonical form of the request (see fingerprint). A
// retry with the same fingerprint gets the first response back with replayed true; the same key
// with another fingerprint fails with idempotency_key_reused. A request that arrives while the
// first is still running waits for it. Responses with status 429 or 5xx are not kept, so a
// retry runs again.
func (st *idempotencyStore) do(scope, key, fingerprint string, fn func() storedResponse) (storedResponse, bool, *problem) {
	mk := idemMapKey(scope, key)
	for {
		e, first, resp, prob := st.lookup(mk, scope, key, fingerprint)
		switch {
		case prob != nil:
			return storedResponse{}, false, prob
		case first:
			return st.run(mk, e, fn), false, nil
		case e == nil:
			return resp, true, nil
		}
		<-e.wait // the first request finished; look again (it may not have been kept)
	}
}

// lookup finds the entry of a key. first reports that the caller created it and must run the
// request; a nil entry without a problem is a replay of resp; otherwise the caller waits on the
// entry's request, still running.
func (st *idempotencyStore) lookup(mk, scope, key, fingerprint string) (e *idemEntry, first bool, resp storedResponse, prob *problem) {
	st.mu.Lock()
	defer st.mu.Unlock()
	now := st.clock()
	st.sweepLocked(now)
	e, ok := st.entries[mk]
	if ok && e.done && now.Sub(e.rec.CreatedAt) >= idempotencyTTL {
		delete(st.entries, mk)
		ok = false
	}
	switch {
	case !ok:
		e = &idemEntry{rec: idempotencyRecord{Scope: scope, Key: key, Fingerprint: fingerprint, CreatedAt: now}, wait: make(chan struct{})}
		st.entries[mk] = e
		return e, true, storedResponse{}, nil
	case e.rec.Fingerprint != fingerprint:
		return nil, false, storedResponse{}, idempotencyKeyReused(key)
	case e.done:
		return nil, false, cloneResponse(e.rec.Response), nil
	}
	return e, false, storedResponse{}, nil
}

func (st *idempotencyStore) run(mk string, e *idemEntry, fn func() storedResponse) (resp storedResponse) {
	keep := false
	defer func() {
		if st.finish(mk, e, resp, keep) && st.onChange != nil {
			st.onChange()
		}
	}()
	resp = fn()
	keep = resp.Status < 500 && resp.Status != 429
	return resp
}

// finish records the outcome of the first request of a key and wakes those waiting for it.
func (st *idempotencyStore) finish(mk string, e *idemEntry, resp storedResponse, keep bool) bool {
	st.mu.Lock()
	defer st.mu.Unlock()
	if keep {
		e.rec.Response = cloneResponse(resp)
		e.done = true
	} else if st.entries[mk] == e {
		delete(st.entries, mk)
	}
	close(e.wait)
	return keep
}

// sweepLocked drops expired records, at most once a minute.
func (st *idempotencyStore) sweepLocked(now time.Time) {
	if now.Sub(st.lastSweep) < idemSweepEvery {
		return
	}
	st.lastSweep = now
	for k, e := range st.entries {
		if e.done && now.Sub(e.rec.CreatedAt) >= idempotencyTTL {
			delete(st.entries, k)
		}
	}
}

// snapshot returns the completed records, sorted by scope and key.
func (st *idempotencyStore) snapshot() []idempotencyRecord {
	st.mu.Lock()
	defer st.mu.Unlock()
	out := make([]idempotencyRecord, 0, len(st.entries))
	for _, e := range st.entries {
		if e.done {
			r := e.rec
			r.Response = cloneResponse(r.Response)
			out = append(out, r)
		}
	}
	slices.SortFunc(out, func(a, b idempotencyRecord) int {
		return strings.Compare(idemMapKey(a.Scope, a.Key), idemMapKey(b.Scope, b.Key))
	})
	return out
}

// restore replaces every record with recs (nil clears the store).
func (st *idempotencyStore) restore(recs []idempotencyRecord) {
	entries := make(map[string]*idemEntry, len(recs))
	for _, r := range recs {
		r.Response = cloneResponse(r.Response)
		entries[idemMapKey(r.Scope, r.Key)] = &idemEntry{rec: r, done: true}
	}
	st.mu.Lock()
	defer st.mu.Unlock()
	st.entries = entries
}

func cloneResponse(r storedResponse) storedResponse {
	r.Body = slices.Clone(r.Body)
	return r
}

// fingerprint returns the canonical fingerprint of a request for the idempotency store: the
// method, the path and the body as canonical JSON (object keys sorted, insignificant whitespace
// dropped), so that the same request sent with other key order or spacing matches. A body that
// is not JSON is taken byte for byte.
func fingerprint(method, path string, body []byte) string {
	canonical := body
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err == nil && !dec.More() {
		if b, err := json.Marshal(v); err == nil {
			canonical = b
		}
	}
	h := sha256.New()
	fmt.Fprintf(h, "%s\x00%s\x00", method, path)
	h.Write(canonical)
	return hex.EncodeToString(h.Sum(nil))
}
