package project

import (
	"errors"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strings"

	"github.com/tandem-db/tandem"
)

// LoadMoves reads every moves/*.yaml (and *.yml) of a project; Load does so too, into
// Project.Moves, and the move commands call it alone so that a project whose SQL does not load
// can still roll a move back. A project without a moves folder has no moves. A file that does
// not parse, or that defines a move another file already defines (names compare
// case-insensitively), goes to Broken with every one of its problems. The error is for a moves
// folder that cannot be listed.
func LoadMoves(fsys fs.FS) (tandem.MoveCatalog, error) {
	var cat tandem.MoveCatalog
	entries, err := fs.ReadDir(fsys, movesFolder)
	if errors.Is(err, fs.ErrNotExist) {
		return cat, nil
	}
	if err != nil {
		return cat, fmt.Errorf("read moves folder: %w", err)
	}
	seen := map[string]string{}
	for _, e := range entries {
		ext := path.Ext(e.Name())
		if e.IsDir() || (ext != ".yaml" && ext != ".yml") {
			continue
		}
		file := path.Join(movesFolder, e.Name())
		name := strings.TrimSuffix(e.Name(), ext)
		data, err := fs.ReadFile(fsys, file)
		if err != nil {
			cat.Broken = append(cat.Broken, &tandem.BrokenMove{Name: name, File: file, Err: fmt.Errorf("read %s: %w", file, err)})
			continue
		}
		d, err := ParseMove(file, data)
		if err != nil {
			cat.Broken = append(cat.Broken, &tandem.BrokenMove{Name: name, File: file, Err: err})
			continue
		}
		if prev, ok := seen[strings.ToLower(d.Name)]; ok {
			cat.Broken = append(cat.Broken, &tandem.BrokenMove{Name: d.Name, File: file,
				Err: moveError(file, 0, fmt.Sprintf("move %q is also defined in %s; rename one file", d.Name, prev))})
			continue
		}
		seen[strings.ToLower(d.Name)] = file
		cat.Defs = append(cat.Defs, d)
	}
	sort.Slice(cat.Defs, func(i, j int) bool { return cat.Defs[i].Name < cat.Defs[j].Name })
	sort.SliceStable(cat.Broken, func(i, j int) bool { return cat.Broken[i].Name < cat.Broken[j].Name })
	return cat, nil
}

// LoadMoveDefinitions reads every move file of a project, as LoadMoves does, sorted by name,
// but fails when any file is broken: every problem of every file is reported, each reaching a
// *FileError with file:line. A program that must go on with the other moves uses LoadMoves.
func LoadMoveDefinitions(fsys fs.FS) ([]*tandem.MoveDefinition, error) {
	cat, err := LoadMoves(fsys)
	if err != nil {
		return nil, err
	}
	if len(cat.Broken) > 0 {
		errs := make([]error, len(cat.Broken))
		for i, b := range cat.Broken {
			errs[i] = b.Err
		}
		return nil, errors.Join(errs...)
	}
	return cat.Defs, nil
}

// MoveProblems lists a broken move file's problems one by one, each with its line where known.
func MoveProblems(b *tandem.BrokenMove) []*FileError {
	var out []*FileError
	var walk func(error)
	walk = func(err error) {
		var fe *FileError
		switch j, ok := err.(interface{ Unwrap() []error }); {
		case ok:
			for _, e := range j.Unwrap() {
				walk(e)
			}
		case errors.As(err, &fe):
			out = append(out, fe)
		case err != nil:
			out = append(out, &FileError{File: b.File, Err: err})
		}
	}
	walk(b.Err)
	return out
}
