package project

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/tandem-db/tandem"
)

// moveFixtureYAML is a complete move file, a seed of FuzzParseMove.
const moveFixtureYAML = `from: {table: users}
to: {table: accounts}
key: [id]
mapping:
  id: id
  full_name: CONCAT(first_name, ' ', last_name)
  email: lower(email)
  remark: note
reverse:
  id: id
  first_name: full_name
  last_name: "''"
  email: email
  note: remark
`

func TestLoadMoveDefinitions(t *testing.T) {
	defs, err := LoadMoveDefinitions(os.DirFS("testdata/moveproject"))
	if err != nil {
		t.Fatal(err)
	}
	want := []*tandem.MoveDefinition{
		{
			Name: "orders", File: "moves/orders.yml",
			From:     tandem.MoveTable{URL: "mysql://root@127.0.0.1:3306/shop", Name: "orders", Line: 1},
			To:       tandem.MoveTable{Name: "orders_v2", Line: 2},
			Key:      []string{"shop", "number"},
			KeyFrom:  []string{"shop_id", "order_no"},
			KeyLine:  3,
			Mapping:  []tandem.ColumnMap{{Column: "shop", Expr: "shop_id", Line: 6}, {Column: "number", Expr: "order_no", Line: 7}, {Column: "total", Expr: "amount_cents / 100.0", Line: 8}},
			Batch:    tandem.MoveBatchSettings{Size: 1000, Target: 250 * time.Millisecond},
			Throttle: tandem.MoveThrottleSettings{Polite: true, Nice: tandem.DefaultMoveNice},
			Store:    "sql",
		},
		{
			Name: "users_to_accounts", File: "moves/users_to_accounts.yaml",
			From:    tandem.MoveTable{Env: "prod", Schema: "public", Name: "users", Line: 2},
			To:      tandem.MoveTable{Schema: "public", Name: "accounts", Line: 3},
			Key:     []string{"id"},
			KeyFrom: []string{"id"},
			KeyLine: 4,
			Mapping: []tandem.ColumnMap{{Column: "id", Expr: "id", Line: 6}, {Column: "full_name", Expr: "first_name || ' ' || last_name", Line: 7}, {Column: "email", Expr: "lower(email)", Line: 8}, {Column: "remark", Expr: "note", Line: 9}},
			Reverse: []tandem.ColumnMap{{Column: "id", Expr: "id", Line: 11}, {Column: "first_name", Expr: "full_name", Line: 12}},
			Batch:   tandem.MoveBatchSettings{Size: 500, Target: 100 * time.Millisecond, MaxRows: 2000},
			Workers: 3,
			Throttle: tandem.MoveThrottleSettings{MaxReplicaLag: 5 * time.Second, MaxActiveSessions: 40,
				Check: "SELECT count(*) > 10 FROM pg_locks WHERE NOT granted", CheckLine: 17, Polite: false},
			Store: "redis://localhost:6379/0",
		},
	}
	if d := cmp.Diff(want, defs); d != "" {
		t.Fatalf("definitions (-want +got):\n%s", d)
	}
}

func TestLoadMoveDefinitionsNoFolder(t *testing.T) {
	defs, err := LoadMoveDefinitions(fstest.MapFS{"tandem.yaml": {Data: []byte("x: 1")}})
	if err != nil || defs != nil {
		t.Fatalf("LoadMoveDefinitions without moves/ = %v, %v; want nothing", defs, err)
	}
}

// Load reads the moves with the rest of the project; a broken move file does not fail it.
func TestLoadReadsMoves(t *testing.T) {
	fsys := fstest.MapFS{
		"app/table/t.sql":  {Data: []byte("CREATE TABLE t (id int);\n")},
		"moves/a.yaml":     {Data: []byte("from: {table: a}\nto: {table: b}\nkey: id\nmapping: {id: id}\n")},
		"moves/other.yaml": {Data: []byte("from: {table: users\n")},
	}
	p, err := Load(fsys, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Moves.Defs) != 1 || p.Moves.Defs[0].Name != "a" || p.Moves.Defs[0].File != "moves/a.yaml" {
		t.Errorf("Project.Moves.Defs = %+v; want move a", p.Moves.Defs)
	}
	if len(p.Moves.Broken) != 1 || p.Moves.Broken[0].Name != "other" {
		t.Fatalf("Project.Moves.Broken = %+v; want other", p.Moves.Broken)
	}
	var fe *FileError
	if !errors.As(p.Moves.Broken[0].Err, &fe) || fe.File != "moves/other.yaml" || fe.Line != 1 {
		t.Errorf("broken move error %v; want a *FileError at moves/other.yaml:1", p.Moves.Broken[0].Err)
	}
	for _, w := range p.Warnings {
		if strings.Contains(w, "moves") {
			t.Errorf("warning about the moves folder: %s", w)
		}
	}
}

