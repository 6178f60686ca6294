package project

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/tandem-db/tandem"
)

func TestCompareVersions(t *testing.T) {
	tests := []struct {
		a, b string
		want int
	}{
		{"1", "1", 0},
		{"1", "2", -1},
		{"2", "10", -1},
		{"0001", "1", 0},
		{"1_1", "1.1", 0},
		{"1.1", "1.10", -1},
		{"1.2", "1.10", -1},
		{"1", "1.0", 0},
		{"1", "1.0.1", -1},
		{"2.0.1", "2", 1},
		{"20240101120000", "20231231235959", 1},
		{"99999999999999999999999", "100000000000000000000000", -1},
		{"", "0", 0},
		{"1.a", "1.1", 1},
		{"1.a", "1.b", -1},
	}
	for _, tc := range tests {
		t.Run(tc.a+"_vs_"+tc.b, func(t *testing.T) {
			if got := CompareVersions(tc.a, tc.b); got != tc.want {
				t.Errorf("CompareVersions(%q, %q) = %d; want %d", tc.a, tc.b, got, tc.want)
			}
			if got := CompareVersions(tc.b, tc.a); got != -tc.want {
				t.Errorf("CompareVersions(%q, %q) = %d; want %d", tc.b, tc.a, got, -tc.want)
			}
		})
	}
}

func TestCanonicalVersion(t *testing.T) {
	tests := []struct{ in, canon, identity string }{
		{"0001", "1", "1"},
		{"1_1", "1.1", "1.1"},
		{"1.0", "1.0", "1"},
		{"01.00.00", "1.0.0", "1"},
		{"000", "0", "0"},
		{"20240101120000", "20240101120000", "20240101120000"},
		{"2.0.1", "2.0.1", "2.0.1"},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			if got := canonicalVersion(tc.in); got != tc.canon {
				t.Errorf("canonicalVersion(%q) = %q; want %q", tc.in, got, tc.canon)
			}
			if got := versionIdentity(tc.in); got != tc.identity {
				t.Errorf("versionIdentity(%q) = %q; want %q", tc.in, got, tc.identity)
			}
		})
	}
}

func TestParseMigrationName(t *testing.T) {
	tests := []struct {
		base string
		want migName
		ok   bool
	}{
		{"20240101120000_add_users.sql", migName{format: tandem.FormatGoose, kind: migWhole, version: "20240101120000", desc: "add_users"}, true},
		{"00001_create.sql", migName{format: tandem.FormatGoose, kind: migWhole, version: "00001", desc: "create"}, true},
		{"1_init.up.sql", migName{format: tandem.FormatGolangMigrate, kind: migUp, version: "1", desc: "init"}, true},
		{"1_init.down.sql", migName{format: tandem.FormatGolangMigrate, kind: migDown, version: "1", desc: "init"}, true},
		{"1_.up.sql", migName{format: tandem.FormatGolangMigrate, kind: migUp, version: "1", desc: ""}, true},
		{"1_users.postgres.up.sql", migName{format: tandem.FormatPopx, kind: migUp, version: "1", desc: "users", dialect: "postgres"}, true},
		{"1_users.sqlite3.autocommit.down.sql", migName{format: tandem.FormatPopx, kind: migDown, version: "1", desc: "users", dialect: "sqlite", autocommit: true}, true},
		{"1_users.autocommit.up.sql", migName{format: tandem.FormatPopx, kind: migUp, version: "1", desc: "users", autocommit: true}, true},
		{"1_users.oracle.up.sql", migName{format: tandem.FormatGolangMigrate, kind: migUp, version: "1", desc: "users.oracle"}, true},
		{"000001_create_users.up.sql", migName{format: tandem.FormatGolangMigrate, kind: migUp, version: "000001", desc: "create_users"}, true},
		{"V0001.Initial_Schema.up.sql", migName{format: tandem.FormatPlain, kind: migUp, version: "0001", desc: "Initial_Schema"}, true},
		{"V0001.Initial_Schema.down.sql", migName{format: tandem.FormatPlain, kind: migDown, version: "0001", desc: "Initial_Schema"}, true},
		{"0002.second.up.sql", migName{format: tandem.FormatPlain, kind: migUp, version: "0002", desc: "second"}, true},
		{"V3__third.up.sql", migName{format: tandem.FormatPlain, kind: migUp, version: "3", desc: "third"}, true},
		{"V1__init.sql", migName{format: tandem.FormatFlyway, kind: migWhole, version: "1", desc: "init"}, true},
		{"V1_1__more_things.sql", migName{format: tandem.FormatFlyway, kind: migWhole, version: "1_1", desc: "more_things"}, true},
		{"V2.0.1__x.sql", migName{format: tandem.FormatFlyway, kind: migWhole, version: "2.0.1", desc: "x"}, true},
		{"U1_1__more.sql", migName{format: tandem.FormatFlyway, kind: migUndo, version: "1_1", desc: "more"}, true},
		{"R__views.sql", migName{format: tandem.FormatFlyway, kind: migRepeatable, version: "", desc: "views"}, true},
		{"V0001..up.sql", migName{}, false},
		{"seed.sql", migName{}, false},
		{"V1_init.sql", migName{}, false},
		{"R_views.sql", migName{}, false},
		{"V__x.sql", migName{}, false},
		{"1.sql", migName{}, false},
		{"1_a.SQL", migName{}, false},
		{"1_a.up.sql.bak", migName{}, false},
	}
	for _, tc := range tests {
		t.Run(tc.base, func(t *testing.T) {
			got, ok := parseMigrationName(tc.base)
			if ok != tc.ok {
				t.Fatalf("ok = %v; want %v", ok, tc.ok)
			}
			if diff := cmp.Diff(tc.want, got, cmp.AllowUnexported(migName{})); diff != "" {
				t.Errorf("mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func FuzzParseMigrationName(f *testing.F) {
	for _, s := range []string{"1_a.sql", "1_a.up.sql", "V0001.A.down.sql", "V1_1__x.sql", "U2__y.sql", "R__z.sql", "x.sql", "V1..2__a.sql"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, base string) {
		n, ok := parseMigrationName(base)
		if !ok {
			return
		}
		if n.kind == migRepeatable {
			if n.desc == "" || n.version != "" {
				t.Errorf("%q: repeatable %+v", base, n)
			}
			return
		}
		if n.version[0] < '0' || n.version[0] > '9' {
			t.Errorf("%q: version %q does not start with a digit", base, n.version)
		}
		// the canonical form is a fixed point and compares equal to the original
		c := canonicalVersion(n.version)
		if canonicalVersion(c) != c || CompareVersions(c, n.version) != 0 || versionIdentity(c) != versionIdentity(n.version) {
			t.Errorf("%q: canonical %q of %q is unstable", base, c, n.version)
		}
	})
}

func FuzzCompareVersions(f *testing.F) {
	f.Add("1.2", "1.10")
	f.Add("0001", "1_0")
	f.Add("a", "1")
	f.Fuzz(func(t *testing.T, a, b string) {
		ab, ba := CompareVersions(a, b), CompareVersions(b, a)
		if ab != -ba || ab < -1 || ab > 1 {
			t.Errorf("CompareVersions(%q, %q) = %d but reversed %d", a, b, ab, ba)
		}
		if CompareVersions(a, a) != 0 {
			t.Errorf("CompareVersions(%q, itself) != 0", a)
		}
	})
}
