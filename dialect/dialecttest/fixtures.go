package dialecttest

import "github.com/tandem-db/tandem"

// fixture holds what the suite must write differently for each database. {s} in a statement
// stands for the schema qualifier ("schema". or nothing).
type fixture struct {
	// objects are created, found by Inspect, then dropped with DropObject.
	objects []object
	// unsupported types make DropObject return an error.
	unsupported []tandem.ObjectType
	// castTable is a table with one column of each type the casts must handle; id is an
	// integer primary key.
	castTable string
	// castSetup runs on the connection before the cast round-trips (time zone, ...).
	castSetup []string
	casts     []castCase
	// nonTxSetup creates what nonTx and tx statements use.
	nonTxSetup []string
	// nonTx are statements the dialect reports as non-transactional and the database refuses
	// inside a transaction; tx are statements it does not report.
	nonTx, tx []string
	// sleep is a statement that runs for about two seconds, for dialects whose other sessions
	// can run statements (Running sees them); "" where none can (SQLite).
	sleep string
	// storage holds a tandem.ValueTester to the database; nil where the dialect has none.
	storage *storageFixture
}

// storageFixture is what the suite needs to compare a tandem.ValueTester's renderings with
// what the database stores and refuses.
type storageFixture struct {
	// values are literals of every kind the database converts or refuses in its own way.
	values []string
	// quote renders a value as a literal that tells every value and type apart (SQLite's quote).
	quote string
	// types are column types to store the values in; strictTypes those of a table that
	// refuses values for their type, which strict ends.
	types, strictTypes []string
	strict             string
}

// object is a database object created by create, whose drop removes every part of it.
type object struct {
	typ    tandem.ObjectType
	name   string   // as passed to DropObject (a different case from the DDL where useful)
	create []string // DDL; the suite drops leftovers with cleanup
	// inspectName is the name Inspect reports (the catalog's spelling).
	inspectName string
	// optional objects are skipped when create fails (sequences on MySQL, which only MariaDB has).
	optional bool
	cleanup  []string
}

// castCase is one value written through Cast and read back through CastText.
type castCase struct {
	column string
	typeRe string // what Columns reports, as a regular expression
	in     string
	want   string
	// noCompare: the type has no equality operator (PostgreSQL json).
	noCompare bool
}

