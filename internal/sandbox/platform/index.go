package platform

import "strings"

// reindexLocked rebuilds the lookup indexes from the state.
func (p *Platform) reindexLocked() {
	p.byUsername = map[string]string{}
	p.liveByCRMID = map[string]string{}
	p.puByEmail = map[string]string{}
	p.puMappedTo = map[string]string{}
	for _, pu := range p.platformUsers {
		p.puByEmail[strings.ToLower(pu.Email)] = pu.ID
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
