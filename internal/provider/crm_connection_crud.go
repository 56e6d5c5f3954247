package provider

// The salesseat_crm_connection resource's Create, Read, Update, Delete and
// ImportState.

import (
	"context"
	"errors"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/salesseat/terraform-provider-salesseat/internal/client"
)

// Create creates the connection; the platform authorizes it at once.
func (r *crmConnectionResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	if r.data == nil {
		notConfigured(&resp.Diagnostics)
		return
	}
	var plan, config crmConnectionResourceModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.Config.Get(ctx, &config)...)
	if resp.Diagnostics.HasError() {
		return
	}
	refreshToken, privateKey := credentialsOf(config)
	opts := client.ConnectionCreateOptions{
		Name:                plan.Name.ValueString(),
		Environment:         plan.Environment.ValueString(),
		LoginURL:            config.LoginURL.ValueString(),
		ServiceUsername:     plan.ServiceUsername.ValueString(),
		OAuthClientID:       plan.OAuthClientID.ValueString(),
		RefreshToken:        refreshToken,
		JWTPrivateKey:       privateKey,
		AutomaticUserSync:   plan.AutoImportCRMUsers.ValueBoolPointer(),
		UserSync:            plan.ProfileRoleSync.ValueBoolPointer(),
		UserManagementGroup: plan.UserManagementGroup.ValueString(),
	}
	conn, err := r.data.client.Connections.Create(ctx, opts)
	r.data.wrote()
	if err != nil {
		addAPIError(&resp.Diagnostics, fmt.Sprintf("create connection %q", opts.Name), err, connectionAttribute)
		return
	}
	plan.fromAPI(conn)
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
}

// credentialsOf returns the refresh token and private key from the
// configuration, whichever form (stored or write-only) carries them.
func credentialsOf(config crmConnectionResourceModel) (refreshToken, privateKey string) {
	refreshToken = config.RefreshToken.ValueString()
	if refreshToken == "" {
		refreshToken = config.RefreshTokenWO.ValueString()
	}
	privateKey = config.JWTPrivateKey.ValueString()
	if privateKey == "" {
		privateKey = config.JWTPrivateKeyWO.ValueString()
	}
	return refreshToken, privateKey
}

// Read refreshes the connection; the API checks its health live, so a
// disconnected connection shows up here.
func (r *crmConnectionResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	if r.data == nil {
		notConfigured(&resp.Diagnostics)
		return
	}
	var state crmConnectionResourceModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	conn, err := r.data.client.Connections.Read(ctx, state.ID.ValueString())
	if errors.Is(err, client.ErrNotFound) {
		resp.State.RemoveResource(ctx)
		return
	}
	if err != nil {
		addAPIError(&resp.Diagnostics, fmt.Sprintf("read connection %s", state.ID.ValueString()), err, nil)
		return
	}
	state.fromAPI(conn)
	resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
}

