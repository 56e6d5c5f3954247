package sandbox

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"reflect"
	"slices"
	"strconv"
	"strings"

	"github.com/salesseat/terraform-provider-salesseat/internal/sandbox/platform"
)

// maxBodyBytes bounds every request body; the largest legitimate one is a validation batch.
const maxBodyBytes = 4 << 20

// readBody reads the whole request body, refusing bodies above maxBodyBytes.
func readBody(w http.ResponseWriter, r *http.Request) ([]byte, *problem) {
	data, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBodyBytes))
	if err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			return nil, malformed(fmt.Sprintf("The request body is larger than %d bytes; send smaller batches.", maxBodyBytes))
		}
		return nil, malformed("The request body could not be read: " + err.Error())
	}
	return data, nil
}

// decodeJSON decodes a JSON object body into dst (a pointer to a struct) strictly: the body must
// be one JSON object, every member must be a field of dst (matched case-sensitively, at any
// depth) and of the right type. It returns the object as generic JSON too, so callers can tell
// an explicit null from an absent member.
//
// Malformed JSON is a 400 that says where; a well-formed body that does not fit is a 422 that
// names the field.
func decodeJSON(data []byte, dst any) (map[string]any, *problem) {
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, malformed("The request body is empty; send a JSON object.")
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var generic any
	if err := dec.Decode(&generic); err != nil {
		return nil, syntaxProblem(data, err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		line, col := position(data, dec.InputOffset())
		return nil, malformed(fmt.Sprintf("The request body has more data after the JSON object, at line %d, column %d; send exactly one JSON object.", line, col))
	}
	obj, ok := generic.(map[string]any)
	if !ok {
		return nil, invalidField("", fmt.Sprintf("the request body must be a JSON object, not %s", jsonKind(generic)))
	}
	if path, allowed := unknownMember(obj, reflect.TypeOf(dst).Elem(), ""); path != "" {
		msg := "unknown field; remove it"
		if len(allowed) > 0 {
			msg += " (allowed here: " + strings.Join(allowed, ", ") + ")"
		}
		return nil, invalidField(path, msg)
	}
	strict := json.NewDecoder(bytes.NewReader(data))
	strict.DisallowUnknownFields()
	if err := strict.Decode(dst); err != nil {
		var p *platform.Problem
		if errors.As(err, &p) {
			return nil, apiProblem(p)
		}
		var typeErr *json.UnmarshalTypeError
		if errors.As(err, &typeErr) {
			return nil, invalidField(typeErr.Field, fmt.Sprintf("must be %s, not a JSON %s", goTypeName(typeErr.Type), typeErr.Value))
		}
		return nil, invalidField("", err.Error())
	}
	return obj, nil
}

// syntaxProblem describes where a body stops being JSON.
func syntaxProblem(data []byte, err error) *problem {
	var syntaxErr *json.SyntaxError
	switch {
	case errors.As(err, &syntaxErr):
		line, col := position(data, syntaxErr.Offset)
		return malformed(fmt.Sprintf("The request body is not valid JSON: %s at line %d, column %d.", syntaxErr.Error(), line, col))
	case errors.Is(err, io.ErrUnexpectedEOF):
		line, col := position(data, int64(len(data)))
		return malformed(fmt.Sprintf("The request body is not valid JSON: it ends unexpectedly at line %d, column %d; check for a missing closing bracket or quote.", line, col))
	default:
		return malformed("The request body is not valid JSON: " + err.Error() + ".")
	}
}

// position converts a byte offset into a 1-based line and column.
func position(data []byte, offset int64) (line, col int) {
	if offset > int64(len(data)) {
		offset = int64(len(data))
	}
	before := data[:offset]
	line = bytes.Count(before, []byte("\n")) + 1
	col = int(offset) - (bytes.LastIndexByte(before, '\n') + 1)
	if col < 1 {
		col = 1
	}
	return line, col
}

// jsonKind names the JSON type of a generic value.
func jsonKind(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case bool:
		return "a boolean"
	case json.Number:
		return "a number"
	case string:
		return "a string"
	case []any:
		return "an array"
	default:
		return "an object"
	}
}

// goTypeName names a Go type in JSON terms for error messages.
func goTypeName(t reflect.Type) string {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "a boolean (true or false)"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "an integer"
	case reflect.Float32, reflect.Float64:
		return "a number"
	case reflect.Slice, reflect.Array:
		return "an array"
	default:
		return "an object"
	}
}

// unknownMember walks generic JSON against the Go type it will be decoded into and returns the
// path of the first member (in sorted order) that has no field, with the names allowed there.
func unknownMember(v any, t reflect.Type, path string) (string, []string) {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch val := v.(type) {
	case map[string]any:
		if t.Kind() != reflect.Struct {
			return "", nil
		}
		fields := jsonFields(t)
		keys := make([]string, 0, len(val))
		for k := range val {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			sub := joinPath(path, k)
			ft, ok := fields[k]
			if !ok {
				allowed := make([]string, 0, len(fields))
				for name := range fields {
					allowed = append(allowed, name)
				}
				slices.Sort(allowed)
				return sub, allowed
			}
			if p, allowed := unknownMember(val[k], ft, sub); p != "" {
				return p, allowed
			}
		}
	case []any:
		if t.Kind() != reflect.Slice && t.Kind() != reflect.Array {
			return "", nil
		}
		for i, item := range val {
			if p, allowed := unknownMember(item, t.Elem(), path+"["+strconv.Itoa(i)+"]"); p != "" {
				return p, allowed
			}
		}
	}
	return "", nil
}

// joinPath appends a member name to a JSON path.
func joinPath(path, name string) string {
	if path == "" {
		return name
	}
	return path + "." + name
}

// jsonFields maps the JSON member names of a struct type (with promoted fields of embedded
// structs) to their types, following encoding/json's tag rules.
func jsonFields(t reflect.Type) map[string]reflect.Type {
	fields := make(map[string]reflect.Type)
	for i := range t.NumField() {
		f := t.Field(i)
		tag := f.Tag.Get("json")
		if tag == "-" {
			continue
		}
		name, _, _ := strings.Cut(tag, ",")
		if f.Anonymous && name == "" {
			ft := f.Type
			for ft.Kind() == reflect.Pointer {
				ft = ft.Elem()
			}
			if ft.Kind() == reflect.Struct {
				for k, v := range jsonFields(ft) {
					if _, exists := fields[k]; !exists {
						fields[k] = v
					}
				}
				continue
			}
		}
		if !f.IsExported() {
			continue
		}
		if name == "" {
			name = f.Name
		}
		fields[name] = f.Type
	}
	return fields
}
