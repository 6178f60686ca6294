package project

import (
	"io/fs"
	"path"
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/tandem-db/tandem"
)

// migKind says what part of a migration a file holds.
type migKind int

const (
	migUp         migKind = iota // the up half of an up/down pair
	migDown                      // the down half of an up/down pair
	migWhole                     // a goose file (both halves) or a Flyway V file
	migUndo                      // a Flyway U file: the undo of the V file of the same version
	migRepeatable                // a Flyway R__ file
)

// migName is what a migration's file name says.
type migName struct {
	format  tandem.Format
	kind    migKind
	version string // as written: "0001", "1_1", "20240101120000"; empty for a repeatable
	desc    string
	// dialect is a popx file's database ("postgres", "mysql", "sqlite3", "cockroach"); empty for
	// a file for every database.
	dialect string
	// autocommit is a popx ".autocommit" file: run without a transaction.
	autocommit bool
}

var (
	// 1_name.up.sql (golang-migrate); V0001.Name.up.sql, 0001.name.up.sql, V1__name.up.sql (plain)
	upDownName = regexp.MustCompile(`^(V?)([0-9]+)(__|[._-])(.*)\.(up|down)\.sql$`)
	// V1__name.sql, V1.1__name.sql, V1_1__name.sql, U1__name.sql
	flywayName = regexp.MustCompile(`^([VU])([0-9]+(?:[._][0-9]+)*)__(.+)\.sql$`)
	// R__name.sql
	repeatableName = regexp.MustCompile(`^R__(.+)\.sql$`)
	// 20240101120000_name.sql
	gooseName = regexp.MustCompile(`^([0-9]+)_(.+)\.sql$`)
)

// migrationSchemes describes the accepted names, for messages.
const migrationSchemes = "goose 1_name.sql, golang-migrate 1_name.up.sql/.down.sql, popx 1_name.postgres.autocommit.up.sql, Flyway V1__name.sql/U1__name.sql/R__name.sql, or V0001.Name.up.sql/.down.sql"

// parseMigrationName reads a migration file name. It reports false for a name that fits no
// scheme.
func parseMigrationName(base string) (migName, bool) {
	if m := upDownName.FindStringSubmatch(base); m != nil {
		n := migName{format: tandem.FormatPlain, kind: migUp, version: m[2], desc: m[4]}
		if m[1] == "" && m[3] == "_" {
			n.format = tandem.FormatGolangMigrate
			if !popxSuffixes(&n) {
				return migName{}, false
			}
		} else if n.desc == "" {
			return migName{}, false
		}
		if m[5] == "down" {
			n.kind = migDown
		}
		return n, true
	}
	if m := flywayName.FindStringSubmatch(base); m != nil {
		n := migName{format: tandem.FormatFlyway, kind: migWhole, version: m[2], desc: m[3]}
		if m[1] == "U" {
			n.kind = migUndo
		}
		return n, true
	}
	if m := repeatableName.FindStringSubmatch(base); m != nil {
		return migName{format: tandem.FormatFlyway, kind: migRepeatable, desc: m[1]}, true
	}
	if m := gooseName.FindStringSubmatch(base); m != nil {
		return migName{format: tandem.FormatGoose, kind: migWhole, version: m[1], desc: m[2]}, true
	}
	return migName{}, false
}

// migFile is one migration file found in a folder.
type migFile struct {
	path string
	name migName
}

// migPair is the files of one version.
type migPair struct {
	up, down *migFile
}

// loadMigrationDir reads one folder of numbered migrations into l.project. Each version is one
// object of type tandem.Versioned; each Flyway R__ file one of type tandem.Repeatable.
func (l *loader) loadMigrationDir(dir string) {
	entries, err := fs.ReadDir(l.fsys, dir)
	if err != nil {
		l.readErr(dir, "read migration folder", err)
		return
	}
	var files []migFile
	var first *migFile
	atlas := hasAtlasSum(entries)
	for _, e := range entries {
		p := path.Join(dir, e.Name())
		base := e.Name()
		if e.IsDir() {
			if d, ok := l.dieselMigration(p, base); ok {
				files = append(files, d...)
				continue
			}
			// the other root folders of a tandem project are its schemas, warned about there
			if !quietDir(base) && (dir != "." || l.bare) {
				l.warnf("%s: folder skipped: a migration folder is read without its subfolders", p)
			}
			continue
		}
		switch strings.ToLower(path.Ext(base)) {
		case ".sql":
		case ".go":
			l.warnf("%s: skipped: Go migrations are not supported; write the migration in SQL", p)
			continue
		default:
			if !quietFile(base) && base != configFile && !(atlas && base == atlasSumFile) {
				l.warnf("%s: skipped: not an .sql migration", p)
			}
			continue
		}
		if !utf8.ValidString(base) {
			// the name cannot be read, so neither can its version
			l.errs.add(dir, 0, &NameError{Dir: dir, Name: base})
			continue
		}
		if ev, ok := parseCallbackName(base); ok {
			l.addCallback(p, ev)
			continue
		}
		n, ok := parseMigrationName(base)
		if atlas {
			n, ok = atlasName(base)
		}
		if !ok {
			l.errs.addf(p, 0, "%w: the name fits no migration naming scheme (%s); rename it or move it out of %s", ErrMigrationName, migrationSchemes, dirLabel(dir))
			continue
		}
		f := migFile{path: p, name: n}
		if first == nil {
			first = &f
		} else if scheme(n.format) != scheme(first.name.format) {
			l.errs.addf(p, 0, "%w: a %s file in a folder of %s migrations (first: %s); use one naming scheme per folder", ErrMigrationName, n.format, first.name.format, first.path)
			continue
		}
		files = append(files, f)
	}

	if atlas {
		l.checkAtlasSum(dir, entries)
	}
	if slices.ContainsFunc(files, func(f migFile) bool { return f.name.format == tandem.FormatPopx }) {
		for i := range files {
			files[i].name.format = tandem.FormatPopx
		}
	}
	versions := map[string]*migVersion{}
	var order []string
	for i := range files {
		f := &files[i]
		if f.name.kind == migRepeatable {
			l.addRepeatable(f)
			continue
		}
		id := versionIdentity(f.name.version)
		v := versions[id]
		if v == nil {
			v = &migVersion{}
			versions[id] = v
			order = append(order, id)
		}
		v.add(f, &l.errs)
	}
	for _, id := range order {
		l.addVersion(versions[id])
	}
}