var fixtures = map[string]fixture{
	"postgres": {
		sleep: "SELECT pg_sleep(2)",
		objects: []object{
			{typ: tandem.Table, name: "dt_table", inspectName: "dt_table", create: []string{"CREATE TABLE {s}dt_table (a int)"}},
			{typ: tandem.View, name: "DT_View", inspectName: "dt_view", create: []string{"CREATE VIEW {s}dt_view AS SELECT 1 AS x"}},
			{typ: tandem.View, name: "dt_matview", inspectName: "dt_matview", create: []string{"CREATE MATERIALIZED VIEW {s}dt_matview AS SELECT 1 AS x"}},
			{typ: tandem.Sequence, name: "dt_seq", inspectName: "dt_seq", create: []string{"CREATE SEQUENCE {s}dt_seq START 5"}},
			{typ: tandem.UserType, name: "dt_mood", inspectName: "dt_mood", create: []string{"CREATE TYPE {s}dt_mood AS ENUM ('sad', 'ok')"}},
			{typ: tandem.UserType, name: "dt_posint", inspectName: "dt_posint", create: []string{"CREATE DOMAIN {s}dt_posint AS int CHECK (VALUE > 0)"}},
			{typ: tandem.UserType, name: "dt_pair", inspectName: "dt_pair", create: []string{"CREATE TYPE {s}dt_pair AS (a int, b text)"}},
			{typ: tandem.Function, name: "DT_Func", inspectName: "dt_func", create: []string{
				"CREATE FUNCTION {s}dt_func(a int) RETURNS int LANGUAGE sql AS $$ SELECT a + 1 $$",
				"CREATE FUNCTION {s}dt_func(a text, b text) RETURNS text LANGUAGE sql AS $$ SELECT a || b $$",
				"CREATE FUNCTION {s}dt_func() RETURNS int LANGUAGE sql AS $$ SELECT 1 $$",
			}},
			{typ: tandem.Procedure, name: "dt_proc", inspectName: "dt_proc", create: []string{
				"CREATE PROCEDURE {s}dt_proc() LANGUAGE sql AS $$ SELECT 1 $$",
				"CREATE PROCEDURE {s}dt_proc(x int) LANGUAGE sql AS $$ SELECT x $$",
			}},
			{typ: tandem.Trigger, name: "dt_trig", inspectName: "dt_trig", create: []string{
				"CREATE TABLE {s}dt_trig_t (a int)",
				"CREATE FUNCTION {s}dt_trig_f() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$",
				"CREATE TRIGGER dt_trig BEFORE INSERT ON {s}dt_trig_t FOR EACH ROW EXECUTE FUNCTION {s}dt_trig_f()",
			}, cleanup: []string{"DROP TABLE {s}dt_trig_t", "DROP FUNCTION {s}dt_trig_f()"}},
		},
		unsupported: []tandem.ObjectType{tandem.StaticData, tandem.Migration},
		castTable: `CREATE TABLE {s}dt_cast (
    id integer NOT NULL PRIMARY KEY, big bigint, num numeric(10,2), flag boolean, name text,
    code varchar(10), ch char(3), day date, ts timestamp, tstz timestamp with time zone,
    uid uuid, doc json, docb jsonb)`,
		castSetup: []string{"SET TIME ZONE 'UTC'"},
		casts: []castCase{
			{column: "id", typeRe: `integer`, in: "42", want: "42"},
			{column: "big", typeRe: `bigint`, in: "9007199254740993", want: "9007199254740993"},
			{column: "num", typeRe: `numeric\(10,2\)`, in: "12.5", want: "12.50"},
			{column: "flag", typeRe: `boolean`, in: "yes", want: "true"},
			{column: "flag", typeRe: `boolean`, in: "false", want: "false"},
			{column: "name", typeRe: `text`, in: "héllo 'x' \"y\"", want: "héllo 'x' \"y\""},
			{column: "code", typeRe: `character varying\(10\)`, in: "abc", want: "abc"},
			{column: "ch", typeRe: `character\(3\)`, in: "ab", want: "ab"},
			{column: "day", typeRe: `date`, in: "2024-02-29", want: "2024-02-29"},
			{column: "ts", typeRe: `timestamp without time zone`, in: "2024-02-29 13:14:15.123456", want: "2024-02-29 13:14:15.123456"},
			{column: "tstz", typeRe: `timestamp with time zone`, in: "2024-02-29 13:14:15+02", want: "2024-02-29 11:14:15+00"},
			{column: "uid", typeRe: `uuid`, in: "A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11", want: "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"},
			{column: "doc", typeRe: `json`, in: `{"b":1, "a":2}`, want: `{"b":1, "a":2}`, noCompare: true},
			{column: "docb", typeRe: `jsonb`, in: `{"b":1, "a":2}`, want: `{"a": 2, "b": 1}`},
		},
		nonTxSetup: []string{
			"CREATE TABLE {s}dt_nt (a int)",
			"CREATE TYPE {s}dt_nt_mood AS ENUM ('a')",
			"CREATE MATERIALIZED VIEW {s}dt_nt_mv AS SELECT 1 AS x",
			"CREATE UNIQUE INDEX ON {s}dt_nt_mv (x)",
		},
		nonTx: []string{
			"VACUUM",
			"CREATE INDEX CONCURRENTLY dt_nt_idx ON {s}dt_nt (a)",
			"DROP INDEX CONCURRENTLY IF EXISTS {s}dt_nt_idx",
			"REINDEX TABLE CONCURRENTLY {s}dt_nt",
			"ALTER TYPE {s}dt_nt_mood ADD VALUE 'new'",
		},
		tx: []string{
			"CREATE INDEX dt_nt_idx2 ON {s}dt_nt (a)",
			"REFRESH MATERIALIZED VIEW CONCURRENTLY {s}dt_nt_mv",
			"INSERT INTO {s}dt_nt VALUES (1)",
			"ALTER TABLE {s}dt_nt ADD COLUMN b int",
		},
	},
	"mysql": {
		sleep: "SELECT SLEEP(2)",
		objects: []object{
			{typ: tandem.Table, name: "DT_Table", inspectName: "dt_table", create: []string{"CREATE TABLE {s}dt_table (a int)"}},
			{typ: tandem.View, name: "dt_view", inspectName: "dt_view", create: []string{"CREATE VIEW {s}dt_view AS SELECT 1 AS x"}},
			{typ: tandem.Sequence, name: "dt_seq", inspectName: "dt_seq", optional: true, create: []string{"CREATE SEQUENCE {s}dt_seq START WITH 5"}},
			{typ: tandem.Function, name: "DT_Func", inspectName: "dt_func", create: []string{
				"CREATE FUNCTION {s}dt_func(a INT) RETURNS INT DETERMINISTIC RETURN a + 1",
			}},
			{typ: tandem.Procedure, name: "dt_proc", inspectName: "dt_proc", create: []string{
				"CREATE PROCEDURE {s}dt_proc(IN x INT) SELECT x",
			}},
			{typ: tandem.Trigger, name: "dt_trig", inspectName: "dt_trig", create: []string{
				"CREATE TABLE {s}dt_trig_t (a INT)",
				"CREATE TRIGGER {s}dt_trig BEFORE INSERT ON {s}dt_trig_t FOR EACH ROW SET NEW.a = NEW.a + 1",
			}, cleanup: []string{"DROP TABLE {s}dt_trig_t"}},
		},
		unsupported: []tandem.ObjectType{tandem.UserType, tandem.StaticData},
		castTable: `CREATE TABLE {s}dt_cast (
    id INT NOT NULL PRIMARY KEY, big BIGINT, ubig BIGINT UNSIGNED, num DECIMAL(10,2), flag TINYINT(1), name TEXT,
    code VARCHAR(10), ch CHAR(3), day DATE, ts DATETIME(6), tstamp TIMESTAMP NULL, t TIME, uid CHAR(36), doc JSON)`,
		casts: []castCase{
			{column: "id", typeRe: `int(\(11\))?`, in: "42", want: "42"},
			{column: "big", typeRe: `bigint(\(20\))?`, in: "-9007199254740993", want: "-9007199254740993"},
			{column: "ubig", typeRe: `bigint(\(20\))? unsigned`, in: "18446744073709551615", want: "18446744073709551615"},
			{column: "num", typeRe: `decimal\(10,2\)`, in: "12.5", want: "12.50"},
			{column: "flag", typeRe: `tinyint\(1\)`, in: "yes", want: "true"},
			{column: "flag", typeRe: `tinyint\(1\)`, in: "FALSE", want: "false"},
			{column: "flag", typeRe: `tinyint\(1\)`, in: "1", want: "true"},
			{column: "name", typeRe: `text`, in: "héllo 'x' \"y\" \\", want: "héllo 'x' \"y\" \\"},
			{column: "code", typeRe: `varchar\(10\)`, in: "abc", want: "abc"},
			{column: "ch", typeRe: `char\(3\)`, in: "ab", want: "ab"},
			{column: "day", typeRe: `date`, in: "2024-02-29", want: "2024-02-29"},
			{column: "ts", typeRe: `datetime\(6\)`, in: "2024-02-29 13:14:15.123456", want: "2024-02-29 13:14:15.123456"},
			{column: "tstamp", typeRe: `timestamp`, in: "2024-02-29 13:14:15", want: "2024-02-29 13:14:15"},
			{column: "t", typeRe: `time`, in: "13:14:15", want: "13:14:15"},
			{column: "uid", typeRe: `char\(36\)`, in: "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11", want: "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"},
			{column: "doc", typeRe: `json|longtext`, in: `{"a": 2, "b": 1}`, want: `{"a": 2, "b": 1}`},
		},
	},
	"sqlite": {
		storage: &storageFixture{
			values: []string{"'42'", "' 7 '", "'12.0'", "'abc'", "'2.5'", "'1e3'", "'1e20'", "'12abc'", "''", "'-3'", "'+4'", "'0x10'",
				"2.0", "2.5", "7", "1e20", "NULL", "'9223372036854775808'", "9223372036854775807", "x'01'"},
			quote:       "quote",
			types:       []string{"INTEGER", "BIGINT", "REAL", "NUMERIC(10,2)", "DATE", "TEXT", "VARCHAR(10)", "BLOB", ""},
			strictTypes: []string{"INTEGER", "INT", "REAL", "TEXT", "BLOB", "ANY"},
			strict:      " STRICT",
		},
		objects: []object{
			{typ: tandem.Table, name: "DT_Table", inspectName: "dt_table", create: []string{"CREATE TABLE dt_table (a int)"}},
			{typ: tandem.View, name: "dt_view", inspectName: "dt_view", create: []string{"CREATE VIEW dt_view AS SELECT 1 AS x"}},
			{typ: tandem.Trigger, name: "DT_Trig", inspectName: "dt_trig", create: []string{
				"CREATE TABLE dt_trig_t (a INT)",
				"CREATE TRIGGER dt_trig AFTER INSERT ON dt_trig_t BEGIN SELECT 1; END",
			}, cleanup: []string{"DROP TABLE dt_trig_t"}},
		},
		unsupported: []tandem.ObjectType{tandem.Function, tandem.Procedure, tandem.Sequence, tandem.UserType, tandem.StaticData},
		castTable: `CREATE TABLE dt_cast (
    id INTEGER NOT NULL PRIMARY KEY, big BIGINT, num NUMERIC(10,2), real REAL, flag BOOLEAN, name TEXT,
    code VARCHAR(10), day DATE, ts TIMESTAMP, doc JSON)`,
		casts: []castCase{
			{column: "id", typeRe: `INTEGER`, in: "42", want: "42"},
			{column: "big", typeRe: `BIGINT`, in: "9007199254740993", want: "9007199254740993"},
			{column: "num", typeRe: `NUMERIC\(10,2\)`, in: "12.5", want: "12.5"},
			{column: "real", typeRe: `REAL`, in: "0.25", want: "0.25"},
			{column: "flag", typeRe: `BOOLEAN`, in: "yes", want: "true"},
			{column: "flag", typeRe: `BOOLEAN`, in: "F", want: "false"},
			{column: "name", typeRe: `TEXT`, in: "héllo 'x' \"y\"", want: "héllo 'x' \"y\""},
			{column: "code", typeRe: `VARCHAR\(10\)`, in: "007", want: "007"},
			{column: "day", typeRe: `DATE`, in: "2024-02-29", want: "2024-02-29"},
			{column: "ts", typeRe: `TIMESTAMP`, in: "2024-02-29 13:14:15.123", want: "2024-02-29 13:14:15.123"},
			{column: "doc", typeRe: `JSON`, in: `{"b":1}`, want: `{"b":1}`},
		},
		nonTxSetup: []string{"CREATE TABLE dt_nt (a int)"},
		nonTx:      []string{"VACUUM"},
		tx:         []string{"CREATE INDEX dt_nt_idx ON dt_nt (a)", "INSERT INTO dt_nt VALUES (1)", "ALTER TABLE dt_nt ADD COLUMN b int"},
	},
}
