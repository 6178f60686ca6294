package faulttest

import (
	"context"
	"testing"
)

// reference generates the project and deploys it uninterrupted to a fresh database of kind k.
func reference(ctx context.Context, t *testing.T, k kind) (*model, *database, outcome) {
	t.Helper()
	m := generate(true, k.name)
	ref := newDatabase(t, k, m)
	o, err := ref.deploy(ctx)
	if err != nil || o.code != 0 {
		t.Fatalf("uninterrupted deploy: exit %d, %v\n%s", o.code, err, o.output)
	}
	return m, ref, o
}
