package sqlite_test

import (
	"testing"

	"github.com/tandem-db/tandem/dialect/dialecttest"
	"github.com/tandem-db/tandem/dialect/sqlite"
	"github.com/tandem-db/tandem/internal/testdb"
)

func TestConformance(t *testing.T) {
	dialecttest.Run(t, sqlite.New(), testdb.SQLite(t), dialecttest.LockOwnedByProcess())
}
