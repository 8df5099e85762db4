package rpc

import (
	"context"
	"io"
	"log/slog"
	"os"
	"strings"
	"testing"

	"github.com/google/uuid"
	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/reflect/protoregistry"

	rotsv1 "github.com/rots-vlaanderen/roundtable/gen/rots/v1"
	"github.com/rots-vlaanderen/roundtable/internal/auth"
	"github.com/rots-vlaanderen/roundtable/internal/testbed/storetest"
)

var dbURL string

func TestMain(m *testing.M) { os.Exit(storetest.Main(m, &dbURL)) }

// reads are the methods that change nothing (Verify checks the access log
// and writes nothing); every other method of rots.v1
// must take a request_id.
func isRead(name protoreflect.Name) bool {
	for _, p := range []string{"Get", "List", "Search", "Export", "Verify", "Suggest"} {
		if strings.HasPrefix(string(name), p) {
			return true
		}
	}
	return false
}

// mutating lists every method of rots.v1 whose request has a request_id,
// and fails the test for a method that changes something without one.
func mutating(t *testing.T) []protoreflect.MethodDescriptor {
	t.Helper()
	var out []protoreflect.MethodDescriptor
	protoregistry.GlobalFiles.RangeFilesByPackage("rots.v1", func(fd protoreflect.FileDescriptor) bool {
		for i := range fd.Services().Len() {
			ms := fd.Services().Get(i).Methods()
			for j := range ms.Len() {
				m := ms.Get(j)
				hasKey := m.Input().Fields().ByName("request_id") != nil
				switch {
				case hasKey:
					out = append(out, m)
				case !isRead(m.Name()):
					t.Errorf("%s changes something but its request has no request_id", m.FullName())
				}
			}
		}
		return true
	})
	return out
}

// sample is a request of the method's type with every string, number and
// enum field set, two levels deep; variant changes the strings.
func sample(md protoreflect.MethodDescriptor, variant string) proto.Message {
	mt, err := protoregistry.GlobalTypes.FindMessageByName(md.Input().FullName())
	if err != nil {
		panic(err)
	}
	m := mt.New()
	fillSample(m, variant, 2)
	return m.Interface()
}

func fillSample(m protoreflect.Message, variant string, depth int) {
	fs := m.Descriptor().Fields()
	for i := range fs.Len() {
		f := fs.Get(i)
		if f.IsList() || f.IsMap() {
			continue
		}
		switch f.Kind() {
		case protoreflect.StringKind:
			m.Set(f, protoreflect.ValueOfString("x"+variant))
		case protoreflect.BoolKind:
			m.Set(f, protoreflect.ValueOfBool(true))
		case protoreflect.Int32Kind:
			m.Set(f, protoreflect.ValueOfInt32(1))
		case protoreflect.EnumKind:
			m.Set(f, protoreflect.ValueOfEnum(1))
		case protoreflect.MessageKind:
			if depth > 0 {
				sub := m.NewField(f).Message()
				fillSample(sub, variant, depth-1)
				m.Set(f, protoreflect.ValueOfMessage(sub))
			}
		}
	}
}

func withKey(m proto.Message, id string) proto.Message {
	m = proto.Clone(m)
	r := m.ProtoReflect()
	r.Set(r.Descriptor().Fields().ByName("request_id"), protoreflect.ValueOfString(id))
	return m
}

// Every mutating RPC of rots.v1 goes through the one rule: a retry of the
// same call reaches the service (which answers it without doing the work
// twice); the same request_id for a different request, or by another
// caller, is refused before the service sees it; a request the service
// refused for its content frees its request_id for the corrected one.
func TestIdempotencyEveryMutatingRPC(t *testing.T) {
	db := storetest.Open(t, dbURL)
	interceptor := Idempotency(db, slog.New(slog.NewTextHandler(io.Discard, nil)))
	alice := auth.NewContext(context.Background(), auth.Principal{Subject: "alice", Organisation: "CLB A", Role: auth.Submitter})
	bob := auth.NewContext(context.Background(), auth.Principal{Subject: "bob", Organisation: "CLB B", Role: auth.Submitter})
	methods := mutating(t)
	if len(methods) < 20 {
		t.Fatalf("found only %d mutating RPCs", len(methods))
	}
	for _, md := range methods {
		method := "/" + string(md.Parent().FullName()) + "/" + string(md.Name())
		t.Run(string(md.Name()), func(t *testing.T) {
			calls := 0
			ok := func(context.Context, any) (any, error) { calls++; return "done", nil }
			call := func(ctx context.Context, req proto.Message, h grpc.UnaryHandler) error {
				_, err := interceptor(ctx, req, &grpc.UnaryServerInfo{FullMethod: method}, h)
				return err
			}
			key := uuid.NewString()
			first, other := withKey(sample(md, ""), key), withKey(sample(md, "2"), key)
			if proto.Equal(first, other) {
				t.Fatal("the two samples are equal")
			}
			for i := range 2 { // the call and its retry
				if err := call(alice, first, ok); err != nil || calls != i+1 {
					t.Fatalf("try %d: %v, %d calls", i, err, calls)
				}
			}
			wantRequestIDRefused(t, call(alice, other, ok))
			wantRequestIDRefused(t, call(bob, first, ok))
			if calls != 2 {
				t.Errorf("the service was called %d times, want 2", calls)
			}

			refused := withKey(sample(md, ""), uuid.NewString())
			bad := func(context.Context, any) (any, error) {
				return nil, status.Error(codes.InvalidArgument, "answer: is required")
			}
			if err := call(alice, refused, bad); status.Code(err) != codes.InvalidArgument {
				t.Fatalf("refused request: %v", err)
			}
			corrected := withKey(sample(md, "2"), refused.ProtoReflect().Get(refused.ProtoReflect().Descriptor().Fields().ByName("request_id")).String())
			if err := call(alice, corrected, ok); err != nil {
				t.Errorf("the corrected request with the same request_id: %v", err)
			}
		})
	}
}

func wantRequestIDRefused(t *testing.T, err error) {
	t.Helper()
	if status.Code(err) != codes.InvalidArgument {
		t.Fatalf("got %v, want InvalidArgument", err)
	}
	for _, d := range status.Convert(err).Details() {
		for _, v := range d.(*errdetails.BadRequest).GetFieldViolations() {
			if v.GetField() == "request_id" && strings.Contains(v.GetDescription(), "different request") {
				return
			}
		}
	}
	t.Fatalf("%v does not name request_id", err)
}

// The reserved prefix of the workflow's own event keys is refused.
func TestRequestIDReservedPrefix(t *testing.T) {
	var v Violations
	v.RequestID("workflow:3")
	if len(v) != 1 || v[0].GetField() != "request_id" {
		t.Errorf("workflow:3 gave %v", v)
	}
	v = nil
	v.RequestID("my-workflow:3")
	if len(v) != 0 {
		t.Errorf("my-workflow:3 gave %v", v)
	}
}

var _ = rotsv1.File_rots_v1_case_service_proto // the registry holds rots.v1
