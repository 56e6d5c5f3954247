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
	return commit(p, func() (PlatformUser, bool, error) {
		if other, ok := p.puByEmail[strings.ToLower(in.Email)]; ok {
			return PlatformUser{}, false, Validation("email", fmt.Sprintf("platform user %s already has the email address %q; platform users' email addresses are unique", other, in.Email))
		}
		if in.ID == "" {
			in.ID = newID("pu_")
		} else if _, ok := p.platformUsers[in.ID]; ok {
			return PlatformUser{}, false, Validation("id", fmt.Sprintf("platform user %s already exists; omit id to mint a new one", in.ID))
		}
		rec := &PlatformUserRecord{PlatformUser: PlatformUser(in)}
		p.platformUsers[rec.ID] = rec
		p.indexPlatformUserLocked(rec)
		return rec.PlatformUser, true, nil
	})
}

// PlatformUsers returns every platform user, sorted by ID.
func (p *Platform) PlatformUsers() []PlatformUser {
	out := view(p, func() []PlatformUser {
		out := make([]PlatformUser, 0, len(p.platformUsers))
		for _, pu := range p.platformUsers {
			out = append(out, pu.PlatformUser)
		}
		return out
	})
	slices.SortFunc(out, func(a, b PlatformUser) int { return strings.Compare(a.ID, b.ID) })
	return out
}

// adoptOrCreatePlatformUserLocked is the one rule for which platform user a
// new sales user (an import, an automatic sync, a seeded recycle bin entry)
// is linked to: the platform user whose email matches the CRM user's,
// compared case-insensitively, is adopted when no sales user (live or in the
// recycle bin) is mapped to it yet; when several share the email, that is
// the one with the lowest ID (see indexPlatformUserLocked). Otherwise a
// platform user is created for the import, and goes when the sales user is
// purged.
func (p *Platform) adoptOrCreatePlatformUserLocked(email, first, last string) (id string, adopted bool) {
	if puID, ok := p.puByEmail[strings.ToLower(email)]; ok && p.puMappedTo[puID] == "" {
		return puID, true
	}
	pu := &PlatformUserRecord{
		PlatformUser:    PlatformUser{ID: newID("pu_"), Email: email, FirstName: first, LastName: last},
		CreatedByImport: true,
	}
	p.platformUsers[pu.ID] = pu
	p.indexPlatformUserLocked(pu)
	return pu.ID, false
}
