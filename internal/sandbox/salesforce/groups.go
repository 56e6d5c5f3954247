package salesforce

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/salesseat/terraform-provider-salesseat/internal/sfid"
)

// Group is a Salesforce public group.
type Group struct {
	ID            string // 18 characters
	Name          string // the label (Label in Setup > Public Groups)
	DeveloperName string // the API name (Group Name in Setup > Public Groups)
}

// groupsSOQL reads the public groups: Group records of Type "Regular" (the
// others are queues, role groups and the like).
const groupsSOQL = "SELECT Id, Name, DeveloperName FROM Group WHERE Type = 'Regular' ORDER BY DeveloperName"

// Groups returns the org's public groups, sorted by API name. Members are
// not read: filter users by group with UserQuery.GroupIDs.
func (c *Client) Groups(ctx context.Context) ([]Group, error) {
	var out []Group
	err := c.pages(ctx, groupsSOQL, func(page *queryPage) (bool, error) {
		for _, raw := range page.Records {
			var rec struct {
				ID            string `json:"Id"`
				Name          string `json:"Name"`
				DeveloperName string `json:"DeveloperName"`
			}
			if err := json.Unmarshal(raw, &rec); err != nil {
				return false, fmt.Errorf("salesforce: decoding a Group record: %w", err)
			}
			id, err := sfid.Normalize(rec.ID)
			if err != nil {
				id = rec.ID
			}
			out = append(out, Group{ID: id, Name: rec.Name, DeveloperName: rec.DeveloperName})
		}
		return true, nil
	})
	return out, err
}
