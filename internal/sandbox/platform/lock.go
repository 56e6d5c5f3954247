package platform

// Lock scopes. Platform.mu is taken only by these helpers, each of which
// releases it with a deferred Unlock, so an early return or a panic inside a
// scope can never leave the platform locked. They never call the CRM: an
// operation that needs CRM data fetches it before its scope and re-checks
// the rules inside it (see the package documentation).

// locked runs fn with the lock held.
func (p *Platform) locked(fn func()) {
	p.mu.Lock()
	defer p.mu.Unlock()
	fn()
}

// view runs fn with the lock held and returns what it returns.
func view[T any](p *Platform, fn func() T) T {
	p.mu.Lock()
	defer p.mu.Unlock()
	return fn()
}

// viewErr is view for a scope that can fail.
func viewErr[T any](p *Platform, fn func() (T, error)) (T, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return fn()
}

// commit runs a mutation with the lock held. fn reports whether it changed
// the state; when it did and did not fail, the change hooks run after the
// lock is released (they may call Snapshot).
func commit[T any](p *Platform, fn func() (T, bool, error)) (T, error) {
	out, changed, err := viewChange(p, fn)
	if err == nil && changed {
		p.changed()
	}
	return out, err
}

func viewChange[T any](p *Platform, fn func() (T, bool, error)) (T, bool, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return fn()
}
