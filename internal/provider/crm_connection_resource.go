package provider

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/resourcevalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/booldefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/salesseat/terraform-provider-salesseat/internal/client"
	"github.com/salesseat/terraform-provider-salesseat/internal/sfid"
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
	AutoImportCRMUsers   types.Bool   `tfsdk:"auto_import_crm_users"`
	ProfileRoleSync      types.Bool   `tfsdk:"profile_role_sync"`
	UserManagementGroup  types.String `tfsdk:"user_management_group"`
	UserManagementGrpID  types.String `tfsdk:"user_management_group_id"`
	LastSync             types.Object `tfsdk:"last_sync"`
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
			"auto_import_crm_users": schema.BoolAttribute{
				MarkdownDescription: "Whether the platform imports CRM users as sales users by itself as CRM data arrives (every active, unimported user whose profile has a role mapping, while seats are free; the platform calls it automatic user sync). " +
					"Defaults to `false`, and should stay off when sales users are declared in Terraform: users the platform imports on its own take seats the configuration " +
					"does not know about, so a later plan can fail for lack of seats, and those users are not in the state.",
				Optional: true,
				Computed: true,
				Default:  booldefault.StaticBool(false),
			},
			"profile_role_sync": schema.BoolAttribute{
				MarkdownDescription: "Whether roles follow the Salesforce profiles' role mappings (the platform calls it user sync). While it is on, importing a CRM user whose profile has no " +
					"`salesseat_profile_role_mapping` fails unless the sales user sets `role`. It imports nothing by itself; `auto_import_crm_users` does. Defaults to `true`.",
				Optional: true,
				Computed: true,
				Default:  booldefault.StaticBool(true),
			},
			"user_management_group": schema.StringAttribute{
				MarkdownDescription: "Hands user management to a Salesforce public group: its **API name** (the Group Name in Setup > Public Groups, " +
					"case-insensitive) or its ID. While it is set, the platform makes the connection's sales users the group's active members at each sync: " +
					"it imports members (with the roles of the `salesseat_profile_role_mapping` resources; the seat limit still applies) and moves sales users " +
					"whose CRM user is not in the group to the recycle bin — including ones imported before. Imports by hand are then refused, so declare no " +
					"`salesseat_sales_user` or roster member on this connection: manage the group's membership in Salesforce, and the connection and role " +
					"mappings in Terraform (see the guide *Managed in Salesforce*). Needs `profile_role_sync = true` and `auto_import_crm_users = false`. " +
					"Null (the default) keeps user management on the platform. Problems of the last sync show in `last_sync` and as plan warnings.",
				Optional:   true,
				Validators: []validator.String{nonBlankValidator{}},
			},
			"user_management_group_id": schema.StringAttribute{
				MarkdownDescription: "18-character ID of the Salesforce public group named by `user_management_group`; null without one.",
				Computed:            true,
			},
			"last_sync": schema.SingleNestedAttribute{
				MarkdownDescription: "What the platform's last automatic sync of this connection did (with `user_management_group` or `auto_import_crm_users`), " +
					"as of the last refresh; null when none has run since the setting was made.",
				Computed: true,
				Attributes: map[string]schema.Attribute{
					"synced_at": schema.StringAttribute{MarkdownDescription: "When the sync ran (RFC 3339).", Computed: true},
					"created":   schema.Int64Attribute{MarkdownDescription: "Sales users the sync created.", Computed: true},
					"removed": schema.Int64Attribute{MarkdownDescription: "Sales users the sync moved to the recycle bin because their CRM user is not in the `user_management_group`.",
						Computed: true},
					"problems": schema.ListNestedAttribute{
						MarkdownDescription: "CRM users the sync should have imported but could not, each with the reason; every plan shows them as warnings.",
						Computed:            true,
						NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
							"crm_user_id":  schema.StringAttribute{MarkdownDescription: "The CRM user's 18-character Salesforce ID.", Computed: true},
							"crm_username": schema.StringAttribute{MarkdownDescription: "The CRM user's username.", Computed: true},
							"code":         schema.StringAttribute{MarkdownDescription: "The problem code, e.g. `profile_not_mapped`, `seat_limit_reached`, `crm_username_mapped`.", Computed: true},
							"detail":       schema.StringAttribute{MarkdownDescription: "The cause and the fix.", Computed: true},
						}},
					},
				},
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
				MarkdownDescription: "Why the connection is disconnected, e.g. `invalid_grant: expired access/refresh token`; null while connected.",
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

