package postgres_test

import (
	"testing"

	"github.com/tandem-db/tandem/dialect/dialecttest"
	"github.com/tandem-db/tandem/dialect/postgres"
	"github.com/tandem-db/tandem/internal/testdb"
)

func TestConformance(t *testing.T) {
	dialecttest.Run(t, postgres.New(), testdb.Postgres(t))
}
