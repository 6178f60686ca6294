package project

import (
	"fmt"
	"io/fs"
	"path"
	"strings"

	"github.com/tandem-db/tandem"
)

// Layouts lists the layouts Load reads, for messages about a folder it cannot read.
const Layouts = "a tandem project (<schema>/<type>/*.sql, migrations/); an Obevo project (system-config.xml); " +
	"a folder of goose, golang-migrate, Flyway or V0001.Name.up.sql migrations; " +
	"Ory popx files (1_x[.postgres|.mysql|.sqlite3|.cockroach][.autocommit].up.sql); " +
	"Diesel folders (<version>_x/up.sql, down.sql); dbmate files (-- migrate:up); " +
	"an Atlas directory (atlas.sum beside 1_x.sql); a sqitch project (sqitch.plan); " +
	"Liquibase formatted SQL (--liquibase formatted sql)"

// movesFolder holds the definitions of online table moves, which the move commands read
// (LoadMoves); Load leaves it alone without a warning.
const movesFolder = "moves"

// unreadShown is how many unread files the nothing-read error names before "and N more".
const unreadShown = 5

// unreadWalkLimit bounds the search for .sql files, so that a --project pointed at a large tree
// by mistake answers at once.
const unreadWalkLimit = 20000

// checkSomethingRead refuses a project that read nothing although its folder holds .sql files:
// loading it as empty would make deploy report "up to date" and write history tables for a
// project whose migrations were all skipped (a layout tandem does not read, subfolders of a
// migration folder, a stray file at the root).
func (l *loader) checkSomethingRead() {
	if len(l.project.Objects) > 0 || len(l.project.Callbacks) > 0 || len(l.errs.errs) > 0 {
		return
	}
	files := sqlFiles(l.fsys)
	if len(files) == 0 {
		return
	}
	shown := files
	more := ""
	if len(files) > unreadShown {
		shown = files[:unreadShown]
		more = fmt.Sprintf(" and %d more", len(files)-unreadShown)
	}
	l.errs.addPositioned("", 0, tandem.WithHint(fmt.Errorf("%w: the folder holds %d .sql files and none is in a layout tandem reads (skipped: %s%s); tandem reads %s",
		ErrNothingRead, len(files), strings.Join(shown, ", "), more, Layouts),
		tandem.Hint{Code: tandem.HintProjectFolder, Text: "give the folder of a project in one of these layouts"}))
}

// sqlFiles returns the .sql files under fsys in walk order, leaving out hidden and "_" folders.
func sqlFiles(fsys fs.FS) []string {
	var out []string
	seen := 0
	_ = fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if seen++; seen > unreadWalkLimit {
			return fs.SkipAll
		}
		if err != nil {
			return nil // an unreadable folder: what it holds is unknown, not unread
		}
		if d.IsDir() {
			if p != "." && quietDir(d.Name()) {
				return fs.SkipDir
			}
			return nil
		}
		if strings.EqualFold(path.Ext(d.Name()), ".sql") {
			out = append(out, p)
		}
		return nil
	})
	return out
}

// hasDieselFolder reports whether a folder holds a Diesel migration folder
// (<version>_<name>/up.sql).
func (l *loader) hasDieselFolder(entries []fs.DirEntry) bool {
	for _, e := range entries {
		if e.IsDir() && dieselDirName.MatchString(e.Name()) {
			if sub, err := fs.ReadDir(l.fsys, e.Name()); err == nil && hasFile(sub, "up.sql") {
				return true
			}
		}
	}
	return false
}

// SkippedWarning reports whether a warning of Project.Warnings is about a file or folder that was
// not read, which the CLI prints even without -v: a skipped migration is never silent.
func SkippedWarning(w string) bool { return strings.Contains(w, "skipped") }
