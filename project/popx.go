package project

import (
	"slices"
	"strings"

	"github.com/tandem-db/tandem"
)

// popxDialects maps the dialect part of an Ory popx file name (Kratos, Hydra, Keto) to the name of
// tandem's dialect. popx writes "sqlite3" (and accepts "sqlite"); "cockroach" has no dialect of
// its own in tandem, so its files apply to no database tandem deploys to (CockroachDB is reached
// as postgres and gets the .postgres. file).
var popxDialects = map[string]string{
	"postgres":  "postgres",
	"mysql":     "mysql",
	"sqlite3":   "sqlite",
	"sqlite":    "sqlite",
	"cockroach": "cockroach",
}

// popxSuffixes moves popx's ".<dialect>" and ".autocommit" suffixes from a golang-migrate name's
// description to n.dialect and n.autocommit, and names the format popx when there was one:
// "1_users.postgres.autocommit.up.sql" is version 1, "users", for PostgreSQL, outside a
// transaction. It reports false for ".autocommit" before the dialect, which popx does not read
// (it would skip the file without a word), so that the name is refused instead.
func popxSuffixes(n *migName) bool {
	if rest, ok := strings.CutSuffix(n.desc, ".autocommit"); ok && rest != "" {
		n.desc, n.autocommit = rest, true
	}
	if i := strings.LastIndexByte(n.desc, '.'); i > 0 {
		if d, ok := popxDialects[strings.ToLower(n.desc[i+1:])]; ok {
			n.desc, n.dialect = n.desc[:i], d
			if strings.HasSuffix(n.desc, ".autocommit") {
				return false
			}
		}
	}
	if n.dialect != "" || n.autocommit {
		n.format = tandem.FormatPopx
	}
	return true
}

// migVersion is the files of one version, by tandem dialect name ("" for the file that serves
// every database).
type migVersion struct {
	ups, downs map[string]*migFile
}

// add files f under its version and dialect, reporting a second file for the same slot.
func (v *migVersion) add(f *migFile, errs *errList) {
	slots := &v.ups
	if f.name.kind == migDown || f.name.kind == migUndo {
		slots = &v.downs
	}
	if *slots == nil {
		*slots = map[string]*migFile{}
	}
	if prev := (*slots)[f.name.dialect]; prev != nil {
		if f.name.dialect != "" {
			errs.addf(f.path, 0, "%w version %s: %s is the %s file of the same version too; keep one file per database", ErrDuplicate, canonicalVersion(f.name.version), prev.path, f.name.dialect)
			return
		}
		errs.addf(f.path, 0, "%w version %s: %s has the same version; give each migration its own version", ErrDuplicate, canonicalVersion(f.name.version), prev.path)
		return
	}
	(*slots)[f.name.dialect] = f
}

// dialects returns the dialects that have a file of their own, sorted.
func (v *migVersion) dialects() []string {
	var out []string
	for _, m := range []map[string]*migFile{v.ups, v.downs} {
		for d := range m {
			if d != "" && !slices.Contains(out, d) {
				out = append(out, d)
			}
		}
	}
	slices.Sort(out)
	return out
}

// first returns some file of the version, for messages.
func (v *migVersion) first() *migFile {
	for _, m := range []map[string]*migFile{v.ups, v.downs} {
		for _, d := range append([]string{""}, v.dialects()...) {
			if f := m[d]; f != nil {
				return f
			}
		}
	}
	return nil
}

// addVersion builds the objects of one version. A version without per-database files is one
// object. A popx version is one object per database that has its own file, restricted to that
// dialect, plus one for the file without a dialect, restricted to the other databases; the
// planner keeps the one that applies to the target. A version whose files are all for other
// databases runs on none of the rest: that is popx's behaviour, which Kratos relies on for
// fixes that only one database needs, so it is a warning, printed by default, not an error.
func (l *loader) addVersion(v *migVersion) {
	f := v.first()
	canon := canonicalVersion(f.name.version)
	if prev, ok := l.versions[versionIdentity(f.name.version)]; ok {
		l.errs.addf(f.path, 0, "%w version %s: %s has the same version; give each migration its own version", ErrDuplicate, canon, prev)
		return
	}
	l.versions[versionIdentity(f.name.version)] = f.path
	pick := func(m map[string]*migFile, d string) *migFile {
		if x := m[d]; x != nil {
			return x
		}
		return m[""]
	}
	dialects := v.dialects()
	for _, d := range dialects {
		p := &migPair{up: pick(v.ups, d), down: pick(v.downs, d)}
		if p.up == nil {
			l.errs.addf(p.down.path, 0, "%w: no up file for version %s on %s (nor one without a dialect); add it or delete this file", ErrMigrationName, canon, d)
			continue
		}
		l.addVersioned(p, tandem.Attrs{IncludeDialects: []string{d}})
	}
	up, down := v.ups[""], v.downs[""]
	switch {
	case up != nil:
		l.addVersioned(&migPair{up: up, down: down}, tandem.Attrs{ExcludeDialects: dialects})
	case len(dialects) > 0:
		l.warnf("%s: version %s has files only for %s and none without a dialect: skipped on other databases", f.path, canon, strings.Join(dialects, ", "))
	default:
		what := "up file"
		if down.name.kind == migUndo {
			what = "V file"
		}
		l.errs.addf(down.path, 0, "%w: no %s for version %s; add it or delete this file", ErrMigrationName, what, canon)
	}
}
