package main

import "runtime/debug"

// version is set at build time with -ldflags "-X main.version=..."; left empty, toolVersion
// reads the version from the build information instead.
var version string

// toolVersion is the version "tandem version" prints and deploy history records.
func toolVersion() string {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		info = nil
	}
	return versionOf(version, info)
}

// versionOf picks the version: the one given with -ldflags, else the main module's version
// (v1.2.3 for "go install ...@v1.2.3"). A build from a checkout has the version "(devel)": the
// commit and its time follow, with "+dirty" for uncommitted edits, when the build recorded them
// (it does unless -buildvcs=false).
func versionOf(ldflags string, info *debug.BuildInfo) string {
	if ldflags != "" {
		return ldflags
	}
	if info == nil {
		return "(unknown)"
	}
	v := info.Main.Version
	if v == "" {
		v = "(devel)"
	}
	if v != "(devel)" {
		return v
	}
	var rev, at, dirty string
	for _, s := range info.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
			if len(rev) > 12 {
				rev = rev[:12]
			}
		case "vcs.time":
			at = s.Value
		case "vcs.modified":
			if s.Value == "true" {
				dirty = "+dirty"
			}
		}
	}
	if rev != "" {
		v += " " + rev + dirty
		if at != "" {
			v += " " + at
		}
	}
	return v
}
