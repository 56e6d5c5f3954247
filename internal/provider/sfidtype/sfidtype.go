// Package sfidtype provides a Terraform string type for Salesforce record IDs.
//
// Salesforce shows the same record ID in a 15-character, case-sensitive form
// (the UI, URLs) and an 18-character, checksummed form (the API). Users paste
// whichever they have; the API always answers with the 18-character form. The
// ID type treats both forms of one record as semantically equal, so a
// configuration written with 15-character IDs shows no diff after apply or
// refresh, and validates the value with package sfid at plan time.
package sfidtype

import (
	"context"
	"errors"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/attr/xattr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types/basetypes"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/salesseat/terraform-provider-salesseat/internal/sfid"
)

var (
	_ basetypes.StringTypable                    = IDType{}
	_ basetypes.StringValuableWithSemanticEquals = ID{}
	_ xattr.ValidateableAttribute                = ID{}
)

// IDType is the attribute type of a Salesforce record ID.
type IDType struct {
	basetypes.StringType
}

// String returns a human-readable name of the type.
func (t IDType) String() string {
	return "sfidtype.IDType"
}

// Equal reports whether o is also an IDType.
func (t IDType) Equal(o attr.Type) bool {
	other, ok := o.(IDType)
	if !ok {
		return false
	}
	return t.StringType.Equal(other.StringType)
}

// ValueType returns the value type of this type.
func (t IDType) ValueType(_ context.Context) attr.Value {
	return ID{}
}

// ValueFromString wraps a string value in an ID.
func (t IDType) ValueFromString(_ context.Context, in basetypes.StringValue) (basetypes.StringValuable, diag.Diagnostics) {
	return ID{StringValue: in}, nil
}

// ValueFromTerraform converts a Terraform value into an ID.
func (t IDType) ValueFromTerraform(ctx context.Context, in tftypes.Value) (attr.Value, error) {
	v, err := t.StringType.ValueFromTerraform(ctx, in)
	if err != nil {
		return nil, err
	}
	s, ok := v.(basetypes.StringValue)
	if !ok {
		return nil, fmt.Errorf("unexpected value type %T", v)
	}
	return ID{StringValue: s}, nil
}

// ID is a Salesforce record ID in either its 15- or 18-character form.
type ID struct {
	basetypes.StringValue
}

// NewIDValue returns a known ID.
func NewIDValue(id string) ID {
	return ID{StringValue: basetypes.NewStringValue(id)}
}

// NewIDNull returns a null ID.
func NewIDNull() ID {
	return ID{StringValue: basetypes.NewStringNull()}
}

// NewIDUnknown returns an unknown ID.
func NewIDUnknown() ID {
	return ID{StringValue: basetypes.NewStringUnknown()}
}

// Type returns an IDType.
func (v ID) Type(_ context.Context) attr.Type {
	return IDType{}
}

// Equal reports whether o is an ID with the same literal value. Use
// StringSemanticEquals to compare the records the IDs name.
func (v ID) Equal(o attr.Value) bool {
	other, ok := o.(ID)
	if !ok {
		return false
	}
	return v.StringValue.Equal(other.StringValue)
}

// StringSemanticEquals reports whether the new value names the same record as
// v, whichever form each is in. The framework then keeps the value the user
// wrote instead of the API's 18-character form.
func (v ID) StringSemanticEquals(_ context.Context, newValuable basetypes.StringValuable) (bool, diag.Diagnostics) {
	var diags diag.Diagnostics
	newValue, ok := newValuable.(ID)
	if !ok {
		diags.AddError(
			"Semantic Equality Check Error",
			fmt.Sprintf("Expected value type %T, got: %T. Please report this issue to the provider developers.", v, newValuable),
		)
		return false, diags
	}
	return sfid.Equal(v.ValueString(), newValue.ValueString()), diags
}

// ValidateAttribute checks that a known value is a well-formed Salesforce ID.
func (v ID) ValidateAttribute(_ context.Context, req xattr.ValidateAttributeRequest, resp *xattr.ValidateAttributeResponse) {
	if v.IsNull() || v.IsUnknown() {
		return
	}
	if d := Check(req.Path, v.ValueString()); d != nil {
		resp.Diagnostics.Append(d)
	}
}

