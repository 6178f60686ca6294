package client_test

import (
	"os/exec"
	"strings"
	"testing"
)

// The package every application links must stay small: no YAML library (move definitions are
// read by project, not by the application), no net/http (the metrics exporter is in
// move/metrics), and not the coordinator (move/coord), which only the tandem command runs.
func TestClientDependencies(t *testing.T) {
	const mod = "github.com/tandem-db/tandem"
	out, err := exec.Command("go", "list", "-deps", mod+"/client").Output()
	if err != nil {
		t.Fatalf("go list -deps: %v", err)
	}
	deps := map[string]bool{}
	for _, p := range strings.Fields(string(out)) {
		deps[p] = true
	}
	// The walk must see the packages client does use, or it proves nothing.
	for _, want := range []string{mod, mod + "/move", mod + "/move/mirror", "database/sql"} {
		if !deps[want] {
			t.Errorf("client's dependencies lack %s: the listing is broken (%d packages)", want, len(deps))
		}
	}
	for p := range deps {
		switch {
		case strings.Contains(strings.ToLower(p), "yaml"):
			t.Errorf("client depends on %s, a YAML library", p)
		case p == "net/http" || strings.HasPrefix(p, "net/http/"):
			t.Errorf("client depends on %s", p)
		case p == mod+"/move/coord" || strings.HasPrefix(p, mod+"/move/coord/"):
			t.Errorf("client depends on the coordinator %s", p)
		case p == mod+"/move/metrics":
			t.Errorf("client depends on the metrics exporter %s", p)
		}
	}
}