func TestDefinitionErrors(t *testing.T) {
	const f = "moves/m.yaml"
	base := "from: {table: a}\nto: {table: b}\nkey: [id]\nmapping:\n  id: id\n"
	cases := []struct {
		name, yaml string
		want       []string
	}{
		{"unknown key", base + "colour: red\n", []string{f + `:6: unknown key "colour"; a move has from, to, key, key_from, mapping, reverse, batch, throttle and store`}},
		{"unknown table key", "from: {table: a, tabel: x}\nto: {table: b}\nkey: [id]\nmapping:\n  id: id\n", []string{f + `:1: unknown key "tabel" in from; write env, url, schema and table`}},
		{"missing parts", "from: {table: a}\n", []string{f + ":1: to is missing", f + ":1: key is missing", f + ":1: mapping is missing"}},
		{"no table", "from: {schema: s}\nto: {table: b}\nkey: [id]\nmapping:\n  id: id\n", []string{f + ":1: from names no table"}},
		{"env and url", "from: {table: a, env: x, url: 'postgres://h/d'}\nto: {table: b}\nkey: [id]\nmapping:\n  id: id\n", []string{f + ":1: from has both env and url; write one"}},
		{"mapped twice", base + "  ID: other\n", []string{f + `:6: column "ID" is mapped twice`}},
		{"empty expression", base + "  name: ''\n", []string{f + `:6: column "name" is mapped from an empty expression`}},
		{"key not mapped", "from: {table: a}\nto: {table: b}\nkey: [id]\nmapping:\n  name: n\n", []string{f + `:3: key column "id" has no mapping; map it from A's key column`}},
		{"key from expression", "from: {table: a}\nto: {table: b}\nkey: [id]\nmapping:\n  id: id + 1\n", []string{f + `:5: key column "id" is mapped from the expression "id + 1"; a key is copied as it is: map it from one A column, or name A's key columns with key_from`}},
		{"key_from length", base + "key_from: [a, b]\n", []string{f + ":3: key has 1 columns but key_from has 2; list one A column per key column"}},
		{"bad batch size", base + "batch: {size: -3}\n", []string{f + `:6: batch size is "-3"; write a whole number above zero`}},
		{"bad target", base + "batch: {target: soon}\n", []string{f + `:6: batch target is "soon"; write a duration such as 250ms or 5s`}},
		{"unknown batch key", base + "batch: {sise: 3}\n", []string{f + `:6: unknown key "sise" in batch; write size, target, max_rows and workers`}},
		{"too many workers", base + "batch: {workers: 65}\n", []string{f + `:6: batch workers is 65; write 1 to 64 (a backfill has at most 64 parts)`}},
		{"no workers", base + "batch: {workers: 0}\n", []string{f + `:6: batch workers is "0"; write a whole number above zero`}},
		{"bad polite", base + "throttle: {polite: maybe}\n", []string{f + `:6: polite is "maybe"; write true or false`}},
		{"bad lag", base + "throttle: {max_replica_lag: 5}\n", []string{f + `:6: max_replica_lag is "5"; write a duration such as 250ms or 5s`}},
		{"bad store", base + "store: etcd\n", []string{f + `:6: store is "etcd"; write sql or a redis:// URL`}},
		{"bad store variable", base + "store: x${REDIS_URL}\n", []string{f + `:6: store is "x${REDIS_URL}"; write sql or a redis:// URL`}},
		{"written twice", base + "store: sql\nstore: sql\n", []string{f + ":7: store is written twice"}},
		{"mapping not a map", "from: {table: a}\nto: {table: b}\nkey: [id]\nmapping: [id]\n", []string{f + ":4: a mapping is a list of column: expression entries"}},
		{"not yaml", "from: {table: a\n", []string{f + ":1: not valid YAML: did not find expected ',' or '}'"}},
		{"empty", "", []string{f + ": empty file; a move needs from, to, key and mapping"}},
		{"not a mapping", "- a\n", []string{f + ":1: move must be a mapping of keys to values"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseMove(f, []byte(tc.yaml))
			if err == nil {
				t.Fatal("no error")
			}
			var got []string
			for _, e := range unjoin(err) {
				var fe *FileError
				if !errors.As(e, &fe) {
					t.Fatalf("error %v is not a *FileError", e)
				}
				got = append(got, e.Error())
			}
			if d := cmp.Diff(tc.want, got); d != "" {
				t.Fatalf("errors (-want +got):\n%s", d)
			}
		})
	}
}

func unjoin(err error) []error {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		return j.Unwrap()
	}
	return []error{err}
}

