package provider

import (
	"context"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/salesseat/terraform-provider-salesseat/internal/client"
	"github.com/salesseat/terraform-provider-salesseat/internal/sandbox"
)

// newSandboxData starts an in-process sandbox (loopback only, no Terraform)
// and returns provider data talking to it.
func newSandboxData(t *testing.T) (*providerData, *sandbox.Sandbox) {
	t.Helper()
	sb, err := sandbox.Start(context.Background(), sandbox.Options{Listen: "127.0.0.1:0"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = sb.Close(ctx)
	})
	creds := sb.Credentials()
	c, err := client.New(client.Config{Endpoint: creds.Endpoint, ClientID: creds.ClientID, ClientSecret: creds.ClientSecret})
	if err != nil {
		t.Fatal(err)
	}
	return newProviderData(c), sb
}

func TestDeleteToleratesWhatIsGone(t *testing.T) {
	data, _ := newSandboxData(t)
	cases := map[string]struct {
		r     resource.Resource
		state any
	}{
		"connection": {
			r:     &crmConnectionResource{data: data},
			state: &crmConnectionResourceModel{ID: types.StringValue("conn_gone"), LastSync: types.ObjectNull(lastSyncAttrTypes)},
		},
		"role mapping": {
			r:     &profileRoleMappingResource{data: data},
			state: &profileRoleMappingResourceModel{ID: types.StringValue("rm_gone")},
		},
		"sales user": {
			r:     &salesUserResource{data: data},
			state: &salesUserResourceModel{ID: types.StringValue("su_gone"), HiddenComponents: types.SetNull(types.StringType)},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			s := resourceSchema(t, tc.r).Schema
			req := resource.DeleteRequest{State: tfsdk.State{Schema: s, Raw: rawFrom(t, tc.r, tc.state)}}
			var resp resource.DeleteResponse
			tc.r.Delete(context.Background(), req, &resp)
			if resp.Diagnostics.HasError() {
				t.Fatalf("deleting what is gone: %v", resp.Diagnostics)
			}
		})
	}
}

func TestSalesUserCache(t *testing.T) {
	ctx := context.Background()
	data, sb := newSandboxData(t)
	creds := sb.Credentials()
	conn, err := data.client.Connections.Create(ctx, client.ConnectionCreateOptions{
		Name: "cache", Environment: environmentSandbox, LoginURL: creds.LoginURL,
		ServiceUsername: creds.ServiceUsername, OAuthClientID: creds.OAuthClientID, JWTPrivateKey: creds.JWTPrivateKeyPEM,
	})
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, u := range []string{userJordan, userPriya, userMarco} {
		su, err := data.client.SalesUsers.Create(ctx, client.SalesUserCreateOptions{ConnectionID: conn.ID, CRMUserID: u, Role: "sales"})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, su.ID)
	}
	sb.ResetCounters()

	cache := data.salesUsers
	for _, id := range ids {
		su, ok := cache.get(ctx, data.client, conn.ID, id)
		if !ok || su.ID != id {
			t.Fatalf("get(%s) = %v, %t", id, su, ok)
		}
	}
	if _, ok := cache.get(ctx, data.client, conn.ID, "su_unknown"); ok {
		t.Error("an ID missing from the listing was found")
	}
	if _, ok := cache.get(ctx, data.client, "", ids[0]); ok {
		t.Error("a sales user without a connection ID was served from a listing")
	}
	counts := sb.Counters()
	if counts["GET /api/v1/sales-users"] != 1 || counts["GET /api/v1/sales-users/{sales_user_id}"] != 0 ||
		counts["POST /api/v1/connections/{connection_id}/update-from-crm"] != 0 {
		t.Errorf("four lookups cost %v, want one listing and no write", counts)
	}

	// A write invalidates the listing.
	if err := data.client.SalesUsers.Delete(ctx, ids[0]); err != nil {
		t.Fatal(err)
	}
	data.wrote()
	if _, ok := cache.get(ctx, data.client, conn.ID, ids[0]); ok {
		t.Error("a deleted sales user was served from a stale listing")
	}
	counts = sb.Counters()
	if counts["GET /api/v1/sales-users"] != 2 || counts["POST /api/v1/connections/{connection_id}/update-from-crm"] != 0 {
		t.Errorf("after a write: %v, want a second listing and no write", counts)
	}
}
