package main

import (
	"runtime/debug"
	"testing"
)

func TestVersionOf(t *testing.T) {
	vcs := []debug.BuildSetting{
		{Key: "vcs", Value: "git"},
		{Key: "vcs.revision", Value: "f23fc61a0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e"},
		{Key: "vcs.time", Value: "2026-12-03T07:00:00Z"},
		{Key: "vcs.modified", Value: "true"},
	}
	tests := []struct {
		name, ldflags string
		info          *debug.BuildInfo
		want          string
	}{
		{"ldflags win", "v9.9.9", &debug.BuildInfo{Main: debug.Module{Version: "v1.2.3"}}, "v9.9.9"},
		{"module version", "", &debug.BuildInfo{Main: debug.Module{Version: "v1.2.3"}, Settings: vcs}, "v1.2.3"},
		{"checkout with vcs", "", &debug.BuildInfo{Main: debug.Module{Version: "(devel)"}, Settings: vcs}, "(devel) f23fc61a0b1c+dirty 2026-12-03T07:00:00Z"},
		{"checkout clean", "", &debug.BuildInfo{Main: debug.Module{Version: "(devel)"}, Settings: []debug.BuildSetting{{Key: "vcs.revision", Value: "abc"}}}, "(devel) abc"},
		{"checkout without vcs", "", &debug.BuildInfo{Main: debug.Module{Version: "(devel)"}}, "(devel)"},
		{"test binary", "", &debug.BuildInfo{}, "(devel)"},
		{"no build info", "", nil, "(unknown)"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := versionOf(tc.ldflags, tc.info); got != tc.want {
				t.Errorf("versionOf = %q, want %q", got, tc.want)
			}
		})
	}
}

// TestVersionFlag checks that the version given with -ldflags -X main.version is what
// "tandem --version", "tandem version" and its JSON print.
func TestVersionFlag(t *testing.T) {
	defer func(v string) { version = v }(version)
	version = "v9.8.7"
	for _, args := range [][]string{{"--version"}, {"version"}, {"version", "--json"}} {
		out := runHelp(t, args)
		want := "tandem v9.8.7\n"
		if len(args) == 2 {
			want = "{\n  \"version\": \"v9.8.7\"\n}\n"
		}
		if out != want {
			t.Errorf("tandem %v printed %q, want %q", args, out, want)
		}
	}
}