// Normalized returns the 18-character form of the ID.
func (v ID) Normalized() (string, error) {
	return sfid.Normalize(v.ValueString())
}

// Check returns an attribute error diagnostic when s is not a well-formed
// Salesforce ID, or nil. Every place that validates an ID uses it, so the
// wording is the same for a single attribute and a list element.
func Check(p path.Path, s string) diag.Diagnostic {
	_, err := sfid.Normalize(s)
	return invalid(p, err)
}

// invalid words sfid's error about a malformed ID as a diagnostic; nil for
// no error.
func invalid(p path.Path, err error) diag.Diagnostic {
	if err == nil {
		return nil
	}
	detail := err.Error()
	if e := (*sfid.Error)(nil); errors.As(err, &e) {
		detail = fmt.Sprintf("%q: %s", e.ID, e.Reason)
	}
	return diag.NewAttributeErrorDiagnostic(p,
		"Invalid Salesforce ID",
		fmt.Sprintf("The value of %s is not a valid 15- or 18-character Salesforce ID: %s.", p, detail),
	)
}

// Validator returns a string validator for plain string attributes (such as
// list elements) that accepts well-formed Salesforce IDs whose first three
// characters are prefix, the object's key prefix ("005" for users, "00e" for
// profiles); what names the kind of record in the error message. An empty
// prefix accepts any object.
func Validator(prefix, what string) validator.String {
	return idValidator{kind: sfid.Kind{Prefix: prefix, Name: what}, format: true}
}

// PrefixValidator is Validator without the format check, for attributes of
// IDType, which checks the format itself.
func PrefixValidator(prefix, what string) validator.String {
	return idValidator{kind: sfid.Kind{Prefix: prefix, Name: what}}
}

type idValidator struct {
	kind   sfid.Kind
	format bool
}

func (v idValidator) Description(_ context.Context) string {
	if v.kind.Prefix == "" {
		return "value must be a 15- or 18-character Salesforce ID"
	}
	return fmt.Sprintf("value must be a 15- or 18-character Salesforce %s ID starting with %q", v.kind.Name, v.kind.Prefix)
}

func (v idValidator) MarkdownDescription(ctx context.Context) string {
	return v.Description(ctx)
}

func (v idValidator) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	s := req.ConfigValue.ValueString()
	_, err := v.kind.Normalize(s)
	switch {
	case err == nil:
	case errors.Is(err, sfid.ErrWrongKind):
		resp.Diagnostics.AddAttributeError(req.Path,
			"Wrong Kind Of Salesforce ID",
			fmt.Sprintf("%s must be the ID of a Salesforce %s, which starts with %q; %q starts with %q. Copy the ID from the %s's page in Salesforce Setup.",
				req.Path, v.kind.Name, v.kind.Prefix, s, s[:len(v.kind.Prefix)], v.kind.Name),
		)
	case v.format:
		resp.Diagnostics.Append(invalid(req.Path, err))
	}
}

// PreferStateWhenEquivalent returns a plan modifier that plans the prior
// state's value when the configuration names the same record in the other
// form, for example after an import (which stores the API's 18-character ID)
// of a resource configured with a 15-character ID. Put it before
// RequiresReplace so that an equivalent ID never replaces the resource.
func PreferStateWhenEquivalent() planmodifier.String {
	return preferStateModifier{}
}

type preferStateModifier struct{}

func (m preferStateModifier) Description(_ context.Context) string {
	return "Keeps the prior value when the configured Salesforce ID names the same record in its other (15- or 18-character) form."
}

func (m preferStateModifier) MarkdownDescription(ctx context.Context) string {
	return m.Description(ctx)
}

func (m preferStateModifier) PlanModifyString(_ context.Context, req planmodifier.StringRequest, resp *planmodifier.StringResponse) {
	if req.StateValue.IsNull() || req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	if sfid.Equal(req.ConfigValue.ValueString(), req.StateValue.ValueString()) {
		resp.PlanValue = req.StateValue
	}
}
