// Package rpctest reads the API's errors in tests. Only tests import it.
package rpctest

import (
	"slices"
	"testing"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// Violated returns, sorted, the fields an InvalidArgument error names in
// its google.rpc.BadRequest. It fails the test for any other error, for an
// InvalidArgument that names no field, and for a violation that does not
// say what is wrong.
func Violated(t testing.TB, err error) []string {
	t.Helper()
	st, ok := status.FromError(err)
	if err == nil || !ok || st.Code() != codes.InvalidArgument {
		t.Fatalf("error = %v, want InvalidArgument", err)
	}
	var fields []string
	for _, d := range st.Details() {
		if br, ok := d.(*errdetails.BadRequest); ok {
			for _, fv := range br.GetFieldViolations() {
				if fv.GetDescription() == "" {
					t.Errorf("violation of %s has no description", fv.GetField())
				}
				fields = append(fields, fv.GetField())
			}
		}
	}
	if len(fields) == 0 {
		t.Fatalf("no field violations in %v", err)
	}
	slices.Sort(fields)
	return fields
}
