package project

import (
	"io/fs"
	"path"
	"regexp"
	"strings"

	"github.com/tandem-db/tandem"
)

// dieselDirName is a Diesel migration folder: "2019-02-26-002946_create_users" or
// "00000000000000_diesel_initial_setup".
var dieselDirName = regexp.MustCompile(`^([0-9]+(?:-[0-9]+)*)_(.+)$`)

// dieselMigration reads a folder of a migration folder as a Diesel migration when it is named
// like one and holds up.sql: its up.sql and down.sql become an up/down pair, and metadata.toml's
// "run_in_transaction = false" runs it without a transaction. The version is the name up to the
// first "_" with its dashes removed, as Diesel records it ("20190226002946"), so that dashed and
// undashed versions sort by time.
func (l *loader) dieselMigration(dir, base string) ([]migFile, bool) {
	m := dieselDirName.FindStringSubmatch(base)
	if m == nil {
		return nil, false
	}
	entries, err := fs.ReadDir(l.fsys, dir)
	if err != nil || !hasFile(entries, "up.sql") {
		return nil, false
	}
	n := migName{format: tandem.FormatDiesel, kind: migUp, version: strings.ReplaceAll(m[1], "-", ""), desc: m[2]}
	up := migFile{path: path.Join(dir, "up.sql"), name: n}
	var down *migFile
	for _, e := range entries {
		p := path.Join(dir, e.Name())
		switch {
		case e.Name() == "up.sql":
		case e.Name() == "down.sql" && !e.IsDir():
			dn := n
			dn.kind = migDown
			down = &migFile{path: p, name: dn}
		case e.Name() == "metadata.toml" && !e.IsDir():
			up.name.autocommit = l.dieselMetadata(p)
		case e.IsDir() && !quietDir(e.Name()):
			l.warnf("%s: folder skipped: a Diesel migration is its up.sql, down.sql and metadata.toml", p)
		case !e.IsDir() && !quietFile(e.Name()):
			l.warnf("%s: skipped: a Diesel migration is its up.sql, down.sql and metadata.toml", p)
		}
	}
	if down == nil {
		return []migFile{up}, true
	}
	return []migFile{up, *down}, true
}

// dieselMetadata reads a Diesel metadata.toml and reports whether it says
// "run_in_transaction = false". Diesel knows no other key; one is reported rather than ignored.
func (l *loader) dieselMetadata(p string) (noTransaction bool) {
	data, ok := l.read(p)
	if !ok {
		return false
	}
	for i, ln := range fileLines(data) {
		s := strings.TrimSpace(ln)
		if s == "" || strings.HasPrefix(s, "#") {
			continue
		}
		key, value, found := strings.Cut(s, "=")
		key, value = strings.TrimSpace(key), strings.TrimSpace(value)
		if v, _, ok := strings.Cut(value, "#"); ok {
			value = strings.TrimSpace(v)
		}
		switch {
		case !found:
			l.errs.addf(p, i+1, "%w: not a \"key = value\" line; Diesel's metadata.toml holds run_in_transaction = true or false", ErrConfig)
		case key != "run_in_transaction":
			l.errs.addf(p, i+1, "%w: unknown key %q (Diesel's metadata.toml knows run_in_transaction)", ErrConfig, key)
		case value == "false":
			noTransaction = true
		case value != "true":
			l.errs.addf(p, i+1, "%w: run_in_transaction = %s; write true or false", ErrConfig, value)
		}
	}
	return noTransaction
}

func hasFile(entries []fs.DirEntry, name string) bool {
	for _, e := range entries {
		if e.Name() == name && !e.IsDir() {
			return true
		}
	}
	return false
}
