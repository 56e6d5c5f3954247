package provider

import (
	"context"
	"errors"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/resourcevalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/booldefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/salesseat/terraform-provider-salesseat/internal/client"
)

var (
	_ resource.ResourceWithConfigure        = (*crmConnectionResource)(nil)
	_ resource.ResourceWithImportState      = (*crmConnectionResource)(nil)
	_ resource.ResourceWithModifyPlan       = (*crmConnectionResource)(nil)
	_ resource.ResourceWithConfigValidators = (*crmConnectionResource)(nil)
	_ resource.ResourceWithValidateConfig   = (*crmConnectionResource)(nil)
)

// NewCRMConnectionResource returns the salesseat_crm_connection resource.
func NewCRMConnectionResource() resource.Resource {
	return &crmConnectionResource{}
}

// crmConnectionResource defines the salesseat_crm_connection resource.
type crmConnectionResource struct {
	data *providerData
}

// crmConnectionResourceModel describes the salesseat_crm_connection data.
type crmConnectionResourceModel struct {
	ID                   types.String `tfsdk:"id"`
	Name                 types.String `tfsdk:"name"`
	Environment          types.String `tfsdk:"environment"`
	LoginURL             types.String `tfsdk:"login_url"`
	ServiceUsername      types.String `tfsdk:"service_username"`
	OAuthClientID        types.String `tfsdk:"oauth_client_id"`
	RefreshToken         types.String `tfsdk:"refresh_token"`
	JWTPrivateKey        types.String `tfsdk:"jwt_private_key"`
	RefreshTokenWO       types.String `tfsdk:"refresh_token_wo"`
	JWTPrivateKeyWO      types.String `tfsdk:"jwt_private_key_wo"`
	CredentialsWOVersion types.Int64  `tfsdk:"credentials_wo_version"`
	AutomaticUserSync    types.Bool   `tfsdk:"automatic_user_sync"`
	UserSync             types.Bool   `tfsdk:"user_sync"`
	AuthMethod           types.String `tfsdk:"auth_method"`
	Status               types.String `tfsdk:"status"`
	StatusReason         types.String `tfsdk:"status_reason"`
	OrganizationID       types.String `tfsdk:"organization_id"`
	InstanceURL          types.String `tfsdk:"instance_url"`
}

// Metadata returns the resource type name.
func (r *crmConnectionResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_crm_connection"
}

