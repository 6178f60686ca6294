package project

import (
	"cmp"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strings"

	"github.com/tandem-db/tandem"
)

// Options control Load. There are none yet; the struct keeps Load's signature stable when some
// are added.
type Options struct{}

// DefaultEnvironment is the name of the environment a project without any gets: its empty URL
// means the embedded SQLite database inside the project folder.
const DefaultEnvironment = "default"

// Load reads the project rooted at fsys. It reads nothing but fsys: no database, no network, no
// environment variables (URLs keep their ${VAR} references; see ExpandEnv). It follows no
// symbolic link out of fsys (see Confine): reading through one is an error naming the link.
//
// It recognises these layouts, in this order:
//
//   - An Obevo project: a file system-config.xml (or, failing that, the first
//     system-config*.xml) at the root.
//   - A sqitch project: sqitch.plan or sqitch.conf at the root (see sqitch.go).
//   - A Liquibase project: .sql files at the root that start with "--liquibase formatted sql"
//     (see liquibase.go).
//   - A bare folder of numbered migrations: no tandem.yaml and no schema folders, but .sql files
//     at the root named like goose, golang-migrate, popx, dbmate, Flyway or V0001.Name.up.sql
//     migrations, Diesel migration folders, or an atlas.sum. Its only migration folder is ".".
//   - A tandem project: an optional tandem.yaml, one folder per logical schema holding one
//     folder per object type (table/, view/, staticdata/, ...; see the package documentation),
//     and folders of numbered migrations.
//
// Objects come in load order (schemas as configured or found, type folders and files by name),
// followed by numbered migrations in version order (CompareVersions) and then repeatable ones by
// name. Things skipped that a user may care about are listed in Project.Warnings. Every problem
// in every file is reported: the error joins one *FileError per problem, sorted by file and line.
// A folder holding .sql files none of which is read is an error wrapping ErrNothingRead.
// A project without environments gets one named "default" with an empty URL.
func Load(fsys fs.FS, opts Options) (*tandem.Project, error) {
	fsys = Confine(fsys)
	p, err := loadLayout(fsys, opts)
	if err != nil {
		return nil, err
	}
	if p.Moves, err = LoadMoves(fsys); err != nil {
		return nil, err
	}
	return p, nil
}

// loadLayout reads the project's schema in whichever layout it is written.
func loadLayout(fsys fs.FS, opts Options) (*tandem.Project, error) {
	entries, err := fs.ReadDir(fsys, ".")
	if err != nil {
		return nil, fmt.Errorf("read the project folder: %w", err)
	}
	if cfg, others := obevoConfigFile(entries); cfg != "" {
		p, err := loadObevo(fsys, cfg)
		if err != nil {
			return nil, err
		}
		if len(others) > 0 {
			p.Warnings = append(p.Warnings, fmt.Sprintf("%s: read as the Obevo system config; %s not read", cfg, strings.Join(others, ", ")))
		}
		addDefaultEnvironment(&p.Config)
		return p, nil
	}

	l := &loader{fsys: fsys, versions: map[string]string{}, repeatables: map[string]string{}}
	hasConfig := slices.ContainsFunc(entries, func(e fs.DirEntry) bool { return e.Name() == configFile && !e.IsDir() })
	if !hasConfig && hasObevoMarkers(fsys) {
		// An Obevo project without its system config (Obevo's own test projects ship so):
		// the schemas are the folders that hold type folders.
		p, err := loadObevo(fsys, "")
		if err != nil {
			return nil, err
		}
		addDefaultEnvironment(&p.Config)
		return p, nil
	}
	if isSqitch(entries) {
		l.loadSqitch(hasConfig)
	} else if !l.hasSchemaFolder(entries) && isLiquibase(fsys, entries) {
		l.loadLiquibase(entries, hasConfig)
	} else if !hasConfig && !l.hasSchemaFolder(entries) && (looksLikeMigrations(entries) || l.hasDieselFolder(entries) || hasAtlasSum(entries)) {
		l.project.Config.MigrationDirs = []string{"."}
		l.bare = true
		l.loadMigrationDir(".")
	} else {
		l.loadTandem(entries, hasConfig)
	}
	addDefaultEnvironment(&l.project.Config)
	l.checkSomethingRead()
	if err := l.errs.err(); err != nil {
		return nil, err
	}
	sortMigrations(l.project.Objects)
	sortCallbacks(l.project.Callbacks)
	return &l.project, nil
}

