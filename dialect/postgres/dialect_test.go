package postgres_test

import (
	"testing"

	"github.com/tandem-db/tandem/dialect/dialecttest"
	"github.com/tandem-db/tandem/dialect/postgres"
	"github.com/tandem-db/tandem/internal/testdb"
)

// provides states the optional interfaces the dialect provides.
var provides = dialecttest.Provides(dialecttest.BulkLoader, dialecttest.Pipeliner, dialecttest.RowHasher, dialecttest.IndexBuilder, dialecttest.CopyRunner)

// TestContract holds the dialect to the required interfaces of tandem.Dialect and to the
// optional ones it states, without a database.
func TestContract(t *testing.T) {
	dialecttest.Contract(t, postgres.New(), provides)
}

func TestConformance(t *testing.T) {
	dialecttest.Run(t, postgres.New(), testdb.Postgres(t), provides)
}