// Update changes what differs; new credentials (or a new
// credentials_wo_version) re-authorize the connection in place, and a
// disconnected JWT connection is re-authorized with its stored grant.
func (r *crmConnectionResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	if r.data == nil {
		notConfigured(&resp.Diagnostics)
		return
	}
	var plan, state, config crmConnectionResourceModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	resp.Diagnostics.Append(req.Config.Get(ctx, &config)...)
	if resp.Diagnostics.HasError() {
		return
	}
	id := state.ID.ValueString()

	var opts client.ConnectionUpdateOptions
	changed := false
	setString := func(dst **string, p, s types.String) {
		if !p.Equal(s) {
			v := p.ValueString()
			*dst, changed = &v, true
		}
	}
	setString(&opts.Name, plan.Name, state.Name)
	setString(&opts.LoginURL, plan.LoginURL, state.LoginURL)
	setString(&opts.ServiceUsername, plan.ServiceUsername, state.ServiceUsername)
	setString(&opts.OAuthClientID, plan.OAuthClientID, state.OAuthClientID)
	if !plan.AutoImportCRMUsers.Equal(state.AutoImportCRMUsers) {
		opts.AutomaticUserSync, changed = plan.AutoImportCRMUsers.ValueBoolPointer(), true
	}
	if !plan.ProfileRoleSync.Equal(state.ProfileRoleSync) {
		opts.UserSync, changed = plan.ProfileRoleSync.ValueBoolPointer(), true
	}
	if !plan.UserManagementGroup.Equal(state.UserManagementGroup) {
		g := plan.UserManagementGroup.ValueString()
		opts.UserManagementGroup, changed = &g, true
	}
	if credentialsChanged(plan, state) {
		refreshToken, privateKey := credentialsOf(config)
		if refreshToken != "" {
			opts.RefreshToken = &refreshToken
		}
		if privateKey != "" {
			opts.JWTPrivateKey = &privateKey
		}
		changed = true
	}

	var conn *client.Connection
	var err error
	action := fmt.Sprintf("update connection %s", id)
	if changed {
		conn, err = r.data.client.Connections.Update(ctx, id, opts)
		r.data.wrote()
		if err != nil {
			addAPIError(&resp.Diagnostics, action, err, connectionAttribute)
			return
		}
	}
	if (conn == nil || conn.Status == statusDisconnected) && plan.Status.ValueString() == statusConnected && state.Status.ValueString() == statusDisconnected {
		action = fmt.Sprintf("re-authorize connection %s", id)
		conn, err = r.data.client.Connections.Authorize(ctx, id, client.ConnectionAuthorizeOptions{})
		r.data.wrote()
		if err != nil {
			addAPIError(&resp.Diagnostics, action, err, connectionAttribute)
			return
		}
	}
	if conn == nil {
		conn, err = r.data.client.Connections.Read(ctx, id)
		if err != nil {
			addAPIError(&resp.Diagnostics, fmt.Sprintf("read connection %s", id), err, nil)
			return
		}
	}
	planned := plan
	plan.fromAPI(conn)
	// The plan promised these where it knew them (see ModifyPlan); a status
	// the platform's health check changes meanwhile shows at the next
	// refresh instead of failing the apply as an inconsistent result.
	for _, kept := range []struct{ dst, src *types.String }{
		{&plan.Status, &planned.Status}, {&plan.StatusReason, &planned.StatusReason},
		{&plan.OrganizationID, &planned.OrganizationID}, {&plan.InstanceURL, &planned.InstanceURL},
	} {
		if !kept.src.IsUnknown() {
			*kept.dst = *kept.src
		}
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
}

// Delete deletes the connection; its sales users go to the recycle bin and
// its role mappings are deleted with it. A connection already gone is fine.
func (r *crmConnectionResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	if r.data == nil {
		notConfigured(&resp.Diagnostics)
		return
	}
	var state crmConnectionResourceModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	err := r.data.client.Connections.Delete(ctx, state.ID.ValueString())
	r.data.wrote()
	if err != nil && !errors.Is(err, client.ErrNotFound) {
		addAPIError(&resp.Diagnostics, fmt.Sprintf("delete connection %s", state.ID.ValueString()), err, nil)
	}
}

// ImportState imports a connection by ID. Credentials are write-only in the
// API, so the first apply after an import sends the configured credentials
// (re-authorizing the connection).
func (r *crmConnectionResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	if !validImportID(req.ID, "conn_") {
		resp.Diagnostics.AddError("Invalid Import ID", fmt.Sprintf(
			"The import ID %q is not a connection ID. A salesseat_crm_connection is imported by its ID, which starts with \"conn_\" (e.g. \"conn_123\"): "+
				"the id shown in the platform's connection settings, or listed by the API's GET /api/v1/connections.", req.ID))
		return
	}
	resource.ImportStatePassthroughID(ctx, path.Root("id"), req, resp)
}
