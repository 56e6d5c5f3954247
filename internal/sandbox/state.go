package sandbox

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/hashicorp/go-hclog"

	"github.com/salesseat/terraform-provider-salesseat/internal/sandbox/platform"
	"github.com/salesseat/terraform-provider-salesseat/internal/sandbox/sforg"
)

// stateFormatVersion is the version of the state file's format.
const stateFormatVersion = 1

// saveDelay debounces saves: a burst of changes is written once.
const saveDelay = 250 * time.Millisecond

// stateFile is the content of a --state file: everything the sandbox needs to resume where it
// stopped. It holds credentials (refresh tokens, private keys, hashed access tokens), so it is
// written with mode 0600.
type stateFile struct {
	Version int       `json:"version"`
	SavedAt time.Time `json:"saved_at"`
	// BaseURL is where the sandbox served when it saved; connections to its simulated orgs
	// are moved to the new address when it resumes elsewhere (--listen 127.0.0.1:0).
	BaseURL  string                `json:"base_url,omitempty"`
	Platform platformState         `json:"platform"`
	Org      sforg.State           `json:"org"`
	Tokens   map[string]tokenGrant `json:"access_tokens"`
}

// platformState is the platform's state with the idempotency records of the API beside it. The
// records belong to the HTTP layer, but they are saved where they always were, so state files
// keep their shape.
type platformState struct {
	platform.State
	Idempotency []idempotencyRecord `json:"idempotency"`
}

// loadState reads a state file; ok is false when there is none yet.
func loadState(path string) (st stateFile, ok bool, err error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return stateFile{}, false, nil
	}
	if err != nil {
		return stateFile{}, false, fmt.Errorf("reading the state file %s: %w", path, err)
	}
	if err := json.Unmarshal(data, &st); err != nil {
		return stateFile{}, false, fmt.Errorf("the state file %s is not valid JSON (%w); delete it to start again from the fixture", path, err)
	}
	if st.Version != stateFormatVersion {
		return stateFile{}, false, fmt.Errorf("the state file %s has format version %d, but this sandbox reads version %d; delete it to start again from the fixture", path, st.Version, stateFormatVersion)
	}
	return st, true, nil
}

// writeFileAtomic replaces path with data so that a reader (or a crash) sees either the old or
// the new content: write a temporary file in the same directory, fsync it, rename it over path,
// then fsync the directory.
func writeFileAtomic(path string, data []byte) error {
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return err
	}
	tmpName := tmp.Name()
	defer func() {
		if tmpName != "" {
			_ = os.Remove(tmpName)
		}
	}()
	if _, err := tmp.Write(data); err != nil {
		_ = tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		_ = tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Chmod(tmpName, 0o600); err != nil {
		return err
	}
	if err := os.Rename(tmpName, path); err != nil {
		return err
	}
	tmpName = ""
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync() // best effort: not every platform can sync a directory
		_ = d.Close()
	}
	return nil
}

// persister saves the state file a short while after changes, and at Close.
type persister struct {
	path     string
	logger   hclog.Logger
	snapshot func() stateFile
	delay    time.Duration // 0 means saveDelay

	mu     sync.Mutex
	timer  *time.Timer
	dirty  bool
	closed bool

	writeMu sync.Mutex // serializes flushes: snapshot+write, and the wait for one in progress
}

// schedule marks the state changed and arranges a save.
func (p *persister) schedule() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return
	}
	p.dirty = true
	if p.timer == nil {
		delay := p.delay
		if delay == 0 {
			delay = saveDelay
		}
		p.timer = time.AfterFunc(delay, func() {
			if err := p.flush(); err != nil {
				p.logger.Error("saving the state file failed; the sandbox keeps running and retries on the next change", "path", p.path, "error", err)
			}
		})
	}
}

// flush writes the state now if it changed since the last write. It waits for a write in
// progress first, so that when it returns the newest state is on disk.
func (p *persister) flush() error {
	p.writeMu.Lock()
	defer p.writeMu.Unlock()
	p.mu.Lock()
	if p.timer != nil {
		p.timer.Stop()
		p.timer = nil
	}
	dirty := p.dirty
	p.dirty = false
	p.mu.Unlock()
	if !dirty {
		return nil
	}
	st := p.snapshot()
	data, err := json.MarshalIndent(st, "", "  ")
	if err != nil {
		return fmt.Errorf("encoding the sandbox state: %w", err)
	}
	if err := writeFileAtomic(p.path, data); err != nil {
		p.mu.Lock()
		p.dirty = true
		p.mu.Unlock()
		return fmt.Errorf("writing the state file %s: %w", p.path, err)
	}
	p.logger.Debug("state saved", "path", p.path)
	return nil
}

// close flushes pending changes and stops further saves.
func (p *persister) close() error {
	err := p.flush()
	p.mu.Lock()
	p.closed = true
	if p.timer != nil {
		p.timer.Stop()
		p.timer = nil
	}
	p.mu.Unlock()
	return err
}
