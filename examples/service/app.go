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
	"strings"
	"time"

	_ "modernc.org/sqlite" // registers "sqlite"

	"github.com/tandem-db/tandem"
	"github.com/tandem-db/tandem/client"
	"github.com/tandem-db/tandem/dialect/sqlite"
	"github.com/tandem-db/tandem/move/open"
	"github.com/tandem-db/tandem/project"
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

// openMove opens the embedded move with move/open, both of its tables and its switch store
// in db (the service's database), the store polling every poll (0: its default).
func openMove(ctx context.Context, db *sql.DB, poll time.Duration) (*open.Move, error) {
	cat, err := project.LoadMoves(moves)
	if err != nil {
		return nil, err
	}
	p := &tandem.Project{Moves: cat}
	return open.Open(ctx, p, "", moveName, open.Options{Open: openDatabase, DB: db, Dialect: sqlite.New(), StorePoll: poll, By: "service"})
}

// openDatabase opens a database a move's table names by URL: only SQLite files, as the
// service links no other driver.
func openDatabase(_ context.Context, url string) (*sql.DB, tandem.Dialect, error) {
	path, ok := strings.CutPrefix(url, "sqlite://")
	if !ok {
		return nil, nil, errors.New("service: a move's table is in a database other than SQLite, which the service does not link")
	}
	db, err := openSQLite(path)
	if err != nil {
		return nil, nil, err
	}
	return db, sqlite.New(), nil
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
	om, err := openMove(ctx, db, o.PollEvery)
	if err != nil {
		return fail(fmt.Errorf("service: open move %s in %s: %w", moveName, o.DB, err))
	}
	m := om.Move
	// The reverse log receives the keys written while B alone is written; Mirror.Write needs it.
	if err := m.EnsureLogs(ctx); err != nil {
		return fail(err)
	}
	cl, err := client.New(ctx, om.Store, client.Options{Instance: o.Instance, CodeVersion: codeVersion, PollEvery: o.PollEvery, Log: o.Log}, moveName)
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
