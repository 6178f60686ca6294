package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/tandem-db/tandem"
	"github.com/tandem-db/tandem/internal/dburl"
)

// errNoProject is returned by checkProject for a folder in which tandem found nothing to read.
var errNoProject = errors.New("no project")

// checkProject refuses a folder that holds no project: no tandem.yaml, no Obevo
// system-config.xml and no object or migration tandem can read. Without it, status would say
// "Up to date." about an empty folder, and the embedded database would be created in it.
func checkProject(dir string, p *tandem.Project) error {
	if len(p.Objects) > 0 || len(p.Config.Schemas) > 0 {
		return nil
	}
	if _, err := os.Stat(filepath.Join(dir, "tandem.yaml")); err == nil {
		return nil
	}
	if m, _ := filepath.Glob(filepath.Join(dir, "system-config*.xml")); len(m) > 0 {
		return nil
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		abs = dir
	}
	return fmt.Errorf("%w in %s: tandem looked for a tandem.yaml, schema folders (such as app/table/*.sql), numbered migrations (such as 001_create_users.sql) and an Obevo system-config.xml, and found none; run \"tandem init %s\" to create a project there, or pass --project DIR to name the project folder",
		errNoProject, abs, dir)
}

// readOnly reports whether a command only reads the database: such a command never creates
// the embedded database file (.tandem/<env>.db), and reads an empty database when it does not exist yet.
func readOnly(command string) bool {
	switch command {
	case "plan", "status", "history", "graph":
		return true
	}
	return false
}

// emptyEmbedded turns the URL of an embedded database file that does not exist yet into an
// empty in-memory database of the same name, so that plan and status report what a first
// deploy would do without creating the file (deploy creates it).
func emptyEmbedded(u dburl.URL) dburl.URL {
	_, params, _ := strings.Cut(u.DSN, "?")
	u.DSN = "file:" + filepath.ToSlash(u.Database) + "?mode=memory&cache=shared"
	if params != "" {
		u.DSN += "&" + params
	}
	return u
}
