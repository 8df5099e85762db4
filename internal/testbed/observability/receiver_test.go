package observability

import (
	"context"
	"net"
	"sync"
	"testing"

	coltracepb "go.opentelemetry.io/proto/otlp/collector/trace/v1"
	commonpb "go.opentelemetry.io/proto/otlp/common/v1"
	tracepb "go.opentelemetry.io/proto/otlp/trace/v1"
	"google.golang.org/grpc"
	"google.golang.org/protobuf/proto"
)

// receiver is an OTLP/gRPC trace endpoint, as a collector is: it keeps
// every request it is sent, decoded and as the bytes that came.
type receiver struct {
	coltracepb.UnimplementedTraceServiceServer
	Addr string

	mu       sync.Mutex
	requests []*coltracepb.ExportTraceServiceRequest
	raw      [][]byte
}

func startReceiver(t *testing.T) *receiver {
	t.Helper()
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	r := &receiver{Addr: lis.Addr().String()}
	srv := grpc.NewServer()
	coltracepb.RegisterTraceServiceServer(srv, r)
	go srv.Serve(lis)
	t.Cleanup(srv.Stop)
	return r
}

func (r *receiver) Export(_ context.Context, req *coltracepb.ExportTraceServiceRequest) (*coltracepb.ExportTraceServiceResponse, error) {
	b, err := proto.Marshal(req)
	if err != nil {
		return nil, err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.requests = append(r.requests, req)
	r.raw = append(r.raw, b)
	return &coltracepb.ExportTraceServiceResponse{}, nil
}

// span is one received span with the service that sent it.
type span struct {
	Service string
	*tracepb.Span
}

// spans is every span received so far.
func (r *receiver) spans() []span {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []span
	for _, req := range r.requests {
		for _, rs := range req.GetResourceSpans() {
			service := stringAttr(rs.GetResource().GetAttributes(), "service.name")
			for _, ss := range rs.GetScopeSpans() {
				for _, s := range ss.GetSpans() {
					out = append(out, span{Service: service, Span: s})
				}
			}
		}
	}
	return out
}

// rawRequests is every request as it came over the wire: every string in
// it (names, attributes, events, resources, status messages) is there as
// UTF-8 bytes.
func (r *receiver) rawRequests() [][]byte {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([][]byte(nil), r.raw...)
}

func stringAttr(attrs []*commonpb.KeyValue, key string) string {
	for _, a := range attrs {
		if a.GetKey() == key {
			return a.GetValue().GetStringValue()
		}
	}
	return ""
}
