package platform

import (
	"fmt"
	"slices"
	"strings"
)

// CreatePlatformUser adds a platform user that is not linked to any CRM
// user (an admin operation, to set up adoption and reservation scenarios).
func (p *Platform) CreatePlatformUser(in PlatformUserSeed) (PlatformUser, error) {
	in.Email = strings.TrimSpace(in.Email)
	if !looksLikeEmail(in.Email) {
		return PlatformUser{}, Validation("email", fmt.Sprintf("email must be an email address like ann@example.com, got %q", in.Email))
	}
	p.mu.Lock()
	if other, ok := p.puByEmail[strings.ToLower(in.Email)]; ok {
		p.mu.Unlock()
		return PlatformUser{}, Validation("email", fmt.Sprintf("platform user %s already has the email address %q; platform users' email addresses are unique", other, in.Email))
	}
	if in.ID == "" {
		in.ID = newID("pu_")
	} else if _, ok := p.platformUsers[in.ID]; ok {
		p.mu.Unlock()
		return PlatformUser{}, Validation("id", fmt.Sprintf("platform user %s already exists; omit id to mint a new one", in.ID))
	}
	rec := &PlatformUserRecord{PlatformUser: PlatformUser(in)}
	p.platformUsers[rec.ID] = rec
	p.puByEmail[strings.ToLower(rec.Email)] = rec.ID
	p.mu.Unlock()
	p.changed()
	return rec.PlatformUser, nil
}

// PlatformUsers returns every platform user, sorted by ID.
func (p *Platform) PlatformUsers() []PlatformUser {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := make([]PlatformUser, 0, len(p.platformUsers))
	for _, pu := range p.platformUsers {
		out = append(out, pu.PlatformUser)
	}
	slices.SortFunc(out, func(a, b PlatformUser) int { return strings.Compare(a.ID, b.ID) })
	return out
}