// Schema describes the resource.
func (r *crmConnectionResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	credentialNote := " Exactly one of `refresh_token`, `jwt_private_key`, `refresh_token_wo` and `jwt_private_key_wo` must be set."
	resp.Schema = schema.Schema{
		MarkdownDescription: "Links the salesseat account to one Salesforce org, authorized as a dedicated service account that has the " +
			"**View All Data** permission (the service account itself may not be a sales user).\n\n" +
			"The connection authorizes either with an OAuth **refresh token** obtained once out of band, or with the **JWT bearer flow** " +
			"(the connected app's consumer key, a private key and the service username), which can re-authorize without a person. " +
			"On Terraform 1.11 and later, pass the secret through a write-only argument (`refresh_token_wo` or `jwt_private_key_wo`) " +
			"so that it is never stored in the state, and increase `credentials_wo_version` to rotate it.\n\n" +
			"A refresh token can expire; the connection then shows `status = \"disconnected\"` and sync is suspended for its sales users. " +
			"The plan shows this: a connection using the JWT bearer flow is planned for re-authorization (an in-place update that brings `status` " +
			"back to `connected`), and a connection using a refresh token gets a warning asking for a new token.\n\n" +
			"While a connection has changes pending, Terraform reads the data sources that reference it (such as `salesseat_crm_users`) during apply, " +
			"so a `for_each` whose keys come from them cannot be planned in the same run: apply the connection alone first " +
			"(`terraform apply -target=salesseat_crm_connection.<name>`).",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				MarkdownDescription: "ID of the connection (`conn_…`).",
				Computed:            true,
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"name": schema.StringAttribute{
				MarkdownDescription: "Display name of the connection, e.g. `Salesforce production`.",
				Required:            true,
				Validators:          []validator.String{nonBlankValidator{}},
			},
			"environment": schema.StringAttribute{
				MarkdownDescription: "Kind of Salesforce org: `production` (login host `login.salesforce.com`) or `sandbox` (`test.salesforce.com`). " +
					supportedValues(environmentNames) + " The API cannot change the environment of a connection, so changing it replaces the connection " +
					"(and deletes its sales users and role mappings with it).",
				Required:      true,
				Validators:    []validator.String{stringvalidator.OneOf(environmentNames...)},
				PlanModifiers: []planmodifier.String{stringplanmodifier.RequiresReplace()},
			},
			"login_url": schema.StringAttribute{
				MarkdownDescription: fmt.Sprintf("Salesforce login URL: your My Domain URL (e.g. `https://acme.my.salesforce.com`) or a login host. "+
					"Must use `https` (`http` is accepted only for a loopback host, such as a local emulator). "+
					"Defaults to `%s` for `production` and `%s` for `sandbox`.", defaultLoginURLs[environmentProduction], defaultLoginURLs[environmentSandbox]),
				Optional:   true,
				Computed:   true,
				Validators: []validator.String{loginURLValidator{}},
			},
			"service_username": schema.StringAttribute{
				MarkdownDescription: "Username of the Salesforce service account the connection authorizes as. It needs the **View All Data** permission, and it may not be a sales user.",
				Required:            true,
				Validators:          []validator.String{nonBlankValidator{}},
			},
			"oauth_client_id": schema.StringAttribute{
				MarkdownDescription: "Consumer key of the Salesforce connected app.",
				Required:            true,
				Validators:          []validator.String{nonBlankValidator{}},
			},
			"refresh_token": schema.StringAttribute{
				MarkdownDescription: "OAuth refresh token of the service account for the connected app. Stored in the state (marked sensitive); " +
					"on Terraform 1.11 and later prefer `refresh_token_wo`. Changing it re-authorizes the connection in place." + credentialNote,
				Optional:  true,
				Sensitive: true,
				Validators: []validator.String{
					nonBlankValidator{},
					stringvalidator.PreferWriteOnlyAttribute(path.MatchRoot("refresh_token_wo")),
				},
			},
			"jwt_private_key": schema.StringAttribute{
				MarkdownDescription: "PEM-encoded RSA private key whose certificate is uploaded to the connected app, for the JWT bearer flow. " +
					"Stored in the state (marked sensitive); on Terraform 1.11 and later prefer `jwt_private_key_wo`. Changing it re-authorizes the connection in place." + credentialNote,
				Optional:  true,
				Sensitive: true,
				Validators: []validator.String{
					privateKeyValidator{},
					stringvalidator.PreferWriteOnlyAttribute(path.MatchRoot("jwt_private_key_wo")),
				},
			},
			"refresh_token_wo": schema.StringAttribute{
				MarkdownDescription: "Write-only form of `refresh_token` (Terraform 1.11 and later): sent to the API, never stored in the plan or state. " +
					"Terraform cannot see a change of a write-only value, so increase `credentials_wo_version` whenever you change it." + credentialNote,
				Optional:   true,
				WriteOnly:  true,
				Validators: []validator.String{nonBlankValidator{}},
			},
			"jwt_private_key_wo": schema.StringAttribute{
				MarkdownDescription: "Write-only form of `jwt_private_key` (Terraform 1.11 and later): sent to the API, never stored in the plan or state. " +
					"Increase `credentials_wo_version` whenever you change it." + credentialNote,
				Optional:   true,
				WriteOnly:  true,
				Validators: []validator.String{privateKeyValidator{}},
			},
			"credentials_wo_version": schema.Int64Attribute{
				MarkdownDescription: "Version of the write-only credentials. Terraform stores only this number; changing it sends " +
					"`refresh_token_wo` or `jwt_private_key_wo` again and re-authorizes the connection in place. Use it only with a write-only credential.",
				Optional: true,
				Validators: []validator.Int64{
					int64validator.ConflictsWith(path.MatchRoot("refresh_token"), path.MatchRoot("jwt_private_key")),
				},
			},
			"automatic_user_sync": schema.BoolAttribute{
				MarkdownDescription: "Whether the platform creates sales users by itself as CRM data arrives (every active, unimported user whose profile has a role mapping, while seats are free). " +
					"Defaults to `false`, and should stay off when sales users are declared in Terraform: users the platform imports on its own take seats the configuration " +
					"does not know about, so a later plan can fail for lack of seats, and those users are not in the state.",
				Optional: true,
				Computed: true,
				Default:  booldefault.StaticBool(false),
			},
			"user_sync": schema.BoolAttribute{
				MarkdownDescription: "Whether user sync is enabled. While it is, importing a CRM user whose profile has no `salesseat_profile_role_mapping` fails unless the sales user sets an explicit `role`. Defaults to `true`.",
				Optional:            true,
				Computed:            true,
				Default:             booldefault.StaticBool(true),
			},
			"auth_method": schema.StringAttribute{
				MarkdownDescription: "How the connection authorizes: `refresh_token` or `jwt_bearer`, following which credential is set.",
				Computed:            true,
			},
			"status": schema.StringAttribute{
				MarkdownDescription: "Health of the connection, checked live when Terraform refreshes: `connected` or `disconnected`.",
				Computed:            true,
			},
			"status_reason": schema.StringAttribute{
				MarkdownDescription: "Why the connection is disconnected, e.g. `invalid_grant: expired access/refresh token`; empty while connected.",
				Computed:            true,
			},
			"organization_id": schema.StringAttribute{
				MarkdownDescription: "18-character ID of the Salesforce org the connection is authorized for.",
				Computed:            true,
			},
			"instance_url": schema.StringAttribute{
				MarkdownDescription: "URL of the Salesforce instance serving the org, e.g. `https://acme.my.salesforce.com`.",
				Computed:            true,
			},
		},
	}
}

