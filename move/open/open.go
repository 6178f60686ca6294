// Package open puts a move together from a project: it opens both tables' databases through
// an opener the program supplies (which knows the drivers and dialects), finds each table's
// schema, opens the switch store and returns the move with its coordinator. tandem move and an
// application (examples/service) open their moves with it alike.
//
// It imports no driver and no dialect: Options.Open is the only way to a database.
package open

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/tandem-db/tandem"
	"github.com/tandem-db/tandem/internal/dburl"
	"github.com/tandem-db/tandem/move"
	"github.com/tandem-db/tandem/move/coord"
	"github.com/tandem-db/tandem/project"
)

// Opener opens the database at url (expanded, as internal/dburl reads it) and returns it with
// its dialect. Its errors may quote url: Options.Learn has been told it before.
type Opener func(ctx context.Context, url string) (*sql.DB, tandem.Dialect, error)

// Options say how to reach a move's databases and store.
type Options struct {
	// Open opens a database; required.
	Open Opener
	// URL is the environment's database URL, chosen and expanded by the caller (tandem move:
	// --url, $TANDEM_URL, tandem.yaml or $DATABASE_URL). "": the environment's URL in
	// tandem.yaml, expanded, else the SQLite file .tandem/ENV.db in ProjectDir.
	URL string
	// DB and Dialect are the environment's database, already open at URL (tandem move opened
	// it for its engine). nil: opened with Open. Close leaves it open.
	DB      *sql.DB
	Dialect tandem.Dialect
	// ProjectDir is the project folder, where the default SQLite files are ("": the current
	// folder).
	ProjectDir string
	// LookupEnv expands ${VAR} in URLs (default os.LookupEnv).
	LookupEnv func(string) (string, bool)
	// Learn is told every URL (expanded) before it is parsed or opened, so that the caller can
	// scrub its password from any output (nil: nobody).
	Learn func(url string)
	// StorePoll is how often the SQL switch store polls (0: its default).
	StorePoll time.Duration
	// By names who runs the coordinator, for its audit log.
	By string
}

// Move is a move with its databases and store open.
type Move struct {
	Move  *move.Move
	Store tandem.SwitchStore
	// Coord drives the move with the coordinator's defaults; the caller sets its waits, log
	// and backfill options.
	Coord   *coord.Driver
	closers []func() error
}

// Close closes what Open opened: the databases besides Options.DB, and the store's client.
func (m *Move) Close() error {
	var errs []error
	for i := len(m.closers) - 1; i >= 0; i-- {
		errs = append(errs, m.closers[i]())
	}
	m.closers = nil
	return errors.Join(errs...)
}

// Lookup finds the move name in p, loaded by project.Load. A move whose file does not parse
// returns that file's error; projectDir is named in the error for a project without moves.
func Lookup(p *tandem.Project, name, projectDir string) (*tandem.MoveDefinition, error) {
	cat := &p.Moves
	def, broken := cat.Lookup(name)
	switch known := cat.Names(); {
	case broken != nil:
		return nil, broken.Err
	case def != nil:
		return def, nil
	case len(known) == 0:
		return nil, fmt.Errorf("no move %q: the project has no moves (write moves/%s.yaml in %s)", name, name, projectDir)
	default:
		return nil, fmt.Errorf("no move %q in the project (it has: %s); a move is a file moves/NAME.yaml", name, strings.Join(known, ", "))
	}
}

// Open opens the move name of p in the environment envName ("": the first one).
func Open(ctx context.Context, p *tandem.Project, envName, name string, o Options) (*Move, error) {
	def, err := Lookup(p, name, o.ProjectDir)
	if err != nil {
		return nil, err
	}
	return Definition(ctx, p, envName, def, o)
}

// Definition opens a parsed move of p in the environment envName ("": the first one): both
// tables' databases, their schemas, and the switch store. Two tables are in one database
// (move.Move.Shared) when the databases say so (tandem.DatabaseIdentifier), however their
// URLs are spelled; they then share one connection pool.
func Definition(ctx context.Context, p *tandem.Project, envName string, def *tandem.MoveDefinition, o Options) (*Move, error) {
	if o.Open == nil {
		return nil, errors.New("open: Options.Open is nil; give the function that opens a database URL")
	}
	if o.LookupEnv == nil {
		o.LookupEnv = os.LookupEnv
	}
	env := environment(p, envName)
	m := &Move{}
	op := &opener{o: o, p: p, env: env, m: m}
	fail := func(err error) (*Move, error) {
		m.Close()
		return nil, err
	}
	a, physA, err := op.side(ctx, def, &def.From)
	if err != nil {
		return fail(err)
	}
	b, physB, err := op.side(ctx, def, &def.To)
	if err != nil {
		return fail(err)
	}
	shared, err := sameDatabase(ctx, a, b)
	if err != nil {
		return fail(fmt.Errorf("move %s: %s: whether %s and %s are in one database: %w", def.Name, def.File, def.From, def.To, err))
	}
	if shared {
		b.DB = a.DB // one pool: one transaction spans both tables
	}
	def = resolveExprs(def, physA, physB, a.Dialect.QuoteIdent, b.Dialect.QuoteIdent)
	m.Move = &move.Move{Def: def, A: a, B: b, Shared: shared}
	if m.Store, err = op.store(def, b); err != nil {
		return fail(err)
	}
	m.Coord = &coord.Driver{Move: m.Move, Store: m.Store, By: o.By}
	return m, nil
}

