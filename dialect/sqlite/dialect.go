// Package sqlite is tandem's SQLite dialect: quoting, the history tables, a deploy lock that
// spans transactions, and reading sqlite_schema to drop and inspect objects.
//
// SQLite has no schemas: Qualify, CreateSchema, UseSchema and HistoryDDL ignore the schema, and
// everything lives in the main database. DDL is transactional. Lock waits are bounded by the
// busy_timeout set in the DSN (see internal/dburl), not per statement, so
// Capabilities().LockTimeout is false.
//
// It imports no driver. Error codes are read through the Code() method of
// modernc.org/sqlite's *sqlite.Error (mattn/go-sqlite3's errors offer the same through
// their Code field only, and are not recognised).
package sqlite

import (
	"strings"
	"time"

	"github.com/tandem-db/tandem"
	"github.com/tandem-db/tandem/internal/sqllex"
)

// Dialect is the SQLite dialect. The zero value is ready to use; it holds no state and is safe
// for concurrent use.
type Dialect struct{}

// New returns the SQLite dialect.
func New() Dialect { return Dialect{} }

// The required parts of tandem.Dialect, and the optional interfaces this dialect provides (its
// conformance test states the same with dialecttest.Provides).
var (
	_ tandem.Dialect         = Dialect{}
	_ tandem.Renderer        = Dialect{}
	_ tandem.Caster          = Dialect{}
	_ tandem.SessionKeeper   = Dialect{}
	_ tandem.Locker          = Dialect{}
	_ tandem.ErrorClassifier = Dialect{}
	_ tandem.Catalog         = Dialect{}
	_ tandem.Mover           = Dialect{}

	_ tandem.ChangeGuard = Dialect{}
	_ tandem.ValueTester = Dialect{}
)

// Name returns "sqlite".
func (Dialect) Name() string { return "sqlite" }

// Capabilities: DDL is transactional; there are no schemas and no per-statement lock timeout.
func (Dialect) Capabilities() tandem.Capabilities {
	return tandem.Capabilities{TransactionalDDL: true, Schemas: false, LockTimeout: false, ConflictTarget: true}
}

// Syntax: INSERT ... ON CONFLICT, which acts on a conflict on the columns it names alone.
func (Dialect) Syntax() tandem.Syntax {
	return tandem.Syntax{
		SkipOnKey:   " ON CONFLICT ({key}) DO NOTHING",
		UpdateOnKey: " ON CONFLICT ({key}) DO UPDATE SET ",
		Skip:        " ON CONFLICT ({key}) DO NOTHING",
		Update:      " ON CONFLICT ({key}) DO UPDATE SET ",
		Inserted:    "excluded.{col}",
	}
}

// QuoteIdent quotes name with double quotes, doubling any inside it.
func (Dialect) QuoteIdent(name string) string {
	return `"` + strings.ReplaceAll(name, `"`, `""`) + `"`
}

// Qualify ignores schema, as SQLite has none, and returns the quoted name.
func (d Dialect) Qualify(_, name string) string { return d.QuoteIdent(name) }

// Placeholder renders ?.
func (Dialect) Placeholder(int) string { return "?" }

// CreateSchema returns "": SQLite has no schemas.
func (Dialect) CreateSchema(string) string { return "" }

// UseSchema returns nothing: SQLite has no schemas.
func (Dialect) UseSchema(string) []string { return nil }

// SessionSetup returns nothing: the busy timeout that bounds lock waits is set for every
// connection by the DSN (internal/dburl adds busy_timeout(10000)).
func (Dialect) SessionSetup(time.Duration) []string { return nil }

// NonTransactional reports VACUUM, ATTACH and DETACH, which SQLite refuses inside a
// transaction, and PRAGMA foreign_keys and PRAGMA journal_mode, which a transaction makes a
// silent no-op or an error: a change that turns foreign keys off around a table rebuild only
// works outside one.
func (Dialect) NonTransactional(stmt string) bool {
	w := sqllex.Keywords(stmt, sqllex.SQLite, 3)
	if len(w) == 0 {
		return false
	}
	switch w[0] {
	case "VACUUM", "ATTACH", "DETACH":
		return true
	case "PRAGMA":
		for _, x := range w[1:] {
			if x == "FOREIGN_KEYS" || x == "JOURNAL_MODE" {
				return true
			}
		}
	}
	return false
}

func quoteLiteral(s string) string {
	return "'" + strings.ReplaceAll(s, "'", "''") + "'"
}
