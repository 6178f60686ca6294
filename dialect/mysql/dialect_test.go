package mysql_test

import (
	"testing"

	"github.com/tandem-db/tandem/dialect/dialecttest"
	"github.com/tandem-db/tandem/dialect/mysql"
	"github.com/tandem-db/tandem/internal/testdb"
)

// provides states the optional interfaces the dialect provides.
var provides = dialecttest.Provides(dialecttest.Fingerprinter, dialecttest.RowHasher)

// TestContract holds the dialect to the required interfaces of tandem.Dialect and to the
// optional ones it states, without a database.
func TestContract(t *testing.T) {
	dialecttest.Contract(t, mysql.New(), provides)
}

func TestConformance(t *testing.T) {
	dialecttest.Run(t, mysql.New(), testdb.MySQL(t), provides)
}
