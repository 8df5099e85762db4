package rpc

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"unicode/utf8"

	"google.golang.org/grpc"
	"google.golang.org/grpc/encoding"
	grpcproto "google.golang.org/grpc/encoding/proto"
	"google.golang.org/grpc/mem"
	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
)

// Codec returns the server's protobuf codec. grpc-go answers a request
// that does not decode (a string that is not UTF-8, a cut-off message)
// with Internal before any interceptor sees it, although the fault is the
// client's. For requests of package rots.v1 this codec hands the service
// an empty request and notes why; WellFormed then answers InvalidArgument
// naming the field. Register it with grpc.ForceServerCodecV2.
func Codec() encoding.CodecV2 {
	return codec{base: encoding.GetCodecV2(grpcproto.Name)}
}

type codec struct{ base encoding.CodecV2 }

// undecodable holds, per request being served, why it did not decode.
var undecodable sync.Map // proto.Message → Violations

func (c codec) Name() string                           { return c.base.Name() }
func (c codec) Marshal(v any) (mem.BufferSlice, error) { return c.base.Marshal(v) }
func (c codec) Unmarshal(data mem.BufferSlice, v any) error {
	err := c.base.Unmarshal(data, v)
	m, ok := v.(proto.Message)
	if err == nil || !ok || !strings.HasPrefix(string(m.ProtoReflect().Descriptor().FullName()), "rots.v1.") {
		return err
	}
	proto.Reset(m)
	var vs Violations
	if field := notUTF8(data.Materialize(), m.ProtoReflect().Descriptor(), ""); field != "" {
		vs.Add(field, "is not valid UTF-8 text")
	} else {
		vs.Add("request", "cannot be decoded as %s: %v", m.ProtoReflect().Descriptor().FullName(), err)
	}
	undecodable.Store(m, vs)
	return nil
}

// notUTF8 names the first string field in the encoded message b that is
// not UTF-8, e.g. "young_person.alias" or "tried[2]", or "" if none is.
func notUTF8(b []byte, md protoreflect.MessageDescriptor, prefix string) string {
	seen := map[protowire.Number]int{}
	for len(b) > 0 {
		num, typ, n := protowire.ConsumeTag(b)
		if n < 0 {
			return ""
		}
		b = b[n:]
		if typ != protowire.BytesType {
			if n = protowire.ConsumeFieldValue(num, typ, b); n < 0 {
				return ""
			}
			b = b[n:]
			continue
		}
		v, n := protowire.ConsumeBytes(b)
		if n < 0 {
			return ""
		}
		b = b[n:]
		fd := md.Fields().ByNumber(num)
		if fd == nil {
			continue
		}
		name := prefix + string(fd.Name())
		if fd.IsList() {
			name = fmt.Sprintf("%s[%d]", name, seen[num])
			seen[num]++
		}
		switch fd.Kind() {
		case protoreflect.StringKind:
			if !utf8.Valid(v) {
				return name
			}
		case protoreflect.MessageKind:
			if f := notUTF8(v, fd.Message(), name+"."); f != "" {
				return f
			}
		}
	}
	return ""
}

// WellFormed refuses, before anything else looks at a call, a request that
// did not decode (see Codec) or that holds an enum value the API does not
// define (region 99): both are InvalidArgument naming the field, the same
// whatever exists on the server.
func WellFormed() grpc.UnaryServerInterceptor {
	return func(ctx context.Context, req any, info *grpc.UnaryServerInfo, handler grpc.UnaryHandler) (any, error) {
		m, ok := req.(proto.Message)
		if !ok {
			return handler(ctx, req)
		}
		if vs, bad := undecodable.LoadAndDelete(m); bad {
			return nil, vs.(Violations).Err()
		}
		var v Violations
		unknownEnums(&v, m.ProtoReflect(), "")
		if err := v.Err(); err != nil {
			return nil, err
		}
		return handler(ctx, req)
	}
}

// unknownEnums adds a violation for every enum value in m that its enum
// does not define.
func unknownEnums(v *Violations, m protoreflect.Message, prefix string) {
	m.Range(func(fd protoreflect.FieldDescriptor, val protoreflect.Value) bool {
		name := prefix + string(fd.Name())
		check := func(name string, val protoreflect.Value) {
			switch fd.Kind() {
			case protoreflect.EnumKind:
				if fd.Enum().Values().ByNumber(val.Enum()) == nil {
					v.Add(name, "has no value %d; see the API's %s", val.Enum(), fd.Enum().Name())
				}
			case protoreflect.MessageKind:
				if !fd.IsMap() {
					unknownEnums(v, val.Message(), name+".")
				}
			}
		}
		switch {
		case fd.IsList():
			l := val.List()
			for i := range l.Len() {
				check(fmt.Sprintf("%s[%d]", name, i), l.Get(i))
			}
		case fd.IsMap():
		default:
			check(name, val)
		}
		return true
	})
}
