package move

import (
	"context"
	"testing"
)

// startRefused asserts that the coordinator refuses to start m, naming the problem want, and
// leaves it pending. The coordinator's package imports this one, so the assertion lives in
// gate_test.go (package move_test), which sets it through SetStartRefused.
var startRefused func(t *testing.T, ctx context.Context, m *Move, want string)

// SetStartRefused installs the assertion the fit tests make of the coordinator's start gate.
func SetStartRefused(f func(t *testing.T, ctx context.Context, m *Move, want string)) {
	startRefused = f
}
