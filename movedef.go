package tandem

import (
	"sort"
	"strings"
	"time"
)

// MoveDefinition is an online table move as written in the project, in moves/<name>.yaml
// (project.Load reads them into Project.Moves):
//
//	from: {schema: public, table: users}       # A; env: or url: name another database
//	to:   {schema: public, table: accounts}    # B
//	key: [id]                                  # B's primary key
//	mapping:                                   # each B column from an SQL expression over A's columns
//	  id: id
//	  full_name: first_name || ' ' || last_name
//	  email: lower(email)
//	reverse:                                   # optional: each A column from B's columns
//	  id: id
//	batch: {size: 1000, target: 250ms, max_rows: 0, workers: 1}
//	throttle: {max_replica_lag: 10s, max_active_sessions: 50, check: "SELECT ...", polite: true, nice: 1}
//	store: sql                                 # or redis://host:6379/0
type MoveDefinition struct {
	Name string
	// File is the definition's path inside the project (moves/<name>.yaml), for messages.
	File string
	From MoveTable // A
	To   MoveTable // B
	// Key lists B's primary key columns. Each is copied from the A column of the same position
	// in KeyFrom.
	Key []string
	// KeyFrom lists the A columns that hold the key, in Key's order. When key_from is not
	// written, each key column's mapping must be a bare A column, which is taken.
	KeyFrom []string
	// KeyLine is the line of the key entry.
	KeyLine int
	// Mapping gives each B column from an SQL expression over A's columns, in file order.
	Mapping []ColumnMap
	// Reverse gives each A column from an expression over B's columns; it is needed to roll
	// back from write-b. Empty when the file has none.
	Reverse []ColumnMap
	Batch   MoveBatchSettings
	// Workers is how many parts of the backfill one process copies at once, each on its own
	// connection (batch.workers; default 1). The backfill's --workers flag overrides it.
	Workers  int
	Throttle MoveThrottleSettings
	// Store is "sql" (the default: a table in B's database) or a redis:// URL.
	Store string
}

// MapFor returns the mapping entry of B column col (case-insensitive), or nil.
func (d *MoveDefinition) MapFor(col string) *ColumnMap {
	for i := range d.Mapping {
		if strings.EqualFold(d.Mapping[i].Column, col) {
			return &d.Mapping[i]
		}
	}
	return nil
}

// MoveTable is one end of a move as written.
type MoveTable struct {
	// Env is an environment name in tandem.yaml; empty means the deploying environment.
	Env string
	// URL is an explicit database URL, instead of Env.
	URL    string
	Schema string
	Name   string
	Line   int
}

// String renders schema.name, or name.
func (t MoveTable) String() string {
	if t.Schema == "" {
		return t.Name
	}
	return t.Schema + "." + t.Name
}

// ColumnMap is one entry of a move's mapping: Column (of the target) = Expr (over the source).
type ColumnMap struct {
	Column, Expr string
	Line         int
}

// MoveBatchSettings steer a move's backfill batches.
type MoveBatchSettings struct {
	// Size is the first batch size in rows (default 1000); it adapts to Target.
	Size int
	// Target is the batch time the size adapts to (default 250ms).
	Target time.Duration
	// MaxRows caps the copy rate in rows per second; 0 means unlimited.
	MaxRows int
}

// MoveThrottleSettings say when a move's backfill pauses between batches.
type MoveThrottleSettings struct {
	// MaxReplicaLag pauses while a replica of B's database lags by more; 0 disables.
	MaxReplicaLag time.Duration
	// MaxActiveSessions pauses while A's database has more active sessions; 0 disables.
	MaxActiveSessions int
	// Check is an SQL query run on A's database that returns one boolean: true means pause.
	Check     string
	CheckLine int
	// Polite (default true) makes each batch wait only briefly for row locks held by the
	// application, and back off and retry with a smaller batch instead.
	Polite bool
	// Nice is how long the backfill rests after each batch, as a multiple of the batch's
	// time: 1 (the default when polite) leaves the database alone half of the time, 0 (the
	// default when not polite) never rests.
	Nice float64
}

// Defaults applied to a move definition when the file does not set them.
const (
	DefaultMoveBatchSize   = 1000
	DefaultMoveBatchTarget = 250 * time.Millisecond
	DefaultMoveNice        = 1.0
	// MaxMoveWorkers is the most parts a backfill is split into, and so the most workers
	// (batch.workers) a move may ask for.
	MaxMoveWorkers = 64
)

// MoveCatalog is every move file of a project: the definitions that parse, and apart from them
// the files that do not, so that one broken file never keeps the other moves from being used (a
// rollback must never wait for an unrelated file to be fixed).
type MoveCatalog struct {
	// Defs are the definitions that parse, sorted by name.
	Defs []*MoveDefinition
	// Broken are the files that do not, sorted by name.
	Broken []*BrokenMove
}

// BrokenMove is a move file that cannot be used.
type BrokenMove struct {
	// Name is the move's name, from the file's name.
	Name string
	// File is the file's path in the project (moves/<name>.yaml).
	File string
	// Err holds every problem of the file, each reaching a *project.FileError (file:line),
	// joined (errors.Join), or the error that kept the file from being read.
	Err error
}

// Lookup finds the move named name. It returns the broken file instead when a file of that name
// (compared case-insensitively, as files that define the same move are) does not parse, and
// neither when the project has no such move.
func (c *MoveCatalog) Lookup(name string) (*MoveDefinition, *BrokenMove) {
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
func (c *MoveCatalog) Names() []string {
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
