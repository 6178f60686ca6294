package client_test

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/tandem-db/tandem/internal/dburl"
	"github.com/tandem-db/tandem/move"
	"github.com/tandem-db/tandem/move/coord"
	"github.com/tandem-db/tandem/project"
	"github.com/tandem-db/tandem/store/redisstore"
)

// faultCase is one arrangement of A and B for the fault scenario.
type faultCase struct {
	name   string
	a, b   side
	shared bool
}

var faultCases = []faultCase{
	{"postgres", pgSide, pgSide, true},
	{"mariadb", mysqlSide, mysqlSide, true},
	{"mariadb-to-postgres", mysqlSide, pgSide, false},
}

// faultDef is the scenario's move; batch is the inside of its batch: settings.
func faultDef(batch string) string {
	return `from: {table: users}
to: {table: accounts}
key: [id]
mapping:
  id: id
  full_name: name
  email_lower: lower(email)
reverse:
  id: id
  name: full_name
  email: email_lower
batch: {` + batch + `}
`
}

// Batch settings of the backfill process: tiny batches at a capped rate while it is killed,
// so that every kill lands in a different batch and 20 kills never finish it; big ones when it
// is let run to the end.
const (
	killedBatch  = "size: 10, target: 1ms, max_rows: 2000"
	resumedBatch = "size: 500, target: 100ms"
)

func newFaultMove(c faultCase, dbA, dbB *sql.DB, batch string) (*move.Move, error) {
	def, err := project.ParseMove("moves/users_to_accounts.yaml", []byte(faultDef(batch)))
	if err != nil {
		return nil, err
	}
	def.Name = "users_to_accounts"
	if c.shared {
		dbB = dbA
	}
	return &move.Move{Def: def, Shared: c.shared,
		A: move.Side{DB: dbA, Dialect: c.a.dialect, Schema: c.a.schema, Table: "users"},
		B: move.Side{DB: dbB, Dialect: c.b.dialect, Schema: c.b.schema, Table: "accounts"}}, nil
}

// The backfill process is the test binary run again, selected by these variables.
const (
	faultHelperEnv = "TANDEM_FAULT_BACKFILL" // the case's name
	faultAEnv      = "TANDEM_FAULT_A"        // A's URL
	faultBEnv      = "TANDEM_FAULT_B"        // B's URL
	faultRedisEnv  = "TANDEM_FAULT_REDIS"    // the switch store's address
	faultBatchEnv  = "TANDEM_FAULT_BATCH"    // the batch settings
)

func init() {
	if name := os.Getenv(faultHelperEnv); name != "" {
		os.Exit(runFaultBackfill(name))
	}
}

// runFaultBackfill is the backfill process: what tandem move backfill does, through the
// coordinator (which restores the switch store first if it lost the move's state), against
// the Redis store. It exits 0 once the backfill is done.
func runFaultBackfill(name string) int {
	var c faultCase
	for _, fc := range faultCases {
		if fc.name == name {
			c = fc
		}
	}
	if c.name == "" {
		fmt.Fprintln(os.Stderr, "unknown fault case", name)
		return 2
	}
	open := func(raw string) (*sql.DB, error) {
		u, err := dburl.Parse(raw, "")
		if err != nil {
			return nil, err
		}
		return sql.Open(u.Driver, u.DSN)
	}
	dbA, err := open(os.Getenv(faultAEnv))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	dbB, err := open(os.Getenv(faultBEnv))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	m, err := newFaultMove(c, dbA, dbB, os.Getenv(faultBatchEnv))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	rc := redis.NewClient(&redis.Options{Addr: os.Getenv(faultRedisEnv), DialTimeout: time.Second})
	co := &coord.Driver{Move: m, Store: redisstore.New(rc, redisstore.Options{}), By: "backfill process",
		Log: slog.New(slog.NewTextHandler(os.Stderr, nil))}
	if err := co.Backfill(context.Background(), nil); err != nil {
		fmt.Fprintln(os.Stderr, "backfill:", err)
		return 1
	}
	return 0
}

// backfillCmd prepares a backfill process for the case's databases and store.
func backfillCmd(c faultCase, urlA, urlB, redisAddr, batch string, stderr *faultLog) *exec.Cmd {
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), faultHelperEnv+"="+c.name, faultAEnv+"="+urlA, faultBEnv+"="+urlB, faultRedisEnv+"="+redisAddr, faultBatchEnv+"="+batch)
	cmd.Stderr = stderr
	return cmd
}