// hasObevoMarkers reports whether some object file two folders down (<schema>/<type>/<file>)
// starts a line with Obevo's "//// CHANGE" or "//// METADATA" marker, which no other format
// writes.
func hasObevoMarkers(fsys fs.FS) bool {
	files, _ := fs.Glob(fsys, "*/*/*")
	for _, f := range files {
		data, err := fs.ReadFile(fsys, f)
		if err != nil {
			continue
		}
		for _, line := range strings.Split(string(data), "\n") {
			if strings.HasPrefix(line, "//// CHANGE") || strings.HasPrefix(line, "//// METADATA") {
				return true
			}
		}
	}
	return false
}

// loader holds the state of one Load.
type loader struct {
	fsys        fs.FS
	project     tandem.Project
	errs        errList
	versions    map[string]string // version identity -> file, across migration folders
	repeatables map[string]string // lower-case name -> file
	bare        bool              // the project is a bare folder of migrations
}

func (l *loader) warnf(format string, args ...any) {
	l.project.Warnings = append(l.project.Warnings, fmt.Sprintf(format, args...))
}

// read returns a file's content, recording an error when it cannot be read.
func (l *loader) read(p string) ([]byte, bool) {
	data, err := fs.ReadFile(l.fsys, p)
	if err != nil {
		l.readErr(p, "read", err)
		return nil, false
	}
	return data, true
}

// readErr records an error reading p. A link out of the project, or a name that is not UTF-8
// (on its folder), is reported as it is, since it names the link or the file and says what to
// do; other errors are prefixed with what was being done.
func (l *loader) readErr(p, doing string, err error) {
	var le *LinkError
	var ne *NameError
	switch {
	case errors.As(err, &le):
		l.errs.add(p, 0, le)
	case errors.As(err, &ne):
		l.errs.add(ne.Dir, 0, ne)
	default:
		l.errs.addf(p, 0, "%s: %w", doing, err)
	}
}

// obevoConfigFile returns the Obevo system config at the root: system-config.xml if present,
// else the first system-config*.xml by name; and the other candidates, which are not read.
func obevoConfigFile(entries []fs.DirEntry) (string, []string) {
	var found []string
	for _, e := range entries {
		n := e.Name()
		if !e.IsDir() && strings.HasPrefix(n, "system-config") && strings.HasSuffix(n, ".xml") {
			found = append(found, n)
		}
	}
	if len(found) == 0 {
		return "", nil
	}
	if i := slices.Index(found, "system-config.xml"); i > 0 {
		found[0], found[i] = found[i], found[0]
	}
	if len(found) == 1 {
		return found[0], nil
	}
	return found[0], found[1:]
}

func addDefaultEnvironment(c *tandem.Config) {
	if len(c.Environments) == 0 {
		c.Environments = []tandem.Environment{{Name: DefaultEnvironment}}
	}
}

// hasSchemaFolder reports whether any root folder holds a per-object type folder.
func (l *loader) hasSchemaFolder(entries []fs.DirEntry) bool {
	for _, e := range entries {
		if e.IsDir() && !quietDir(e.Name()) && l.holdsTypeFolder(e.Name()) {
			return true
		}
	}
	return false
}

func (l *loader) holdsTypeFolder(dir string) bool {
	entries, err := fs.ReadDir(l.fsys, dir)
	if err != nil {
		return false
	}
	for _, e := range entries {
		if _, ok := typeForFolder(e.Name()); ok && e.IsDir() {
			return true
		}
	}
	return false
}

