package project

import (
	"bytes"
	"cmp"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strings"

	"github.com/tandem-db/tandem"
)

// loadObevo reads an Obevo project: the system config configFile at the root of fsys (for
// example "system-config.xml"), and one folder per logical schema holding one folder per object
// type (table, view, sp, function, sequence, usertype, staticdata, migration, trigger).
//
// When configFile is empty there is no system config: the schemas are the root folders that
// hold at least one object type folder, in name order, and there are no environments.
//
// Every object gets Format tandem.FormatObevo. Folders tandem does not know (such as a
// "function_notyet" kept aside) and root folders that are not declared schemas are skipped
// with a warning in Project.Warnings. Errors are *FileError values carrying file:line; all
// errors of a load are returned together (errors.Join), sorted by file and line.
func loadObevo(fsys fs.FS, configFile string) (*tandem.Project, error) {
	l := &obevoLoader{fsys: fsys}
	if configFile != "" {
		data, err := fs.ReadFile(fsys, configFile)
		if err != nil {
			return nil, fmt.Errorf("read Obevo system config: %w", err)
		}
		cfg, opt, warnings, err := parseObevoConfig(configFile, data)
		if err != nil {
			return nil, err
		}
		l.project.Config = cfg
		l.csv = opt
		l.project.Warnings = append(l.project.Warnings, warnings...)
	}
	if err := l.loadSchemas(configFile == ""); err != nil {
		return nil, err
	}
	if len(l.errs) > 0 {
		slices.SortStableFunc(l.errs, func(a, b error) int {
			var fa, fb *FileError
			errors.As(a, &fa)
			errors.As(b, &fb)
			if fa == nil || fb == nil {
				return 0
			}
			return cmp.Or(cmp.Compare(fa.File, fb.File), cmp.Compare(fa.Line, fb.Line))
		})
		return nil, errors.Join(l.errs...)
	}
	return &l.project, nil
}

// obevoLoader holds the state of one loadObevo call.
type obevoLoader struct {
	fsys    fs.FS
	project tandem.Project
	csv     csvOptions
	errs    []error
}

// readErr records an error reading p: a link out of the project or a name that is not UTF-8 as
// it is (it names the link or the file and says what to do), another error with what was being
// done.
func (l *obevoLoader) readErr(p, doing string, err error) {
	var le *LinkError
	var ne *NameError
	switch {
	case errors.As(err, &le):
		l.errs = append(l.errs, &FileError{File: p, Err: le})
	case errors.As(err, &ne):
		l.errs = append(l.errs, &FileError{File: ne.Dir, Err: ne})
	default:
		l.errs = append(l.errs, fmt.Errorf("%s %s: %w", doing, p, err))
	}
}

func (l *obevoLoader) warnf(format string, args ...any) {
	l.project.Warnings = append(l.project.Warnings, fmt.Sprintf(format, args...))
}

// loadSchemas walks the root folders. With infer set, every root folder that holds an object
// type folder is a schema.
func (l *obevoLoader) loadSchemas(infer bool) error {
	entries, err := fs.ReadDir(l.fsys, ".")
	if err != nil {
		return fmt.Errorf("read Obevo project root: %w", err)
	}
	found := map[string]string{} // declared schema -> folder
	for _, e := range entries {
		if !e.IsDir() || obevoHidden(e.Name()) {
			continue
		}
		if infer {
			if l.holdsTypeFolder(e.Name()) {
				l.project.Config.Schemas = append(l.project.Config.Schemas, e.Name())
				found[e.Name()] = e.Name()
			}
			continue
		}
		s := canonicalSchema(l.project.Config.Schemas, e.Name())
		if s == "" {
			l.warnf("%s: folder is not a schema declared in the Obevo system config (%s); skipped", e.Name(), strings.Join(l.project.Config.Schemas, ", "))
			continue
		}
		found[s] = e.Name()
	}
	for _, s := range l.project.Config.Schemas {
		if dir, ok := found[s]; ok {
			l.loadSchema(s, dir)
		}
	}
	return nil
}

func (l *obevoLoader) holdsTypeFolder(dir string) bool {
	entries, err := fs.ReadDir(l.fsys, dir)
	if err != nil {
		return false
	}
	for _, e := range entries {
		if _, ok := obevoFolderType(e.Name()); ok && e.IsDir() {
			return true
		}
	}
	return false
}

// loadSchema reads the type folders of one schema folder.
func (l *obevoLoader) loadSchema(schema, dir string) {
	entries, err := fs.ReadDir(l.fsys, dir)
	if err != nil {
		l.readErr(dir, "read schema folder", err)
		return
	}
	for _, e := range entries {
		name := e.Name()
		if obevoHidden(name) {
			continue
		}
		p := path.Join(dir, name)
		if !e.IsDir() {
			l.warnf("%s: file outside an object type folder; skipped (put it in table/, view/, ...)", p)
			continue
		}
		typ, ok := obevoFolderType(name)
		if !ok {
			l.warnf("%s: unknown object type folder; skipped (tandem reads %s)", p, knownFolders)
			continue
		}
		l.loadTypeFolder(schema, typ, p)
	}
}

