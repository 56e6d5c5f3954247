// Command providerschema prints the provider's schema in the JSON format of
// `terraform providers schema -json`, for `tfplugindocs generate
// --providers-schema` (see `make generate`).
//
// It asks the provider server for its schema directly instead of going
// through a Terraform CLI, because the CLI's output depends on its version:
// Terraform before 1.11 silently drops the write-only flag and before 1.12
// the resource identity schemas. Reading the schema from the provider makes
// the generated docs identical on every machine, whichever Terraform (if any)
// is installed, so CI can fail on any difference from the committed docs/.
//
// It lives under .ci/ rather than internal/ because it is build tooling, not
// part of the provider binary; `make lint` vets it explicitly since ./...
// patterns skip dot directories.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/salesseat/terraform-provider-salesseat/internal/provider"
)

// providerKey is the key tfplugindocs looks the schema up by (the provider's
// short name, matching --provider-name).
const providerKey = "salesseat"

func main() {
	if err := run(context.Background(), os.Stdout); err != nil {
		fmt.Fprintf(os.Stderr, "providerschema: %v\n", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, w io.Writer) error {
	server, err := provider.NewProtocol6Server("docs")()
	if err != nil {
		return fmt.Errorf("start the provider server: %w", err)
	}

	resp, err := server.GetProviderSchema(ctx, &tfprotov6.GetProviderSchemaRequest{})
	if err != nil {
		return fmt.Errorf("get provider schema: %w", err)
	}
	if err := diagnosticsError(resp.Diagnostics); err != nil {
		return fmt.Errorf("get provider schema: %w", err)
	}
	// Fail loudly rather than render docs that silently miss a whole kind of
	// object: these kinds need their own conversion before they can be used.
	if n := len(resp.Functions) + len(resp.ListResourceSchemas) + len(resp.ActionSchemas) + len(resp.StateStoreSchemas); n > 0 {
		return errors.New("the provider declares functions, list resources, actions or state stores, " +
			"which this dump does not convert yet: extend .ci/providerschema/main.go")
	}

	idResp, err := server.GetResourceIdentitySchemas(ctx, &tfprotov6.GetResourceIdentitySchemasRequest{})
	if err != nil {
		return fmt.Errorf("get resource identity schemas: %w", err)
	}
	if err := diagnosticsError(idResp.Diagnostics); err != nil {
		return fmt.Errorf("get resource identity schemas: %w", err)
	}

	p := providerJSON{ResourceIdentitySchemas: map[string]*identitySchemaJSON{}}
	if p.Provider, err = marshalSchema(resp.Provider); err != nil {
		return fmt.Errorf("provider schema: %w", err)
	}
	if p.ResourceSchemas, err = marshalSchemas(resp.ResourceSchemas); err != nil {
		return fmt.Errorf("resource %w", err)
	}
	if p.DataSourceSchemas, err = marshalSchemas(resp.DataSourceSchemas); err != nil {
		return fmt.Errorf("data source %w", err)
	}
	if p.EphemeralResourceSchemas, err = marshalSchemas(resp.EphemeralResourceSchemas); err != nil {
		return fmt.Errorf("ephemeral resource %w", err)
	}
	for name, s := range idResp.IdentitySchemas {
		id, err := marshalIdentitySchema(s)
		if err != nil {
			return fmt.Errorf("resource %s identity: %w", name, err)
		}
		p.ResourceIdentitySchemas[name] = id
	}

	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(providersJSON{
		FormatVersion: "1.0",
		Schemas:       map[string]*providerJSON{providerKey: &p},
	})
}

// diagnosticsError joins the error diagnostics, if any, into one error.
func diagnosticsError(diags []*tfprotov6.Diagnostic) error {
	var msgs []string
	for _, d := range diags {
		if d != nil && d.Severity == tfprotov6.DiagnosticSeverityError {
			msgs = append(msgs, d.Summary+": "+d.Detail)
		}
	}
	if len(msgs) == 0 {
		return nil
	}
	return errors.New(strings.Join(msgs, "; "))
}

// The types below mirror Terraform's internal/command/jsonprovider package
// (the format of `terraform providers schema -json`, format version 1.0).

type providersJSON struct {
	FormatVersion string                   `json:"format_version"`
	Schemas       map[string]*providerJSON `json:"provider_schemas,omitempty"`
}

type providerJSON struct {
	Provider                 *schemaJSON                    `json:"provider,omitempty"`
	ResourceSchemas          map[string]*schemaJSON         `json:"resource_schemas,omitempty"`
	DataSourceSchemas        map[string]*schemaJSON         `json:"data_source_schemas,omitempty"`
	EphemeralResourceSchemas map[string]*schemaJSON         `json:"ephemeral_resource_schemas,omitempty"`
	ResourceIdentitySchemas  map[string]*identitySchemaJSON `json:"resource_identity_schemas,omitempty"`
}

type schemaJSON struct {
	Version int64      `json:"version"`
	Block   *blockJSON `json:"block,omitempty"`
}

type blockJSON struct {
	Attributes      map[string]*attributeJSON `json:"attributes,omitempty"`
	BlockTypes      map[string]*blockTypeJSON `json:"block_types,omitempty"`
	Description     string                    `json:"description,omitempty"`
	DescriptionKind string                    `json:"description_kind,omitempty"`
	Deprecated      bool                      `json:"deprecated,omitempty"`
}

type blockTypeJSON struct {
	NestingMode string     `json:"nesting_mode,omitempty"`
	Block       *blockJSON `json:"block,omitempty"`
	MinItems    int64      `json:"min_items,omitempty"`
	MaxItems    int64      `json:"max_items,omitempty"`
}

type attributeJSON struct {
	AttributeType       json.RawMessage `json:"type,omitempty"`
	AttributeNestedType *nestedTypeJSON `json:"nested_type,omitempty"`
	Description         string          `json:"description,omitempty"`
	DescriptionKind     string          `json:"description_kind,omitempty"`
	Deprecated          bool            `json:"deprecated,omitempty"`
	Required            bool            `json:"required,omitempty"`
	Optional            bool            `json:"optional,omitempty"`
	Computed            bool            `json:"computed,omitempty"`
	Sensitive           bool            `json:"sensitive,omitempty"`
	WriteOnly           bool            `json:"write_only,omitempty"`
}

type nestedTypeJSON struct {
	Attributes  map[string]*attributeJSON `json:"attributes,omitempty"`
	NestingMode string                    `json:"nesting_mode,omitempty"`
}

type identitySchemaJSON struct {
	Version    int64                             `json:"version"`
	Attributes map[string]*identityAttributeJSON `json:"attributes,omitempty"`
}

type identityAttributeJSON struct {
	IdentityType      json.RawMessage `json:"type,omitempty"`
	Description       string          `json:"description,omitempty"`
	RequiredForImport bool            `json:"required_for_import,omitempty"`
	OptionalForImport bool            `json:"optional_for_import,omitempty"`
}

func marshalSchemas(in map[string]*tfprotov6.Schema) (map[string]*schemaJSON, error) {
	out := make(map[string]*schemaJSON, len(in))
	for name, s := range in {
		sj, err := marshalSchema(s)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		out[name] = sj
	}
	return out, nil
}

func marshalSchema(s *tfprotov6.Schema) (*schemaJSON, error) {
	if s == nil || s.Block == nil {
		return &schemaJSON{}, nil
	}
	b, err := marshalBlock(s.Block)
	if err != nil {
		return nil, err
	}
	return &schemaJSON{Version: s.Version, Block: b}, nil
}

func marshalBlock(b *tfprotov6.SchemaBlock) (*blockJSON, error) {
	out := &blockJSON{
		Description:     b.Description,
		DescriptionKind: stringKind(b.DescriptionKind),
		Deprecated:      b.Deprecated,
	}
	if len(b.Attributes) > 0 {
		attrs, err := marshalAttributes(b.Attributes)
		if err != nil {
			return nil, err
		}
		out.Attributes = attrs
	}
	if len(b.BlockTypes) > 0 {
		out.BlockTypes = make(map[string]*blockTypeJSON, len(b.BlockTypes))
		for _, nb := range b.BlockTypes {
			bt := &blockTypeJSON{
				NestingMode: strings.ToLower(nb.Nesting.String()),
				MinItems:    nb.MinItems,
				MaxItems:    nb.MaxItems,
				Block:       &blockJSON{},
			}
			if nb.Block != nil {
				nested, err := marshalBlock(nb.Block)
				if err != nil {
					return nil, fmt.Errorf("block %s: %w", nb.TypeName, err)
				}
				bt.Block = nested
			}
			out.BlockTypes[nb.TypeName] = bt
		}
	}
	return out, nil
}

// typeJSON encodes a type the way Terraform prints it (cty's type JSON):
// "string", ["list","string"], ["object",{"a":"bool"}], and so on.
func typeJSON(t tftypes.Type) (json.RawMessage, error) {
	v, err := typeValue(t)
	if err != nil {
		return nil, err
	}
	return json.Marshal(v)
}

func typeValue(t tftypes.Type) (any, error) {
	switch {
	case t.Is(tftypes.String):
		return "string", nil
	case t.Is(tftypes.Number):
		return "number", nil
	case t.Is(tftypes.Bool):
		return "bool", nil
	case t.Is(tftypes.DynamicPseudoType):
		return "dynamic", nil
	}
	switch tt := t.(type) {
	case tftypes.List:
		return collectionValue("list", tt.ElementType)
	case tftypes.Set:
		return collectionValue("set", tt.ElementType)
	case tftypes.Map:
		return collectionValue("map", tt.ElementType)
	case tftypes.Object:
		attrs := make(map[string]any, len(tt.AttributeTypes))
		for name, at := range tt.AttributeTypes {
			v, err := typeValue(at)
			if err != nil {
				return nil, fmt.Errorf("object attribute %s: %w", name, err)
			}
			attrs[name] = v
		}
		if len(tt.OptionalAttributes) == 0 {
			return []any{"object", attrs}, nil
		}
		optional := make([]string, 0, len(tt.OptionalAttributes))
		for name := range tt.OptionalAttributes {
			optional = append(optional, name)
		}
		slices.Sort(optional)
		return []any{"object", attrs, optional}, nil
	case tftypes.Tuple:
		elems := make([]any, len(tt.ElementTypes))
		for i, et := range tt.ElementTypes {
			v, err := typeValue(et)
			if err != nil {
				return nil, fmt.Errorf("tuple element %d: %w", i, err)
			}
			elems[i] = v
		}
		return []any{"tuple", elems}, nil
	}
	return nil, fmt.Errorf("unsupported type %s", t)
}

func collectionValue(kind string, elem tftypes.Type) (any, error) {
	v, err := typeValue(elem)
	if err != nil {
		return nil, fmt.Errorf("%s element: %w", kind, err)
	}
	return []any{kind, v}, nil
}

func marshalAttributes(attrs []*tfprotov6.SchemaAttribute) (map[string]*attributeJSON, error) {
	out := make(map[string]*attributeJSON, len(attrs))
	for _, a := range attrs {
		aj := &attributeJSON{
			Description:     a.Description,
			DescriptionKind: stringKind(a.DescriptionKind),
			Deprecated:      a.Deprecated,
			Required:        a.Required,
			Optional:        a.Optional,
			Computed:        a.Computed,
			Sensitive:       a.Sensitive,
			WriteOnly:       a.WriteOnly,
		}
		if a.Type != nil {
			t, err := typeJSON(a.Type)
			if err != nil {
				return nil, fmt.Errorf("attribute %s: %w", a.Name, err)
			}
			aj.AttributeType = t
		}
		if a.NestedType != nil {
			nested, err := marshalAttributes(a.NestedType.Attributes)
			if err != nil {
				return nil, fmt.Errorf("attribute %s: %w", a.Name, err)
			}
			aj.AttributeNestedType = &nestedTypeJSON{
				Attributes:  nested,
				NestingMode: strings.ToLower(a.NestedType.Nesting.String()),
			}
		}
		out[a.Name] = aj
	}
	return out, nil
}

func marshalIdentitySchema(s *tfprotov6.ResourceIdentitySchema) (*identitySchemaJSON, error) {
	out := &identitySchemaJSON{Version: s.Version, Attributes: map[string]*identityAttributeJSON{}}
	for _, a := range s.IdentityAttributes {
		t, err := typeJSON(a.Type)
		if err != nil {
			return nil, fmt.Errorf("attribute %s: %w", a.Name, err)
		}
		out.Attributes[a.Name] = &identityAttributeJSON{
			IdentityType:      t,
			Description:       a.Description,
			RequiredForImport: a.RequiredForImport,
			OptionalForImport: a.OptionalForImport,
		}
	}
	return out, nil
}

func stringKind(k tfprotov6.StringKind) string {
	if k == tfprotov6.StringKindMarkdown {
		return "markdown"
	}
	return "plain"
}
