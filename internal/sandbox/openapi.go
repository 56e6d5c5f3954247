package sandbox

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"sync"

	"github.com/getkin/kin-openapi/openapi3"
)

// OpenAPI is the OpenAPI 3.0.3 document of the provisioning API (openapi.yaml), the contract
// between the provider and the platform.
//
//go:embed openapi.yaml
var OpenAPI []byte

// openAPIJSON converts the embedded document to JSON once, with kin-openapi's loader, so that
// GET /openapi.json serves exactly what the loader understood.
var openAPIJSON = sync.OnceValues(func() ([]byte, error) {
	doc, err := openapi3.NewLoader().LoadFromData(OpenAPI)
	if err != nil {
		return nil, fmt.Errorf("loading the embedded OpenAPI document: %w", err)
	}
	data, err := json.Marshal(doc)
	if err != nil {
		return nil, fmt.Errorf("converting the embedded OpenAPI document to JSON: %w", err)
	}
	return data, nil
})
