package faulttest

import (
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/tandem-db/tandem"
)

// TestStaticDataLoads deploys the smallest project with static data: one table and its CSV.
//
// It guards a PostgreSQL bug found by this package (deploy/data.go canonicalBatch): the row
// index was bound as a Go int to a bare "SELECT $1, ..." placeholder, which PostgreSQL types as
// text, and pgx refused to encode an int as text ("unable to encode 0 into text format for text
// (OID 25)"); the per-column retry then blamed the first CSV value, as it bound the same index.
func TestStaticDataLoads(t *testing.T) {
	m := &model{files: map[string]string{
		"app/table/lk.sql":      "create table lk (code varchar(10) primary key, label varchar(100) not null);\n",
		"app/staticdata/lk.csv": "code,label\nA,Alpha\nB,Bravo\n",
	}}
	forEachKind(t, func(t *testing.T, k kind) {
		ctx := context.Background()
		d := newDatabase(t, k, m)
		o, err := d.deploy(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if o.code != 0 {
			t.Fatalf("deploy: exit %d\n%s", o.code, o.output)
		}
		rows, err := d.db.QueryContext(ctx, "SELECT code, label FROM "+d.object("lk")+" ORDER BY code")
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		var got [][2]string
		for rows.Next() {
			var r [2]string
			if err := rows.Scan(&r[0], &r[1]); err != nil {
				t.Fatal(err)
			}
			got = append(got, r)
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		if d := cmp.Diff([][2]string{{"A", "Alpha"}, {"B", "Bravo"}}, got); d != "" {
			t.Errorf("rows of lk (-want +got):\n%s", d)
		}
		hist, err := d.history(ctx)
		if err != nil {
			t.Fatal(err)
		}
		var ids []string
		for _, r := range hist {
			ids = append(ids, r.id()+" "+r.Status)
		}
		want := []string{string(tandem.StaticData) + ".lk/lk applied", "table.lk/init applied"}
		if d := cmp.Diff(want, ids); d != "" {
			t.Errorf("history (-want +got):\n%s", d)
		}
	})
}
