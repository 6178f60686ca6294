package tandem

import (
	"path"
	"strings"
)

// Project is everything read from a project folder: its configuration and its objects.
type Project struct {
	Config  Config
	Objects []*Object
	// Callbacks are scripts run at points of a deploy (Flyway's beforeMigrate.sql, ...), in
	// file name order within each event.
	Callbacks []Callback
	// Moves are the project's online table moves (moves/*.yaml), usable or not.
	Moves MoveCatalog
	// Warnings are things worth telling a user that do not stop a deploy, such as an unknown folder
	// that was skipped.
	Warnings []string
}

// Object returns the object with the given key, or nil.
func (p *Project) Object(k ObjectKey) *Object {
	for _, o := range p.Objects {
		if o.Key == k {
			return o
		}
	}
	return nil
}

// Config is the project's tandem.yaml (or, for an Obevo project, its system-config.xml).
type Config struct {
	// Schemas lists the logical schemas in the project, in the order they were declared.
	Schemas []string
	// Environments are the named targets a project deploys to.
	Environments []Environment
	// MigrationDirs are folders of numbered migrations, relative to the project root.
	MigrationDirs []string
}

// Environment is one named deployment target.
type Environment struct {
	Name string
	// URL is the database to deploy to, after ${VAR} expansion: postgres://, mysql:// or
	// sqlite://path. Empty means the embedded default: an SQLite file inside the project folder.
	URL string
	// SchemaMap maps logical schema names to physical ones; a schema not listed keeps its name.
	SchemaMap map[string]string
	// Tokens are replaced in SQL where written as ${name}. In tandem.yaml a value may itself
	// read environment variables as ${VAR}; the CLI expands them (project.ExpandTokens) when it
	// picks the environment, as it expands the URL.
	Tokens map[string]string
	// AllowClean permits the clean command, which drops every managed object.
	AllowClean bool
	// HistorySchema is the physical schema that holds tandem's history tables; empty means the
	// database's default schema.
	HistorySchema string
	// LockTimeout, when set, overrides how long each statement waits for a table lock (PostgreSQL
	// lock_timeout), in Go duration syntax ("5s").
	LockTimeout string
	// OutOfOrder permits numbered migrations whose version is below the highest version deployed
	// (Flyway's outOfOrder). Without it, a plan reports such a migration as a problem, since it
	// most often comes from a merge whose migration was numbered before another branch's.
	OutOfOrder bool
}

// PhysicalSchema maps a logical schema name to the physical one in this environment.
func (e *Environment) PhysicalSchema(logical string) string {
	for k, v := range e.SchemaMap {
		if strings.EqualFold(k, logical) {
			return v
		}
	}
	return logical
}

// Environment returns the environment with the given name (case-insensitive), or nil.
func (c *Config) Environment(name string) *Environment {
	for i := range c.Environments {
		if strings.EqualFold(c.Environments[i].Name, name) {
			return &c.Environments[i]
		}
	}
	return nil
}

// Applies reports whether attributes restrict a change to environments and dialects that include
// env and dialect. Patterns use path.Match syntax and are matched case-insensitively.
func (a *Attrs) Applies(env, dialect string) bool {
	return matchList(a.IncludeEnvs, a.ExcludeEnvs, env) && matchList(a.IncludeDialects, a.ExcludeDialects, dialect)
}

func matchList(include, exclude []string, name string) bool {
	name = strings.ToLower(name)
	match := func(pats []string) bool {
		for _, p := range pats {
			if ok, _ := path.Match(strings.ToLower(p), name); ok {
				return true
			}
		}
		return false
	}
	if len(include) > 0 && !match(include) {
		return false
	}
	return !match(exclude)
}