// scheme is the naming scheme of a format: popx names are golang-migrate names with suffixes.
func scheme(f tandem.Format) tandem.Format {
	if f == tandem.FormatPopx {
		return tandem.FormatGolangMigrate
	}
	return f
}

// dirLabel names a migration folder in messages.
func dirLabel(dir string) string {
	if dir == "." {
		return "the project folder"
	}
	return dir
}

// addVersioned builds the object of one migration version (or of one database's variant of it,
// restricted by attrs).
func (l *loader) addVersioned(p *migPair, attrs tandem.Attrs) {
	n := p.up.name
	canon := canonicalVersion(n.version)
	key := tandem.Key("", tandem.Versioned, canon)
	obj := &tandem.Object{Key: key, Name: n.desc, File: p.up.path, Format: n.format, Version: n.version, Attrs: attrs}
	c := &tandem.Change{Object: key, Name: canon, File: p.up.path, Line: 1}
	c.Attrs.NoTransaction = n.autocommit
	obj.Changes = []*tandem.Change{c}
	data, ok := l.read(p.up.path)
	if !ok {
		return
	}
	switch {
	case n.format == tandem.FormatGoose && isDbmate(data):
		obj.Format = tandem.FormatDbmate
		parseDbmate(p.up.path, data, c, &l.errs)
	case n.format == tandem.FormatGoose:
		parseGoose(p.up.path, data, c, &l.errs)
	case n.format == tandem.FormatAtlas:
		parseAtlas(p.up.path, data, c, &l.errs)
	default:
		c.SQL, c.SQLLine = section(fileLines(data), 0, len(fileLines(data)))
	}
	if c.SQLLine == 0 {
		c.SQLLine = 1
	}
	if p.down != nil {
		if data, ok := l.read(p.down.path); ok {
			lines := fileLines(data)
			c.Rollback, c.RollbackLine = section(lines, 0, len(lines))
			c.RollbackFile, c.HasRollback = p.down.path, true
		}
	}
	l.project.Objects = append(l.project.Objects, obj)
}

// addRepeatable builds the object of a Flyway R__ file: stateless, rerun when edited.
func (l *loader) addRepeatable(f *migFile) {
	key := tandem.Key("", tandem.Repeatable, f.name.desc)
	if prev, ok := l.repeatables[key.Name]; ok {
		l.errs.addf(f.path, 0, "%w repeatable migration %q: %s has the same name; rename one", ErrDuplicate, f.name.desc, prev)
		return
	}
	l.repeatables[key.Name] = f.path
	data, ok := l.read(f.path)
	if !ok {
		return
	}
	lines := fileLines(data)
	c := &tandem.Change{Object: key, Name: key.Name, File: f.path, Line: 1}
	c.SQL, c.SQLLine = section(lines, 0, len(lines))
	if c.SQL == "" {
		l.errs.addf(f.path, 1, "the file has %w; write the repeatable migration's statements", ErrEmpty)
		c.SQLLine = 1
	}
	l.project.Objects = append(l.project.Objects, &tandem.Object{
		Key: key, Name: f.name.desc, File: f.path, Format: tandem.FormatFlyway, Changes: []*tandem.Change{c},
	})
}

// looksLikeMigrations reports whether a folder's entries include an .sql file named like a
// numbered migration.
func looksLikeMigrations(entries []fs.DirEntry) bool {
	for _, e := range entries {
		if e.IsDir() {
			continue
		}
		if _, ok := parseMigrationName(e.Name()); ok {
			return true
		}
	}
	return false
}