func TestLoadMoveDefinitionsCollectsEveryFile(t *testing.T) {
	fsys := fstest.MapFS{
		"moves/a.yaml": {Data: []byte("from: {table: a}\nbogus: 1\n")},
		"moves/b.yaml": {Data: []byte("from: {table: a}\nto: {table: b}\nkey: id\nmapping: {id: id}\n")},
		"moves/B.yml":  {Data: []byte("from: {table: a}\nto: {table: b}\nkey: id\nmapping: {id: id}\n")},
		"moves/c.txt":  {Data: []byte("ignored")},
	}
	_, err := LoadMoveDefinitions(fsys)
	var lines []string
	for _, e := range unjoin(err) {
		for _, ee := range unjoin(e) {
			lines = append(lines, ee.Error())
		}
	}
	want := []string{
		`moves/a.yaml:2: unknown key "bogus"; a move has from, to, key, key_from, mapping, reverse, batch, throttle and store`,
		"moves/a.yaml:1: to is missing",
		"moves/a.yaml:1: key is missing",
		"moves/a.yaml:1: mapping is missing",
		`moves/b.yaml: move "b" is also defined in moves/B.yml; rename one file`,
	}
	if d := cmp.Diff(want, lines); d != "" {
		t.Fatalf("errors (-want +got):\n%s", d)
	}
}

func FuzzParseMove(f *testing.F) {
	for _, s := range []string{
		moveFixtureYAML,
		"from: a\nto: b\nkey: id\nmapping: {id: id}\n",
		"from: {table: a}\nto: {table: b}\nkey: [k1, k2]\nkey_from: [a, b]\nmapping:\n  k1: a\n  k2: b\nbatch: {size: 5, target: 1s, max_rows: 9}\nthrottle: {polite: false, check: SELECT 1}\n",
		"from: {table: a\n",
		"- x\n",
		"mapping: {\"\\\"q\\\"\": \"\\\"q\\\"\"}\nkey: '\"q\"'\nfrom: a\nto: b\n",
		"&a [*a]",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := ParseMove("moves/f.yaml", []byte(s))
		if err != nil {
			for _, e := range unjoin(err) {
				var fe *FileError
				if !errors.As(e, &fe) {
					t.Fatalf("error %v is not a *FileError", e)
				}
			}
			return
		}
		if d.From.Name == "" || d.To.Name == "" || len(d.Key) == 0 || len(d.Mapping) == 0 || len(d.KeyFrom) != len(d.Key) {
			t.Fatalf("accepted an incomplete definition: %+v", d)
		}
	})
}

func TestLoadMovesKeepsBrokenFilesApart(t *testing.T) {
	good := []byte("from: {table: a}\nto: {table: b}\nkey: id\nmapping: {id: id}\n")
	fsys := fstest.MapFS{
		"moves/a.yaml":     {Data: good},
		"moves/other.yaml": {Data: []byte("from: {table: users\n")},
		"moves/c.yaml":     {Data: good},
		"moves/C.yml":      {Data: good},
	}
	cat, err := LoadMoves(fsys)
	if err != nil {
		t.Fatal(err)
	}
	var defs []string
	for _, d := range cat.Defs {
		defs = append(defs, d.Name)
	}
	var broken []string
	for _, b := range cat.Broken {
		for _, p := range MoveProblems(b) {
			broken = append(broken, fmt.Sprintf("%s %s:%d %s", b.Name, p.File, p.Line, p.Err))
		}
	}
	if d := cmp.Diff([]string{"C", "a"}, defs); d != "" {
		t.Errorf("definitions (-want +got):\n%s", d)
	}
	want := []string{
		`c moves/c.yaml:0 move "c" is also defined in moves/C.yml; rename one file`,
		"other moves/other.yaml:1 not valid YAML: did not find expected ',' or '}'",
	}
	if d := cmp.Diff(want, broken); d != "" {
		t.Errorf("broken (-want +got):\n%s", d)
	}
	if d, b := cat.Lookup("a"); d == nil || b != nil {
		t.Errorf("Lookup(a) = %v, %v; want the definition", d, b)
	}
	if d, b := cat.Lookup("other"); d != nil || b == nil || b.File != "moves/other.yaml" {
		t.Errorf("Lookup(other) = %v, %v; want the broken file", d, b)
	}
	// Two files of one move: neither is usable until one is renamed.
	if d, b := cat.Lookup("C"); d != nil || b == nil {
		t.Errorf("Lookup(C) = %v, %v; want the duplicate's problem", d, b)
	}
	if d, b := cat.Lookup("nope"); d != nil || b != nil {
		t.Errorf("Lookup(nope) = %v, %v; want neither", d, b)
	}
	if d := cmp.Diff([]string{"C", "a", "c", "other"}, cat.Names()); d != "" {
		t.Errorf("Names (-want +got):\n%s", d)
	}
}