// ConfigValidators requires exactly one credential.
func (r *crmConnectionResource) ConfigValidators(_ context.Context) []resource.ConfigValidator {
	return []resource.ConfigValidator{
		resourcevalidator.ExactlyOneOf(
			path.MatchRoot("refresh_token"),
			path.MatchRoot("jwt_private_key"),
			path.MatchRoot("refresh_token_wo"),
			path.MatchRoot("jwt_private_key_wo"),
		),
	}
}

// ValidateConfig warns about a write-only credential without
// credentials_wo_version: Terraform never sees a write-only value change, so
// a rotated credential would silently not be sent.
func (r *crmConnectionResource) ValidateConfig(ctx context.Context, req resource.ValidateConfigRequest, resp *resource.ValidateConfigResponse) {
	var config crmConnectionResourceModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &config)...)
	if resp.Diagnostics.HasError() || !config.CredentialsWOVersion.IsNull() {
		return
	}
	for name, v := range map[string]types.String{"refresh_token_wo": config.RefreshTokenWO, "jwt_private_key_wo": config.JWTPrivateKeyWO} {
		if !v.IsNull() {
			resp.Diagnostics.AddAttributeWarning(path.Root(name), "Write-Only Credential Without Version",
				fmt.Sprintf("%s is sent when the connection is created, but Terraform cannot see later changes of a write-only value, "+
					"so a new credential would never reach the API. Set credentials_wo_version (e.g. 1) and increase it whenever you change %s.", name, name))
		}
	}
}

// Configure receives the provider data.
func (r *crmConnectionResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.data = providerDataFrom(req.ProviderData, "Resource", &resp.Diagnostics)
}

// connectionAttribute attaches connection problems to the attribute at fault.
func connectionAttribute(e *client.Error) (path.Path, bool) {
	switch e.Code {
	case client.CodeServiceAccountMissingPermission:
		return path.Root("service_username"), true
	}
	return fieldAttribute(e, "name", "environment", "login_url", "service_username", "oauth_client_id", "automatic_user_sync", "user_sync")
}

// ModifyPlan fills in what the configuration leaves to the API (the login
// URL and the auth method follow from the configuration), and shows a
// disconnected connection in the plan: a JWT connection is planned for
// re-authorization, a refresh-token connection gets a warning.
func (r *crmConnectionResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if req.Plan.Raw.IsNull() {
		return // destroy
	}
	var plan, config crmConnectionResourceModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.Config.Get(ctx, &config)...)
	if resp.Diagnostics.HasError() {
		return
	}

	if config.LoginURL.IsNull() && !plan.Environment.IsUnknown() {
		plan.LoginURL = types.StringValue(defaultLoginURLs[plan.Environment.ValueString()])
	}
	plan.AuthMethod = authMethodOf(config)

	if req.State.Raw.IsNull() {
		// A connection is created only when the platform could authorize it.
		plan.Status = types.StringValue(statusConnected)
		plan.StatusReason = types.StringValue("")
		resp.Diagnostics.Append(resp.Plan.Set(ctx, &plan)...)
		return
	}

	var state crmConnectionResourceModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}

	credentialsChange := credentialsChanged(plan, state)
	identityChange := credentialsChange || !plan.LoginURL.Equal(state.LoginURL) ||
		!plan.ServiceUsername.Equal(state.ServiceUsername) || !plan.OAuthClientID.Equal(state.OAuthClientID)
	if identityChange {
		// New credentials or login details may point at another org.
		plan.OrganizationID = types.StringUnknown()
		plan.InstanceURL = types.StringUnknown()
	} else {
		plan.OrganizationID = state.OrganizationID
		plan.InstanceURL = state.InstanceURL
	}

	disconnected := state.Status.ValueString() == statusDisconnected
	jwt := plan.AuthMethod.ValueString() == authMethodJWTBearer
	switch {
	case credentialsChange || (disconnected && jwt):
		// Supplying credentials re-authorizes, and a JWT connection can
		// re-run its grant without a person: either way the update
		// succeeds only with a connected connection, so the plan says so.
		plan.Status = types.StringValue(statusConnected)
		plan.StatusReason = types.StringValue("")
	case disconnected:
		// The status is left as Terraform proposes it: unchanged when
		// nothing else changes, unknown when an update (which may find the
		// connection healed) is planned anyway.
		resp.Diagnostics.AddWarning("Connection Disconnected",
			fmt.Sprintf("Connection %q (%s) is disconnected: %s. Sync is suspended for its sales users, and no sales user can be created on it until it is re-authorized. "+
				"A refresh token cannot be renewed without a person: obtain a new refresh token for the connected app and set refresh_token, "+
				"or set refresh_token_wo and increase credentials_wo_version; or switch to the JWT bearer flow (jwt_private_key_wo), which Terraform re-authorizes on its own. "+
				"If a for_each takes its keys from a data source of this connection, apply the connection alone first (terraform apply -target=...).",
				state.Name.ValueString(), state.ID.ValueString(), orDash(state.StatusReason.ValueString())))
	}
	resp.Diagnostics.Append(resp.Plan.Set(ctx, &plan)...)
}