// loadTandem reads a tandem project: tandem.yaml, the schema folders and the migration folders.
func (l *loader) loadTandem(entries []fs.DirEntry, hasConfig bool) {
	var lines configLines
	if hasConfig {
		if data, ok := l.read(configFile); ok {
			l.project.Config, lines = parseConfig(data, &l.errs)
		}
	}
	cfg := &l.project.Config

	if len(cfg.MigrationDirs) == 0 && !lines.migrationsSet {
		if slices.ContainsFunc(entries, func(e fs.DirEntry) bool { return e.IsDir() && e.Name() == "migrations" }) {
			cfg.MigrationDirs = []string{"migrations"}
		}
	}
	var migDirs []string
	for _, dir := range cfg.MigrationDirs {
		st, err := fs.Stat(l.fsys, dir)
		if le := (*LinkError)(nil); errors.As(err, &le) {
			l.errs.add(dir, 0, le)
			continue
		}
		if err != nil || !st.IsDir() {
			l.errs.addf(configFile, lines.migrations[dir], "%w: migration folder %q does not exist; create it or remove it from migrations", ErrConfig, dir)
			continue
		}
		migDirs = append(migDirs, dir)
	}
	isMigrationPath := func(name string) bool {
		for _, d := range cfg.MigrationDirs {
			if d == name || strings.HasPrefix(d, name+"/") {
				return true
			}
		}
		return false
	}

	// root folders by lower-case name, to match the configured schemas ignoring case
	folders := map[string]string{}
	for _, e := range entries {
		name := e.Name()
		if !e.IsDir() {
			if name == configFile || quietFile(name) || slices.Contains(cfg.MigrationDirs, ".") {
				continue
			}
			if _, _, ok := objectFile(tandem.StaticData, name); ok {
				l.warnf("%s: skipped: files at the project root are not read; put objects in <schema>/<type>/ folders", name)
			}
			continue
		}
		if quietDir(name) || isMigrationPath(name) {
			continue
		}
		if prev, ok := folders[strings.ToLower(name)]; ok {
			l.errs.addf(name, 0, "%w: folders %s and %s differ only in case; schema names ignore case, so merge them", ErrDuplicate, prev, name)
			continue
		}
		folders[strings.ToLower(name)] = name
	}

	if len(cfg.Schemas) > 0 {
		for _, s := range cfg.Schemas {
			if dir, ok := folders[strings.ToLower(s)]; ok {
				l.loadSchema(s, dir)
				delete(folders, strings.ToLower(s))
			}
		}
		for _, dir := range sortedValues(folders) {
			switch {
			case l.holdsTypeFolder(dir):
				l.warnf("%s: folder skipped: it is not listed in schemas in tandem.yaml", dir)
			case dir == movesFolder: // read by LoadMoves
			default:
				l.warnf("%s: folder skipped: not a schema or migration folder", dir)
			}
		}
	} else {
		for _, dir := range sortedValues(folders) {
			// any root folder may be a schema: one behind a link out of the project is refused,
			// not skipped, lest its objects go missing without a word
			if _, err := fs.Stat(l.fsys, dir); err != nil {
				if le := (*LinkError)(nil); errors.As(err, &le) {
					l.errs.add(dir, 0, le)
					continue
				}
			}
			_, isType := typeForFolder(dir)
			switch {
			case l.holdsTypeFolder(dir):
				cfg.Schemas = append(cfg.Schemas, dir)
				l.loadSchema(dir, dir)
			case dir == movesFolder: // read by LoadMoves
			case isType:
				l.warnf("%s: folder skipped: object folders go inside a schema folder, as <schema>/%s/", dir, dir)
			default:
				l.warnf("%s: folder skipped: not a schema folder (it holds no %s folder) nor a migration folder", dir, strings.ReplaceAll(knownFolders, ", ", "/, ")+"/")
			}
		}
	}
	l.checkDuplicates()
	for _, dir := range migDirs {
		l.loadMigrationDir(dir)
	}
	l.checkSchemaMaps(lines)
}

func sortedValues(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for _, v := range m {
		out = append(out, v)
	}
	slices.Sort(out)
	return out
}

