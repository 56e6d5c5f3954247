package platform

import (
	"strings"
)

// reindexLocked rebuilds the lookup indexes from the state.
func (p *Platform) reindexLocked() {
	p.byUsername = map[string]string{}
	p.liveByCRMID = map[string]string{}
	p.puByEmail = map[string]string{}
	p.puMappedTo = map[string]string{}
	for _, pu := range p.platformUsers {
		p.indexPlatformUserLocked(pu)
	}
	for _, u := range p.users {
		p.byUsername[strings.ToLower(u.CRMUsername)] = u.ID
		if u.DeletedAt == nil {
			p.liveByCRMID[u.CRMUserID] = u.ID
		}
		if u.PlatformUserID != "" {
			p.puMappedTo[u.PlatformUserID] = u.ID
		}
	}
}

// indexPlatformUserLocked adds a platform user to the email index. Several
// platform users can share an email address (an import whose email belongs
// to a platform user that is already mapped creates another); the index
// names the one with the lowest ID, whatever order users are indexed in, so
// an incremental insert and a rebuild (after a purge or a state restore)
// agree on it.
func (p *Platform) indexPlatformUserLocked(pu *PlatformUserRecord) {
	key := strings.ToLower(pu.Email)
	if cur, ok := p.puByEmail[key]; !ok || pu.ID < cur {
		p.puByEmail[key] = pu.ID
	}
}
