package platform

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"time"
)

// IdempotencyTTL is how long a completed request is kept for replay.
const IdempotencyTTL = 24 * time.Hour

const idemSweepEvery = time.Minute

type idemEntry struct {
	rec  IdempotencyRecord
	done bool
	wait chan struct{} // closed when the first request completes
}

func idemMapKey(scope, key string) string {
	return scope + "\x00" + key
}

// Idempotent runs do at most once per (scope, key): the scope is the API
// client, the key the Idempotency-Key header, the fingerprint a canonical
// form of the request (method, path and body). A retry with the same
// fingerprint gets the first response back with replayed true; the same key
// with another fingerprint fails with idempotency_key_reused. A request that
// arrives while the first is still running waits for it. Responses with
// status 429 or 5xx are not kept, so a retry runs again.
func (p *Platform) Idempotent(scope, key, fingerprint string, do func() StoredResponse) (StoredResponse, bool, error) {
	if key == "" || len(key) > 255 {
		return StoredResponse{}, false, Validation("Idempotency-Key", fmt.Sprintf("the Idempotency-Key header must have 1 to 255 characters, got %d", len(key)))
	}
	mk := idemMapKey(scope, key)
	for {
		p.mu.Lock()
		now := p.clock()
		p.sweepIdempotencyLocked(now)
		e, ok := p.idem[mk]
		if ok && e.done && now.Sub(e.rec.CreatedAt) >= IdempotencyTTL {
			delete(p.idem, mk)
			ok = false
		}
		if !ok {
			e = &idemEntry{rec: IdempotencyRecord{Scope: scope, Key: key, Fingerprint: fingerprint, CreatedAt: now}, wait: make(chan struct{})}
			p.idem[mk] = e
			p.mu.Unlock()
			return p.runIdempotent(mk, e, do), false, nil
		}
		if e.rec.Fingerprint != fingerprint {
			p.mu.Unlock()
			return StoredResponse{}, false, IdempotencyKeyReused(key)
		}
		if e.done {
			resp := cloneIdempotencyRecord(e.rec).Response
			p.mu.Unlock()
			return resp, true, nil
		}
		wait := e.wait
		p.mu.Unlock()
		<-wait // the first request finished; look again (it may not have been kept)
	}
}

func (p *Platform) runIdempotent(mk string, e *idemEntry, do func() StoredResponse) (resp StoredResponse) {
	keep := false
	defer func() {
		p.mu.Lock()
		if keep {
			e.rec.Response = cloneIdempotencyRecord(IdempotencyRecord{Response: resp}).Response
			e.done = true
		} else if p.idem[mk] == e {
			delete(p.idem, mk)
		}
		close(e.wait)
		p.mu.Unlock()
		if keep {
			p.changed()
		}
	}()
	resp = do()
	keep = resp.Status < 500 && resp.Status != 429
	return resp
}

// sweepIdempotencyLocked drops expired records, at most once a minute.
func (p *Platform) sweepIdempotencyLocked(now time.Time) {
	if now.Sub(p.lastIdemSweep) < idemSweepEvery {
		return
	}
	p.lastIdemSweep = now
	for k, e := range p.idem {
		if e.done && now.Sub(e.rec.CreatedAt) >= IdempotencyTTL {
			delete(p.idem, k)
		}
	}
}

// Fingerprint returns the canonical fingerprint of a request for
// Idempotent: the method, the path and the body as canonical JSON (object
// keys sorted, insignificant whitespace dropped), so that the same request
// sent with other key order or spacing matches. A body that is not JSON is
// taken byte for byte.
func Fingerprint(method, path string, body []byte) string {
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
