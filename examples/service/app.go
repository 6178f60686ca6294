package main

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"time"

	_ "modernc.org/sqlite" // registers "sqlite"

	"github.com/tandem-db/tandem/client"
	"github.com/tandem-db/tandem/dialect/sqlite"
	"github.com/tandem-db/tandem/move"
	"github.com/tandem-db/tandem/project"
	"github.com/tandem-db/tandem/store/sqlstore"
)

// moveName is the move this service follows: moves/users_to_accounts.yaml.
const moveName = "users_to_accounts"

// codeVersion is reported with every heartbeat and shown by tandem move status.
const codeVersion = "example-1"

//go:embed moves
var moves embed.FS

// schema creates the two tables when they are missing. In a real application a tandem deploy
// creates them (and later drops users) from the project's versioned schema; the service only
// does it here so that the example runs on an empty file.
var schema = []string{
	"CREATE TABLE IF NOT EXISTS users (id bigint PRIMARY KEY, name varchar(100) NOT NULL, email varchar(200) NOT NULL)",
	"CREATE TABLE IF NOT EXISTS accounts (id bigint PRIMARY KEY, full_name varchar(100) NOT NULL, email_lower varchar(200) NOT NULL)",
}

// openSQLite opens path with the settings tandem's own SQLite connections use: wait for another
// writer, foreign keys on, and the write lock taken at BEGIN so that two writers never deadlock
// upgrading read locks. WAL lets readers run beside the coordinator's backfill.
func openSQLite(path string) (*sql.DB, error) {
	db, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(10000)&_pragma=foreign_keys(1)&_pragma=journal_mode(WAL)&_txlock=immediate")
	if err != nil {
		return nil, fmt.Errorf("service: open %s: %w", path, err)
	}
	return db, nil
}

// loadMove reads the embedded move definition and places both of its tables in db.
func loadMove(db *sql.DB) (*move.Move, error) {
	defs, err := project.LoadMoveDefinitions(moves)
	if err != nil {
		return nil, err
	}
	for _, def := range defs {
		if def.Name == moveName {
			d := sqlite.New()
			return &move.Move{Def: def, Shared: true,
				A: move.Side{DB: db, Dialect: d, Table: def.From.Name},
				B: move.Side{DB: db, Dialect: d, Table: def.To.Name}}, nil
		}
	}
	return nil, fmt.Errorf("service: no moves/%s.yaml embedded", moveName)
}

// run opens the database, joins the move's fleet and returns the service's handler, with the
// function that leaves the fleet and closes the database.
func run(ctx context.Context, o options) (http.Handler, func(), error) {
	if o.Log == nil {
		o.Log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	db, err := openSQLite(o.DB)
	if err != nil {
		return nil, nil, err
	}
	fail := func(err error) (http.Handler, func(), error) {
		db.Close()
		return nil, nil, err
	}
	for _, stmt := range schema {
		if _, err := db.ExecContext(ctx, stmt); err != nil {
			return fail(fmt.Errorf("service: create tables in %s: %w", o.DB, err))
		}
	}
	m, err := loadMove(db)
	if err != nil {
		return fail(err)
	}
	// The reverse log receives the keys written while B alone is written; Mirror.Write needs it.
	if err := m.EnsureLogs(ctx); err != nil {
		return fail(err)
	}
	store, err := sqlstore.New(db, m.B.Dialect, sqlstore.Options{PollInterval: o.PollEvery})
	if err != nil {
		return fail(fmt.Errorf("service: open the switch store in %s: %w", o.DB, err))
	}
	cl, err := client.New(ctx, store, client.Options{Instance: o.Instance, CodeVersion: codeVersion, PollEvery: o.PollEvery, Log: o.Log}, moveName)
	if err != nil {
		return fail(err)
	}
	mirror := &client.Mirror{Client: cl, Move: m}
	shadow, err := client.NewShadow(mirror, client.ShadowOptions{Rate: o.ShadowRate, Log: o.Log})
	if err != nil {
		cl.Close()
		return fail(fmt.Errorf("service: -shadow-rate: %w", err))
	}
	s := &service{db: db, client: cl, mirror: mirror, shadow: shadow, log: o.Log}
	cleanup := func() {
		shadow.Close()
		cl.Close()
		db.Close()
	}
	return s.routes(), cleanup, nil
}

// service holds what the handlers share.
type service struct {
	db     *sql.DB
	client *client.Client
	mirror *client.Mirror
	// shadow compares a sample of reads with the other table; see GET /status.
	shadow *client.Shadow
	log    *slog.Logger
}

// errNotFound is returned by reads of a user that does not exist.
var errNotFound = errors.New("no such user")

// requestTimeout bounds every request; the coordinator's grace period should cover it.
const requestTimeout = 5 * time.Second
