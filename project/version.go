package project

import (
	"strings"

	"github.com/tandem-db/tandem"
)

// CompareVersions compares two migration versions; see tandem.CompareVersions, which it is.
func CompareVersions(a, b string) int { return tandem.CompareVersions(a, b) }

// canonicalVersion is a version as the key of its migration (see tandem.CanonicalVersion).
func canonicalVersion(v string) string { return tandem.CanonicalVersion(v) }

// versionIdentity is the canonical version without trailing zero parts, so that versions that
// CompareVersions holds equal ("1" and "1.0") share it.
func versionIdentity(v string) string {
	parts := strings.Split(canonicalVersion(v), ".")
	for len(parts) > 1 && parts[len(parts)-1] == "0" {
		parts = parts[:len(parts)-1]
	}
	return strings.Join(parts, ".")
}
