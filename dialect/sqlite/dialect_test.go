package sqlite_test

import (
	"testing"

	"github.com/tandem-db/tandem/dialect/dialecttest"
	"github.com/tandem-db/tandem/dialect/sqlite"
	"github.com/tandem-db/tandem/internal/testdb"
)

// provides states the optional interfaces the dialect provides.
var provides = dialecttest.Provides(dialecttest.ChangeGuard, dialecttest.ValueTester)

// TestContract holds the dialect to the required interfaces of tandem.Dialect and to the
// optional ones it states, without a database.
func TestContract(t *testing.T) {
	dialecttest.Contract(t, sqlite.New(), provides)
}

func TestConformance(t *testing.T) {
	dialecttest.Run(t, sqlite.New(), testdb.SQLite(t), provides, dialecttest.LockOwnedByProcess())
}