// loadSchema reads the type folders of one schema folder.
func (l *loader) loadSchema(schema, dir string) {
	entries, err := fs.ReadDir(l.fsys, dir)
	if err != nil {
		l.readErr(dir, "read schema folder", err)
		return
	}
	for _, e := range entries {
		p := path.Join(dir, e.Name())
		if !e.IsDir() {
			if !quietFile(e.Name()) {
				l.warnf("%s: skipped: files directly in a schema folder are not read; put objects in a type folder (%s)", p, knownFolders)
			}
			continue
		}
		t, ok := typeForFolder(e.Name())
		if !ok {
			if !quietDir(e.Name()) {
				l.warnf("%s: unknown folder skipped (known: %s)", p, knownFolders)
			}
			continue
		}
		l.loadTypeFolder(schema, t, p)
	}
}

// loadTypeFolder reads the object files of one type folder.
func (l *loader) loadTypeFolder(schema string, t tandem.ObjectType, dir string) {
	entries, err := fs.ReadDir(l.fsys, dir)
	if err != nil {
		l.readErr(dir, "read folder", err)
		return
	}
	for _, e := range entries {
		p := path.Join(dir, e.Name())
		if e.IsDir() {
			if !quietDir(e.Name()) {
				l.warnf("%s: folder skipped: object folders are read without subfolders", p)
			}
			continue
		}
		name, csv, ok := objectFile(t, e.Name())
		if !ok {
			if !quietFile(e.Name()) {
				exts := ".sql, .ddl, .spc, .fnc, .prc or .trg"
				if t == tandem.StaticData {
					exts = ".csv or " + exts
				}
				l.warnf("%s: skipped: not an object file (%s)", p, exts)
			}
			continue
		}
		data, ok := l.read(p)
		if !ok {
			continue
		}
		obj := &tandem.Object{Key: tandem.Key(schema, t, name), Name: name, Schema: schema, File: p, Format: tandem.FormatNative}
		if csv {
			parseCSVObject(obj, data, &l.errs)
		} else {
			parseSQLObject(obj, data, &l.errs)
		}
		l.project.Objects = append(l.project.Objects, obj)
	}
}

// checkDuplicates reports two files for one object, unless their "-- tandem:object" attributes
// restrict them to different environments or dialects (the planner then picks by environment).
func (l *loader) checkDuplicates() {
	seen := map[tandem.ObjectKey][]*tandem.Object{}
	for _, o := range l.project.Objects {
		for _, prev := range seen[o.Key] {
			if restriction(prev.Attrs) == restriction(o.Attrs) {
				l.errs.addf(o.File, 0, "%w object %s: %s defines it too; keep one file, or restrict each to its own environments or dialects with \"-- tandem:object envs=...\"", ErrDuplicate, o.Key, prev.File)
				break
			}
		}
		seen[o.Key] = append(seen[o.Key], o)
	}
}

// checkSchemaMaps warns about environments that map a schema the project does not have, which
// is most likely a typo.
func (l *loader) checkSchemaMaps(lines configLines) {
	cfg := &l.project.Config
	for i, env := range cfg.Environments {
		keys := make([]string, 0, len(env.SchemaMap))
		for k := range env.SchemaMap {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			if !slices.ContainsFunc(cfg.Schemas, func(s string) bool { return strings.EqualFold(s, k) }) {
				line := 0
				if i < len(lines.envs) {
					line = lines.envs[i]
				}
				l.warnf("%s:%d: environment %s maps schema %q, which the project does not have (schemas: %s)", configFile, line, env.Name, k, strings.Join(cfg.Schemas, ", "))
			}
		}
	}
}

// sortMigrations puts numbered migrations in version order and repeatable ones after them by
// name, leaving per-object objects first in load order.
func sortMigrations(objs []*tandem.Object) {
	rank := func(o *tandem.Object) int {
		switch o.Key.Type {
		case tandem.Versioned:
			return 1
		case tandem.Repeatable:
			return 2
		}
		return 0
	}
	slices.SortStableFunc(objs, func(a, b *tandem.Object) int {
		ra, rb := rank(a), rank(b)
		if ra != rb || ra == 0 {
			return cmp.Compare(ra, rb)
		}
		if ra == 1 {
			return cmp.Or(CompareVersions(a.Version, b.Version), cmp.Compare(a.File, b.File))
		}
		return cmp.Compare(a.Key.Name, b.Key.Name)
	})
}