// ConfigValidators allows at most one credential. A new connection needs
// one (ModifyPlan); an imported one may leave them out and keep the grant the
// platform stored, so configuration generated from an import validates.
func (r *crmConnectionResource) ConfigValidators(_ context.Context) []resource.ConfigValidator {
	return []resource.ConfigValidator{
		resourcevalidator.Conflicting(
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
	if resp.Diagnostics.HasError() {
		return
	}
	if g := config.UserManagementGroup; !g.IsNull() && !g.IsUnknown() {
		if config.AutoImportCRMUsers.ValueBool() {
			resp.Diagnostics.AddAttributeError(path.Root("auto_import_crm_users"), "Conflicting User Management Settings",
				fmt.Sprintf("auto_import_crm_users imports every CRM user whose profile is mapped, but user_management_group hands user management to the Salesforce group %q, "+
					"which decides who holds a seat. Remove auto_import_crm_users (or set it to false), or remove user_management_group.", g.ValueString()))
		}
		if !config.ProfileRoleSync.IsNull() && !config.ProfileRoleSync.IsUnknown() && !config.ProfileRoleSync.ValueBool() {
			resp.Diagnostics.AddAttributeError(path.Root("profile_role_sync"), "Conflicting User Management Settings",
				fmt.Sprintf("The sales users the Salesforce group %q brings in take the roles of the profile role mappings, so profile_role_sync must stay true "+
					"while user_management_group is set. Remove profile_role_sync = false, or remove user_management_group.", g.ValueString()))
		}
	}
	if !config.CredentialsWOVersion.IsNull() {
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
	return fieldAttribute(e, "name", "environment", "login_url", "service_username", "oauth_client_id", "automatic_user_sync=auto_import_crm_users", "user_sync=profile_role_sync", "user_management_group")
}

// fromAPI copies the API's view into the model. Credentials are never
// returned by the API and stay as they are.
func (m *crmConnectionResourceModel) fromAPI(c *client.Connection) {
	m.ID = types.StringValue(c.ID)
	m.Name = stringOrNull(c.Name)
	m.Environment = stringOrNull(c.Environment)
	m.LoginURL = stringOrNull(c.LoginURL)
	m.ServiceUsername = stringOrNull(c.ServiceUsername)
	m.OAuthClientID = stringOrNull(c.OAuthClientID)
	m.AutoImportCRMUsers = types.BoolValue(c.AutomaticUserSync)
	m.ProfileRoleSync = types.BoolValue(c.UserSync)
	// The API answers with the group's API name as Salesforce spells it; a
	// configuration naming the same group by ID or in other case keeps its
	// spelling.
	if c.UserManagementGroup == "" {
		m.UserManagementGroup = types.StringNull()
	} else if cur := strings.TrimSpace(m.UserManagementGroup.ValueString()); !strings.EqualFold(cur, c.UserManagementGroup) && !sfid.Equal(cur, c.UserManagementGroupID) {
		m.UserManagementGroup = types.StringValue(c.UserManagementGroup)
	}
	m.UserManagementGrpID = stringOrNull(c.UserManagementGroupID)
	m.LastSync = lastSyncValue(c.LastSync)
	m.AuthMethod = stringOrNull(c.AuthMethod)
	m.Status = stringOrNull(c.Status)
	m.StatusReason = stringOrNull(c.StatusReason)
	m.OrganizationID = stringOrNull(c.OrganizationID)
	m.InstanceURL = stringOrNull(c.InstanceURL)
	// Write-only values are never stored.
	m.RefreshTokenWO = types.StringNull()
	m.JWTPrivateKeyWO = types.StringNull()
}

// syncProblemAttrTypes and lastSyncAttrTypes are the types of last_sync.
var (
	syncProblemAttrTypes = map[string]attr.Type{
		"crm_user_id": types.StringType, "crm_username": types.StringType, "code": types.StringType, "detail": types.StringType,
	}
	lastSyncAttrTypes = map[string]attr.Type{
		"synced_at": types.StringType, "created": types.Int64Type, "removed": types.Int64Type,
		"problems": types.ListType{ElemType: types.ObjectType{AttrTypes: syncProblemAttrTypes}},
	}
)

// lastSyncValue converts the API's sync report; nil is null.
func lastSyncValue(r *client.SyncReport) types.Object {
	if r == nil {
		return types.ObjectNull(lastSyncAttrTypes)
	}
	problems := make([]attr.Value, 0, len(r.Problems))
	for _, p := range r.Problems {
		problems = append(problems, types.ObjectValueMust(syncProblemAttrTypes, map[string]attr.Value{
			"crm_user_id": stringOrNull(p.CRMUserID), "crm_username": stringOrNull(p.CRMUsername),
			"code": stringOrNull(p.Code), "detail": stringOrNull(p.Detail),
		}))
	}
	return types.ObjectValueMust(lastSyncAttrTypes, map[string]attr.Value{
		"synced_at": types.StringValue(r.SyncedAt.UTC().Format(time.RFC3339)),
		"created":   types.Int64Value(int64(r.Created)),
		"removed":   types.Int64Value(int64(r.Removed)),
		"problems":  types.ListValueMust(types.ObjectType{AttrTypes: syncProblemAttrTypes}, problems),
	})
}

// syncProblemsOf returns the problems of a last_sync value, for the plan's
// warnings.
func syncProblemsOf(v types.Object) []client.SyncProblem {
	if v.IsNull() || v.IsUnknown() {
		return nil
	}
	list, ok := v.Attributes()["problems"].(types.List)
	if !ok {
		return nil
	}
	var out []client.SyncProblem
	for _, e := range list.Elements() {
		o, ok := e.(types.Object)
		if !ok {
			continue
		}
		get := func(name string) string {
			s, _ := o.Attributes()[name].(types.String)
			return s.ValueString()
		}
		out = append(out, client.SyncProblem{CRMUserID: get("crm_user_id"), CRMUsername: get("crm_username"), Code: get("code"), Detail: get("detail")})
	}
	return out
}
