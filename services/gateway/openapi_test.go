package gateway_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi2"
	"github.com/getkin/kin-openapi/openapi2conv"
	"github.com/getkin/kin-openapi/openapi3"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/reflect/protoregistry"

	"github.com/rots-vlaanderen/roundtable/services/gateway"
)

// The embedded document parses and validates as OpenAPI (2.0, and as 3.0
// after conversion), has one operation with a unique operationId for every
// RPC of rots.v1, each described by the comment of its RPC, and asks for
// the bearer token.
func TestOpenAPIDocument(t *testing.T) {
	var doc2 openapi2.T
	if err := openapi2.UnmarshalFromData(gateway.OpenAPI, &doc2); err != nil {
		t.Fatalf("not an OpenAPI 2.0 document: %v", err)
	}
	if doc2.Swagger != "2.0" || doc2.Info.Title == "" || doc2.Info.Version == "" {
		t.Errorf("swagger %q, title %q, version %q", doc2.Swagger, doc2.Info.Title, doc2.Info.Version)
	}
	if s := doc2.SecurityDefinitions["bearer"]; s == nil || s.In != "header" || s.Name != "Authorization" {
		t.Errorf("security definition bearer = %+v, want the Authorization header", s)
	}
	doc, err := openapi2conv.ToV3(&doc2)
	if err != nil {
		t.Fatalf("converting to OpenAPI 3: %v", err)
	}
	if err := doc.Validate(context.Background()); err != nil {
		t.Fatalf("invalid OpenAPI document: %v", err)
	}

	ops := map[string]*openapi3.Operation{}
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			if prev, dup := ops[op.OperationID]; dup {
				t.Errorf("operationId %s twice (%s %s and %q)", op.OperationID, method, path, prev.Summary)
			}
			ops[op.OperationID] = op
			if !strings.HasPrefix(path, "/v1/") {
				t.Errorf("%s %s: not under /v1/", method, path)
			}
			if method == http.MethodGet && op.RequestBody != nil {
				t.Errorf("%s %s has a request body", method, path)
			}
		}
	}
	rpcs := 0
	protoregistry.GlobalFiles.RangeFilesByPackage("rots.v1", func(fd protoreflect.FileDescriptor) bool {
		for i := range fd.Services().Len() {
			svc := fd.Services().Get(i)
			for j := range svc.Methods().Len() {
				m := svc.Methods().Get(j)
				rpcs++
				id := string(svc.Name()) + "_" + string(m.Name())
				op := ops[id]
				switch {
				case op == nil:
					t.Errorf("%s.%s has no HTTP route: give it a google.api.http option", svc.Name(), m.Name())
				case !strings.HasPrefix(op.Summary+op.Description, string(m.Name())+" "):
					t.Errorf("%s: description %q is not the RPC's comment", id, op.Summary+op.Description)
				}
			}
		}
		return true
	})
	if rpcs < 40 {
		t.Errorf("only %d RPCs of rots.v1 linked in", rpcs)
	}
	t.Logf("%d RPCs, %d operations, %d paths", rpcs, len(ops), doc.Paths.Len())
}
