package main

import (
	"context"
	"path/filepath"
	"testing"
)

// The example deploys its embedded schema, and a second start finds nothing to do.
func TestRunTwice(t *testing.T) {
	path := filepath.Join(t.TempDir(), "app.db")
	for range 2 {
		if err := run(context.Background(), path); err != nil {
			t.Fatal(err)
		}
	}
}
