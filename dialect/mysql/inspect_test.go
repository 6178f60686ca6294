package mysql_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/tandem-db/tandem/dialect/mysql"
	"github.com/tandem-db/tandem/internal/testdb"
)

// TestInspectKinds: MySQL's column attributes (AUTO_INCREMENT, generated columns, ON UPDATE,
// SET values), procedures and MariaDB sequences fill their typed fields.
func TestInspectKinds(t *testing.T) {
	db := testdb.Open(t, testdb.MySQL(t))
	var schema string
	if err := db.QueryRow("SELECT DATABASE()").Scan(&schema); err != nil {
		t.Fatal(err)
	}
	for _, st := range []string{
		"CREATE TABLE t (id bigint NOT NULL AUTO_INCREMENT PRIMARY KEY, n integer, twice integer AS (n * 2) STORED, " +
			"half integer AS (n / 2) VIRTUAL, at timestamp NULL DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP, " +
			"flags set('a','it''s') DEFAULT '', note varchar(10) NOT NULL DEFAULT '')",
		"CREATE PROCEDURE p(IN x integer, OUT y integer) SET y = x",
	} {
		if _, err := db.Exec(st); err != nil {
			t.Fatalf("%s: %v", st, err)
		}
	}
	seq := true
	if _, err := db.Exec("CREATE SEQUENCE s START WITH 5 INCREMENT BY 2"); err != nil {
		seq = false // MySQL has no sequences
	}
	snap, err := mysql.New().Inspect(context.Background(), db, []string{schema})
	if err != nil {
		t.Fatal(err)
	}
	if len(snap.Tables) != 1 || len(snap.Tables[0].Columns) != 7 {
		t.Fatalf("tables = %+v", snap.Tables)
	}
	c := snap.Tables[0].Columns
	if !c[0].AutoIncrement || c[0].Extra != "" || c[0].Nullable {
		t.Errorf("id = %+v, want AUTO_INCREMENT NOT NULL and nothing else", c[0])
	}
	if c[2].Generated == "" || !c[2].GeneratedStored || c[3].Generated == "" || c[3].GeneratedStored || c[2].Extra != "" || c[3].Extra != "" {
		t.Errorf("twice, half = %+v, %+v; want stored and virtual generated columns", c[2], c[3])
	}
	if !strings.HasPrefix(c[4].Extra, "ON UPDATE") {
		t.Errorf("at = %+v, want ON UPDATE in Extra", c[4])
	}
	if !slices.Equal(c[5].Enum, []string{"a", "it's"}) {
		t.Errorf("flags = %+v, want the SET values a, it's", c[5])
	}
	if c[6].Default != "''" {
		t.Errorf("note default = %q, want ''", c[6].Default)
	}
	if len(snap.Routines) != 1 || snap.Routines[0].Kind != "procedure" || !strings.Contains(snap.Routines[0].Arguments, "OUT `y` int") {
		t.Errorf("routines = %+v", snap.Routines)
	}
	if seq {
		if len(snap.Sequences) != 1 || snap.Sequences[0].Start != 5 || snap.Sequences[0].Increment != 2 {
			t.Errorf("sequences = %+v", snap.Sequences)
		}
		if len(snap.Tables) != 1 {
			t.Errorf("a sequence is listed as a table")
		}
	}
}
