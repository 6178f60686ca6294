package mysql_test

import (
	"testing"

	"github.com/tandem-db/tandem/dialect/dialecttest"
	"github.com/tandem-db/tandem/dialect/mysql"
	"github.com/tandem-db/tandem/internal/testdb"
)

func TestConformance(t *testing.T) {
	dialecttest.Run(t, mysql.New(), testdb.MySQL(t))
}