// authMethodOf derives the auth method from which credential is configured.
func authMethodOf(config crmConnectionResourceModel) types.String {
	switch {
	case !config.JWTPrivateKey.IsNull() || !config.JWTPrivateKeyWO.IsNull():
		return types.StringValue(authMethodJWTBearer)
	case !config.RefreshToken.IsNull() || !config.RefreshTokenWO.IsNull():
		return types.StringValue(authMethodRefreshToken)
	}
	return types.StringUnknown()
}

// credentialsChanged reports whether the plan sends credentials: a changed
// stored credential, or a changed version of the write-only ones.
func credentialsChanged(plan, state crmConnectionResourceModel) bool {
	return !plan.RefreshToken.Equal(state.RefreshToken) ||
		!plan.JWTPrivateKey.Equal(state.JWTPrivateKey) ||
		!plan.CredentialsWOVersion.Equal(state.CredentialsWOVersion) ||
		!plan.AuthMethod.Equal(state.AuthMethod)
}

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
		Name:              plan.Name.ValueString(),
		Environment:       plan.Environment.ValueString(),
		LoginURL:          config.LoginURL.ValueString(),
		ServiceUsername:   plan.ServiceUsername.ValueString(),
		OAuthClientID:     plan.OAuthClientID.ValueString(),
		RefreshToken:      refreshToken,
		JWTPrivateKey:     privateKey,
		AutomaticUserSync: plan.AutomaticUserSync.ValueBoolPointer(),
		UserSync:          plan.UserSync.ValueBoolPointer(),
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
	if !plan.AutomaticUserSync.Equal(state.AutomaticUserSync) {
		opts.AutomaticUserSync, changed = plan.AutomaticUserSync.ValueBoolPointer(), true
	}
	if !plan.UserSync.Equal(state.UserSync) {
		opts.UserSync, changed = plan.UserSync.ValueBoolPointer(), true
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
	plan.fromAPI(conn)
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
	resource.ImportStatePassthroughID(ctx, path.Root("id"), req, resp)
}

// fromAPI copies the API's view into the model. Credentials are never
// returned by the API and stay as they are.
func (m *crmConnectionResourceModel) fromAPI(c *client.Connection) {
	m.ID = types.StringValue(c.ID)
	m.Name = types.StringValue(c.Name)
	m.Environment = types.StringValue(c.Environment)
	m.LoginURL = types.StringValue(c.LoginURL)
	m.ServiceUsername = types.StringValue(c.ServiceUsername)
	m.OAuthClientID = types.StringValue(c.OAuthClientID)
	m.AutomaticUserSync = types.BoolValue(c.AutomaticUserSync)
	m.UserSync = types.BoolValue(c.UserSync)
	m.AuthMethod = types.StringValue(c.AuthMethod)
	m.Status = types.StringValue(c.Status)
	m.StatusReason = types.StringValue(c.StatusReason)
	m.OrganizationID = types.StringValue(c.OrganizationID)
	m.InstanceURL = types.StringValue(c.InstanceURL)
	// Write-only values are never stored.
	m.RefreshTokenWO = types.StringNull()
	m.JWTPrivateKeyWO = types.StringNull()
}
