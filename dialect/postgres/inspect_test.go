package postgres_test

import (
	"context"
	"slices"
	"testing"

	gocmp "github.com/google/go-cmp/cmp"

	"github.com/tandem-db/tandem"
	"github.com/tandem-db/tandem/dialect/postgres"
	"github.com/tandem-db/tandem/internal/testdb"
)

// TestInspectKinds: the kinds of objects and parts beyond the conformance suite's (identity
// and generated columns, partitions, exclusion constraints, INCLUDE and descending index keys,
// materialized views, procedures, aggregates, disabled triggers, domains, composite and range
// types) fill their typed fields.
func TestInspectKinds(t *testing.T) {
	db := testdb.Open(t, testdb.Postgres(t))
	for _, st := range []string{
		`CREATE SCHEMA k`,
		`CREATE DOMAIN k.positive AS integer NOT NULL DEFAULT 1 CONSTRAINT positive_check CHECK (VALUE > 0)`,
		`CREATE TYPE k.pair AS (a integer, "B" text)`,
		`CREATE TYPE k.span AS RANGE (SUBTYPE = integer)`,
		`CREATE TABLE k.t (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, n integer, twice integer GENERATED ALWAYS AS (n * 2) STORED,
		   r int4range, p k.positive, EXCLUDE USING gist (r WITH &&))`,
		`CREATE INDEX t_cover ON k.t (n DESC) INCLUDE (twice)`,
		`CREATE TABLE k.parted (id integer, at date) PARTITION BY RANGE (at)`,
		`CREATE TABLE k.parted_2026 PARTITION OF k.parted FOR VALUES FROM ('2026-01-01') TO ('2027-01-01')`,
		`CREATE MATERIALIZED VIEW k.mv AS SELECT id, n FROM k.t`,
		`CREATE PROCEDURE k.proc(x integer) LANGUAGE sql AS $$ SELECT x $$`,
		`CREATE AGGREGATE k.total(integer) (SFUNC = int4pl, STYPE = integer, INITCOND = '0')`,
		`CREATE FUNCTION k.noop() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN RETURN NULL; END$$`,
		`CREATE TRIGGER t_stmt AFTER TRUNCATE ON k.t FOR EACH STATEMENT EXECUTE FUNCTION k.noop()`,
		`ALTER TABLE k.t DISABLE TRIGGER t_stmt`,
	} {
		if _, err := db.Exec(st); err != nil {
			t.Fatalf("%s: %v", st, err)
		}
	}
	snap, err := postgres.New().Inspect(context.Background(), db, []string{"k"})
	if err != nil {
		t.Fatal(err)
	}
	tables := map[string]tandem.TableDesc{}
	for _, tb := range snap.Tables {
		tables[tb.Name] = tb
	}
	tb := tables["t"]
	if len(tb.Columns) != 5 || tb.Columns[0].Identity != "ALWAYS" || tb.Columns[2].Generated != "(n * 2)" || !tb.Columns[2].GeneratedStored ||
		tb.Columns[4].Type != "k.positive" {
		t.Errorf("t columns = %+v", tb.Columns)
	}
	if len(tb.Exclusions) != 1 || tb.Exclusions[0].Definition != "EXCLUDE USING gist (r WITH &&)" {
		t.Errorf("t exclusions = %+v", tb.Exclusions)
	}
	if len(tb.Indexes) != 1 {
		t.Fatalf("t indexes = %+v", tb.Indexes)
	}
	if ix := tb.Indexes[0]; !gocmp.Equal(ix.Keys, []tandem.IndexKey{{Column: "n", Descending: true}}) || !slices.Equal(ix.Include, []string{"twice"}) {
		t.Errorf("index t_cover = %+v", ix)
	}
	if p := tables["parted"]; p.Kind != tandem.PartitionedTable || p.PartitionBy != "RANGE (at)" {
		t.Errorf("parted = %+v", p)
	}
	if p := tables["parted_2026"]; p.PartitionOf != "k.parted FOR VALUES FROM ('2026-01-01') TO ('2027-01-01')" {
		t.Errorf("parted_2026 partition of %q", p.PartitionOf)
	}
	if len(snap.Views) != 1 || !snap.Views[0].Materialized || len(snap.Views[0].Columns) != 2 {
		t.Errorf("views = %+v", snap.Views)
	}
	kinds := map[string]tandem.RoutineDesc{}
	for _, r := range snap.Routines {
		kinds[r.Name] = r
	}
	if r := kinds["proc"]; r.Kind != tandem.ProcedureRoutine || r.Arguments != "IN x integer" || r.Language != "sql" || r.Returns != "" {
		t.Errorf("proc = %+v", r)
	}
	if r := kinds["total"]; r.Kind != tandem.AggregateRoutine || r.Arguments != "integer" || r.Returns != "integer" {
		t.Errorf("total = %+v", r)
	}
	if len(snap.Triggers) != 1 {
		t.Fatalf("triggers = %+v", snap.Triggers)
	}
	if tr := snap.Triggers[0]; tr.Timing != "AFTER" || !slices.Equal(tr.Events, []string{"TRUNCATE"}) || tr.ForEach != "STATEMENT" || tr.Enabled != "DISABLED" {
		t.Errorf("trigger t_stmt = %+v", tr)
	}
	types := map[string]tandem.TypeDesc{}
	for _, u := range snap.Types {
		types[u.Name] = u
	}
	wantDomain := tandem.TypeDesc{Schema: "k", Name: "positive", Kind: tandem.DomainType, BaseType: "integer", NotNull: true, Default: "1",
		Checks: []tandem.CheckDesc{{Name: "positive_check", Expression: "VALUE > 0", Definition: "CHECK (VALUE > 0)"}}}
	if diff := gocmp.Diff(wantDomain, types["positive"]); diff != "" {
		t.Errorf("domain positive (-want +got):\n%s", diff)
	}
	wantPair := []tandem.ColumnDesc{{Name: "a", Type: "integer", Nullable: true}, {Name: "B", Type: "text", Nullable: true}}
	if u := types["pair"]; u.Kind != tandem.CompositeType || !gocmp.Equal(u.Attributes, wantPair) {
		t.Errorf("composite pair = %+v", u)
	}
	if u := types["span"]; u.Kind != tandem.RangeType || u.Subtype != "integer" {
		t.Errorf("range span = %+v", u)
	}
	if len(snap.Sequences) != 0 {
		t.Errorf("an identity's sequence is listed: %+v", snap.Sequences)
	}
}
