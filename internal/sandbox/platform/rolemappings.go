package platform

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/salesseat/terraform-provider-salesseat/internal/sandbox/salesforce"
	"github.com/salesseat/terraform-provider-salesseat/internal/sfid"
)

// ListRoleMappings lists role mappings, of one connection when connID is
// set, sorted by ID.
func (p *Platform) ListRoleMappings(connID string, pr PageRequest) (Page[RoleMapping], error) {
	items := view(p, func() []RoleMapping {
		items := make([]RoleMapping, 0, len(p.mappings))
		for _, m := range p.mappings {
			if connID == "" || m.ConnectionID == connID {
				items = append(items, *m)
			}
		}
		return items
	})
	slices.SortFunc(items, func(a, b RoleMapping) int { return strings.Compare(a.ID, b.ID) })
	return paginate(items, func(m RoleMapping) string { return m.ID }, pr)
}

// CreateRoleMapping maps a CRM profile (by ID, 15 or 18 characters, or by
// name, resolved against the org) to a role. A profile has at most one
// mapping per connection.
func (p *Platform) CreateRoleMapping(ctx context.Context, in RoleMappingInput) (RoleMapping, error) {
	var errs []FieldError
	if msg := checkRole(in.Role, false); msg != "" {
		errs = append(errs, FieldError{Field: "role", Message: msg})
	}
	in.CRMProfileName = strings.TrimSpace(in.CRMProfileName)
	switch {
	case in.CRMProfileID != "" && in.CRMProfileName != "":
		errs = append(errs, FieldError{Field: "crm_profile_id", Message: "supply either crm_profile_id or crm_profile_name, not both"})
	case in.CRMProfileID != "":
		n, err := sfid.Normalize(in.CRMProfileID)
		if err != nil {
			errs = append(errs, FieldError{Field: "crm_profile_id", Message: err.Error()})
		}
		in.CRMProfileID = n
	case in.CRMProfileName == "":
		errs = append(errs, FieldError{Field: "crm_profile_id", Message: "supply crm_profile_id (the profile's Salesforce ID) or crm_profile_name"})
	}
	if in.ConnectionID == "" {
		errs = append(errs, FieldError{Field: "connection_id", Message: "connection_id is required"})
	}
	if len(errs) > 0 {
		return RoleMapping{}, ValidationErrors(errs)
	}
	sess, err := p.session(ctx, in.ConnectionID)
	if err != nil {
		return RoleMapping{}, err
	}
	profiles, err := sess.crm.Profiles(ctx)
	if err != nil {
		return RoleMapping{}, p.crmError(in.ConnectionID, sess, err)
	}
	profile, err := resolveProfile(profiles, in.CRMProfileID, in.CRMProfileName)
	if err != nil {
		return RoleMapping{}, err
	}

	return commit(p, func() (RoleMapping, bool, error) {
		if _, ok := p.conns[in.ConnectionID]; !ok {
			return RoleMapping{}, false, NotFound(ResourceConnection, in.ConnectionID)
		}
		if existing := p.mappingForLocked(in.ConnectionID, profile.ID); existing != nil {
			return RoleMapping{}, false, RoleMappingExists(existing.ID, profile.ID, profile.Name)
		}
		now := p.clock()
		m := &RoleMapping{
			ID: newID("rm_"), ConnectionID: in.ConnectionID, CRMProfileID: profile.ID, CRMProfileName: profile.Name,
			Role: in.Role, CreatedAt: now, UpdatedAt: now, Version: 1,
		}
		p.mappings[m.ID] = m
		return *m, true, nil
	})
}

// resolveProfile finds a profile by normalized ID, or by name (exact first,
// then case-insensitive when that is unambiguous).
func resolveProfile(profiles []salesforce.Profile, id, name string) (salesforce.Profile, error) {
	if id != "" {
		for _, pr := range profiles {
			if pr.ID == id {
				return pr, nil
			}
		}
		return salesforce.Profile{}, NotFound(ResourceCRMProfile, id)
	}
	var folded []salesforce.Profile
	for _, pr := range profiles {
		if pr.Name == name {
			return pr, nil
		}
		if strings.EqualFold(pr.Name, name) {
			folded = append(folded, pr)
		}
	}
	if len(folded) == 1 {
		return folded[0], nil
	}
	names := make([]string, len(profiles))
	for i, pr := range profiles {
		names[i] = fmt.Sprintf("%q", pr.Name)
	}
	slices.Sort(names)
	prob := NotFound(ResourceCRMProfile, name)
	prob.Detail = fmt.Sprintf("No CRM profile named %q exists in the org of this connection. The org has these profiles: %s. Use one of these names, or crm_profile_id.", name, strings.Join(names, ", "))
	return salesforce.Profile{}, prob
}

// GetRoleMapping returns one role mapping.
func (p *Platform) GetRoleMapping(id string) (RoleMapping, error) {
	return viewErr(p, func() (RoleMapping, error) {
		m, ok := p.mappings[id]
		if !ok {
			return RoleMapping{}, NotFound(ResourceRoleMapping, id)
		}
		return *m, nil
	})
}

// UpdateRoleMapping changes a mapping's role; sales users following the
// mapping get the new role at once. ifMatch 0 means unconditional.
func (p *Platform) UpdateRoleMapping(id string, role string, ifMatch int) (RoleMapping, error) {
	if msg := checkRole(role, false); msg != "" {
		return RoleMapping{}, Validation("role", msg)
	}
	return commit(p, func() (RoleMapping, bool, error) {
		m, ok := p.mappings[id]
		if !ok {
			return RoleMapping{}, false, NotFound(ResourceRoleMapping, id)
		}
		if ifMatch != 0 && ifMatch != m.Version {
			return RoleMapping{}, false, PreconditionFailed(ResourceRoleMapping, id, m.Version)
		}
		changed := m.Role != role
		if changed {
			m.Role = role
			m.UpdatedAt = p.clock()
			m.Version++
		}
		return *m, changed, nil
	})
}

// DeleteRoleMapping removes a mapping; sales users that followed it keep
// their seat and have no role until it is mapped again.
func (p *Platform) DeleteRoleMapping(id string) error {
	_, err := commit(p, func() (struct{}, bool, error) {
		if _, ok := p.mappings[id]; !ok {
			return struct{}{}, false, NotFound(ResourceRoleMapping, id)
		}
		delete(p.mappings, id)
		return struct{}{}, true, nil
	})
	return err
}

func (p *Platform) mappingForLocked(connID, profileID string) *RoleMapping {
	for _, m := range p.mappings {
		if m.ConnectionID == connID && m.CRMProfileID == profileID {
			return m
		}
	}
	return nil
}