// loadTypeFolder reads the files of one object type folder and its subfolders. A folder's
// package-info.txt gives default METADATA to the files directly in that folder (not to its
// subfolders, as in Obevo).
func (l *obevoLoader) loadTypeFolder(schema string, typ tandem.ObjectType, dir string) {
	entries, err := fs.ReadDir(l.fsys, dir)
	if err != nil {
		l.readErr(dir, "read folder", err)
		return
	}
	var pkg *obevoMarker
	for _, e := range entries {
		if !e.IsDir() && e.Name() == "package-info.txt" {
			pkg = l.packageInfo(path.Join(dir, e.Name()))
		}
	}
	for _, e := range entries {
		name := e.Name()
		p := path.Join(dir, name)
		switch {
		case obevoHidden(name) || strings.HasPrefix(name, "package-info"):
		case e.IsDir():
			l.loadTypeFolder(schema, typ, p)
		case strings.HasSuffix(name, OnboardingErrorSuffix):
			l.warnf("%s: error of the last onboarding deploy; not deployed", p)
		case strings.Contains(name, ".baseline."):
			l.warnf("%s: Obevo baseline file; skipped (tandem deploys the changes file)", p)
		default:
			data, err := fs.ReadFile(l.fsys, p)
			if err != nil {
				l.readErr(p, "read", err)
				continue
			}
			l.loadFile(schema, typ, p, bytes.TrimPrefix(data, utf8BOM), pkg)
		}
	}
}

// OnboardingErrorSuffix ends the name of the file an onboarding deploy writes beside a file it
// moved into exceptions/ or dependentOnExceptions/ (TABLE_C.ddl.exception), holding the error,
// as Obevo does. The loader reads the moved file, in either folder, as the same object.
const OnboardingErrorSuffix = ".exception"

// packageInfo reads a package-info.txt: its METADATA line, and Obevo's "sourceEncodings"
// properties, which tandem does not support (every file is read as UTF-8).
func (l *obevoLoader) packageInfo(p string) *obevoMarker {
	data, err := fs.ReadFile(l.fsys, p)
	if err != nil {
		l.readErr(p, "read", err)
		return nil
	}
	var meta *obevoMarker
	for i, line := range splitLines(string(bytes.TrimPrefix(data, utf8BOM))) {
		m, ok, err := parseMarker(line, i+1)
		switch {
		case err != nil:
			l.errs = append(l.errs, lineErr(p, i+1, "%v", err))
		case ok && m.Section == obevoMetadata:
			if meta != nil {
				l.errs = append(l.errs, lineErr(p, i+1, "second //// METADATA line; merge it into the one on line %d", meta.Line))
				continue
			}
			meta = m
		case ok:
			l.errs = append(l.errs, lineErr(p, i+1, "//// %s does not belong in package-info.txt; it holds only a //// METADATA line", m.Section))
		case strings.HasPrefix(strings.TrimSpace(line), "sourceEncodings"):
			l.warnf("%s:%d: sourceEncodings is not supported; tandem reads every file as UTF-8", p, i+1)
		}
	}
	return meta
}

// loadFile reads one object file and adds its object.
func (l *obevoLoader) loadFile(schema string, typ tandem.ObjectType, p string, data []byte, pkg *obevoMarker) {
	base := path.Base(p)
	name, _, _ := strings.Cut(base, ".") // never empty: dot files are skipped as hidden
	o := &tandem.Object{
		Key:    tandem.Key(schema, typ, name),
		Name:   name,
		Schema: schema,
		File:   p,
		Format: tandem.FormatObevo,
	}
	f := &obevoFile{loader: l, path: p, schemas: l.project.Config.Schemas}
	var ok bool
	switch {
	case typ == tandem.StaticData && strings.EqualFold(path.Ext(base), ".csv"):
		ok = f.buildCSV(o, data, pkg, l.csv)
	case typ.Stateful():
		ok = f.buildStateful(o, string(data), pkg)
	default:
		ok = f.buildStateless(o, string(data), pkg)
	}
	l.errs = append(l.errs, f.errs...)
	if ok {
		l.project.Objects = append(l.project.Objects, o)
	}
}

// obevoFolderType maps a folder name to an object type. Obevo folders that PostgreSQL, MySQL
// and SQLite have no use for (Sybase rules and defaults, Oracle packages and synonyms) are
// unknown, like any other folder.
func obevoFolderType(name string) (tandem.ObjectType, bool) { return typeForFolder(name) }

// obevoHidden reports files that version control and editors leave behind.
func obevoHidden(name string) bool {
	return strings.HasPrefix(name, ".") || strings.HasSuffix(name, "~")
}
