package move

import (
	"errors"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strings"
)

// Catalog is every move file of a project: the definitions that parse, and apart from them the
// files that do not, so that one broken file never keeps the other moves from being used (a
// rollback must never wait for an unrelated file to be fixed).
type Catalog struct {
	// Defs are the definitions that parse, sorted by name.
	Defs []*Definition
	// Broken are the files that do not, sorted by name.
	Broken []*BrokenFile
}

// BrokenFile is a move file that cannot be used.
type BrokenFile struct {
	// Name is the move's name, from the file's name.
	Name string
	// File is the file's path in the project (moves/<name>.yaml).
	File string
	// Err holds every problem of the file: a *DefinitionError (file:line) or several joined
	// (errors.Join), or the error that kept the file from being read.
	Err error
}

// Problems lists the file's problems one by one, each with its line where known.
func (b *BrokenFile) Problems() []*DefinitionError {
	var out []*DefinitionError
	var walk func(error)
	walk = func(err error) {
		var de *DefinitionError
		switch j, ok := err.(interface{ Unwrap() []error }); {
		case ok:
			for _, e := range j.Unwrap() {
				walk(e)
			}
		case errors.As(err, &de):
			out = append(out, de)
		case err != nil:
			out = append(out, &DefinitionError{File: b.File, Msg: err.Error()})
		}
	}
	walk(b.Err)
	return out
}

// LoadCatalog reads every moves/*.yaml (and *.yml) of a project. A project without a moves
// folder has no moves. A file that does not parse, or that defines a move another file already
// defines (names compare case-insensitively), goes to Broken with every one of its problems.
// The error is for a moves folder that cannot be listed.
func LoadCatalog(fsys fs.FS) (*Catalog, error) {
	cat := &Catalog{}
	entries, err := fs.ReadDir(fsys, "moves")
	if errors.Is(err, fs.ErrNotExist) {
		return cat, nil
	}
	if err != nil {
		return nil, fmt.Errorf("move: read moves folder: %w", err)
	}
	seen := map[string]string{}
	for _, e := range entries {
		ext := path.Ext(e.Name())
		if e.IsDir() || (ext != ".yaml" && ext != ".yml") {
			continue
		}
		file := path.Join("moves", e.Name())
		name := strings.TrimSuffix(e.Name(), ext)
		data, err := fs.ReadFile(fsys, file)
		if err != nil {
			cat.Broken = append(cat.Broken, &BrokenFile{Name: name, File: file, Err: fmt.Errorf("move: read %s: %w", file, err)})
			continue
		}
		d, err := ParseDefinition(file, data)
		if err != nil {
			cat.Broken = append(cat.Broken, &BrokenFile{Name: name, File: file, Err: err})
			continue
		}
		if prev, ok := seen[strings.ToLower(d.Name)]; ok {
			cat.Broken = append(cat.Broken, &BrokenFile{Name: d.Name, File: file,
				Err: &DefinitionError{File: file, Msg: fmt.Sprintf("move %q is also defined in %s; rename one file", d.Name, prev)}})
			continue
		}
		seen[strings.ToLower(d.Name)] = file
		cat.Defs = append(cat.Defs, d)
	}
	sort.Slice(cat.Defs, func(i, j int) bool { return cat.Defs[i].Name < cat.Defs[j].Name })
	sort.SliceStable(cat.Broken, func(i, j int) bool { return cat.Broken[i].Name < cat.Broken[j].Name })
	return cat, nil
}

// Lookup finds the move named name. It returns the broken file instead when a file of that name
// (compared case-insensitively, as files that define the same move are) does not parse, and
// neither when the project has no such move.
func (c *Catalog) Lookup(name string) (*Definition, *BrokenFile) {
	for _, b := range c.Broken {
		if strings.EqualFold(b.Name, name) {
			return nil, b
		}
	}
	for _, d := range c.Defs {
		if d.Name == name {
			return d, nil
		}
	}
	return nil, nil
}

// Names lists every move of the catalog, usable or not, sorted.
func (c *Catalog) Names() []string {
	out := make([]string, 0, len(c.Defs)+len(c.Broken))
	for _, d := range c.Defs {
		out = append(out, d.Name)
	}
	for _, b := range c.Broken {
		out = append(out, b.Name)
	}
	sort.Strings(out)
	return out
}
