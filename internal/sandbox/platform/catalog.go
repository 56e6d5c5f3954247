package platform

import (
	"slices"
)

var roleCatalog = []Role{
	{Name: RoleAdministrator, Description: "Manages the platform: settings, connections, users and all data."},
	{Name: RoleMarketing, Description: "Runs campaigns and content; sees marketing data and engagement of all prospects."},
	{Name: RoleSalesManager, Description: "Leads a sales team: sees the team's prospects, activity and dashboards."},
	{Name: RoleSales, Description: "Works their own prospects: engagement alerts, email tracking and activity."},
}

// RoleNames returns the names of the role catalog, in catalog order.
func RoleNames() []string {
	names := make([]string, len(roleCatalog))
	for i, r := range roleCatalog {
		names[i] = r.Name
	}
	return names
}

// Roles returns the role catalog.
func (p *Platform) Roles() []Role {
	return slices.Clone(roleCatalog)
}

// HiddenComponentNames returns the catalog of platform components that can
// be hidden from a sales user, sorted.
func HiddenComponentNames() []string {
	return []string{"activity_history", "email_signature", "hot_prospects", "sent_messages", "website_visitors"}
}