// environment is p's environment envName, the first one for "", or a bare one of that name
// when the project has none such (the caller gives its URL).
func environment(p *tandem.Project, envName string) *tandem.Environment {
	if envName != "" {
		if e := p.Config.Environment(envName); e != nil {
			return e
		}
		return &tandem.Environment{Name: envName}
	}
	if len(p.Config.Environments) > 0 {
		return &p.Config.Environments[0]
	}
	return &tandem.Environment{Name: "default"}
}

// sameDatabase tells whether a and b are in one database: one pool, or two whose databases
// name the same identity.
func sameDatabase(ctx context.Context, a, b move.Side) (bool, error) {
	if a.DB == b.DB {
		return true, nil
	}
	if a.Dialect.Name() != b.Dialect.Name() {
		return false, nil
	}
	idA, err := a.Dialect.DatabaseIdentity(ctx, a.DB)
	if err != nil {
		return false, err
	}
	idB, err := b.Dialect.DatabaseIdentity(ctx, b.DB)
	if err != nil {
		return false, err
	}
	return idA != "" && idA == idB, nil
}

// opener opens the databases of one move, each URL once.
type opener struct {
	o     Options
	p     *tandem.Project
	env   *tandem.Environment
	m     *Move
	pools map[string]pool // by expanded URL: a URL written twice is opened once
}

type pool struct {
	db *sql.DB
	d  tandem.Dialect
}

// expand resolves a URL written in the project (see dburl.Expand).
func (op *opener) expand(raw string) (string, error) {
	return dburl.Expand(raw, func(s string) (string, error) { return project.ExpandEnv(s, op.o.LookupEnv) }, op.o.Learn)
}

// database opens the database of table t: the environment's, unless t names another
// environment or a URL.
func (op *opener) database(ctx context.Context, t tandem.MoveTable) (*sql.DB, tandem.Dialect, error) {
	raw := ""
	switch {
	case t.URL != "":
		raw = t.URL
	case t.Env != "":
		env := op.p.Config.Environment(t.Env)
		if env == nil {
			return nil, nil, fmt.Errorf("no environment %q in tandem.yaml", t.Env)
		}
		if raw = env.URL; raw == "" {
			raw = op.defaultSQLite(env.Name)
		}
	case op.o.DB != nil:
		return op.o.DB, op.o.Dialect, nil
	case op.o.URL != "":
		return op.openURL(ctx, op.o.URL)
	default:
		if raw = op.env.URL; raw == "" {
			raw = op.defaultSQLite(op.env.Name)
		}
	}
	url, err := op.expand(raw)
	if err != nil {
		return nil, nil, err
	}
	if url == op.o.URL && op.o.DB != nil {
		return op.o.DB, op.o.Dialect, nil
	}
	return op.openURL(ctx, url)
}

// openURL opens url with Options.Open, once.
func (op *opener) openURL(ctx context.Context, url string) (*sql.DB, tandem.Dialect, error) {
	if p, ok := op.pools[url]; ok {
		return p.db, p.d, nil
	}
	db, d, err := op.o.Open(ctx, url)
	if err != nil {
		return nil, nil, err
	}
	op.m.closers = append(op.m.closers, db.Close)
	if op.pools == nil {
		op.pools = map[string]pool{}
	}
	op.pools[url] = pool{db, d}
	return db, d, nil
}

// defaultSQLite is the URL of the SQLite file an environment without a URL deploys to.
func (op *opener) defaultSQLite(env string) string {
	dir, _ := filepath.Abs(filepath.Join(op.o.ProjectDir, ".tandem"))
	return "sqlite://" + filepath.ToSlash(filepath.Join(dir, env+".db"))
}

// side opens one end of the move and finds its schema; phys maps the logical schemas of the
// environment that holds it, for the expressions run there.
func (op *opener) side(ctx context.Context, def *tandem.MoveDefinition, t *tandem.MoveTable) (move.Side, map[string]string, error) {
	db, d, err := op.database(ctx, *t)
	if err != nil {
		return move.Side{}, nil, fmt.Errorf("move %s: %s:%d: table %s: %w", def.Name, def.File, t.Line, t, err)
	}
	var phys map[string]string
	schema := t.Schema
	if t.URL == "" && d.Capabilities().Schemas {
		// The table is in the project's database: without a schema it is where deploy put
		// the project's table of that name, and logical schemas in its SQL are mapped.
		env := op.env
		if en := op.p.Config.Environment(t.Env); t.Env != "" && en != nil {
			env = en
		}
		phys = physicalSchemas(op.p, env)
		if schema == "" {
			if schema, err = moveTableSchema(op.p, def, *t); err != nil {
				return move.Side{}, nil, err
			}
		}
	}
	if schema != "" {
		// A logical schema maps through the environment that holds the table; a table given
		// by URL names its schema as it is.
		switch env := op.p.Config.Environment(t.Env); {
		case t.URL != "":
		case t.Env != "" && env != nil:
			schema = env.PhysicalSchema(schema)
		default:
			schema = op.env.PhysicalSchema(schema)
		}
	} else if d.Capabilities().Schemas {
		if schema, err = d.DefaultSchema(ctx, db); err != nil {
			return move.Side{}, nil, fmt.Errorf("move %s: table %s: find the default schema: %w", def.Name, t, err)
		}
	}
	return move.Side{DB: db, Dialect: d, Schema: schema, Table: t.Name}, phys, nil
}
