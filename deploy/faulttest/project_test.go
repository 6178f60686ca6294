package faulttest

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tandem-db/tandem"
)

// The generated project: big enough that a deploy takes a few hundred milliseconds on SQLite
// (seconds on MariaDB, whose DDL is slower), so that random kills land in every kind of step.
const (
	numTables  = 40 // three changes each
	numViews   = 20 // chains of up to four views over the tables
	numLookups = 4  // tables kept equal to a static data CSV
)

// model is what the generated project deploys, change by change, with a probe per statement
// that tells whether the statement's effect is in the database.
type model struct {
	files   map[string]string // path -> content, without tandem.yaml
	changes []*change
}

// change is one change of the project as history names it.
type change struct {
	typ    tandem.ObjectType
	object string
	name   string
	stmts  []probe // one per statement, in order; one for a whole stateless object or data file
}

func (c *change) id() string { return string(c.typ) + "." + c.object + "/" + c.name }

// probe tells whether one statement took effect: it is applied when query succeeds and
// returns a count that is positive (want 0) or equal to want. A count between 0 and want is a
// torn write.
type probe struct {
	stmt  string
	ddl   bool // on MariaDB the statement commits on its own, outside the progress row's transaction
	alone bool // on every database the statement commits on its own (a change with transaction=off)
	query func(d *database) string
	want  int
}

// generate writes the project's object files for a database of kind dialect and describes
// what each change does. Without data, the lookup tables get no static data CSV.
func generate(data bool, dialect string) *model {
	m := &model{files: map[string]string{}}
	tbl := func(i int) string { return fmt.Sprintf("t%02d", i) }
	exists := func(name string) func(d *database) string {
		return func(d *database) string { return "SELECT COUNT(*) + 1 FROM " + d.object(name) }
	}
	count := func(name, where string) func(d *database) string {
		return func(d *database) string { return "SELECT COUNT(*) FROM " + d.object(name) + " WHERE " + where }
	}
	for i := 1; i <= numLookups; i++ {
		name := fmt.Sprintf("lk%d", i)
		create := fmt.Sprintf("create table %s (\n    code varchar(10) primary key,\n    label varchar(100) not null\n);", name)
		m.files["app/table/"+name+".sql"] = "-- tandem:change create\n" + create + "\n-- tandem:rollback\ndrop table " + name + ";\n"
		m.changes = append(m.changes, &change{typ: tandem.Table, object: name, name: "create", stmts: []probe{{stmt: create, ddl: true, query: exists(name)}}})
		if data {
			m.files["app/staticdata/"+name+".csv"] = "code,label\nA,Alpha\nB,Bravo\nC,Charlie " + name + "\n"
			m.changes = append(m.changes, &change{typ: tandem.StaticData, object: name, name: name,
				stmts: []probe{{stmt: "static data", query: count(name, "code IN ('A', 'B', 'C')"), want: 3}}})
		}
	}
	for i := 1; i <= numTables; i++ {
		name := tbl(i)
		fk := ""
		if i%3 == 0 {
			fk = fmt.Sprintf(",\n    constraint fk_%s_parent foreign key (parent_id) references %s (id)", name, tbl(i-1))
		}
		create := fmt.Sprintf("create table %s (\n    id integer primary key,\n    name varchar(100) not null,\n    parent_id integer%s\n);", name, fk)
		addNote := fmt.Sprintf("alter table %s add column note varchar(200);", name)
		addScore := fmt.Sprintf("alter table %s add column score integer default 0;", name)
		ins1 := fmt.Sprintf("insert into %s (id, name) values (1, 'one');", name)
		ins2 := fmt.Sprintf("insert into %s (id, name) values (2, 'two');", name)
		index := fmt.Sprintf("create index ix_%s_name on %s (name);", name, name)
		update := fmt.Sprintf("update %s set note = 'indexed' where id = 1;", name)

		second := []probe{{stmt: addNote, ddl: true, query: func(d *database) string {
			return "SELECT COUNT(note) + 1 FROM " + d.object(name)
		}}}
		if i%2 == 0 {
			second = append(second, probe{stmt: addScore, ddl: true, query: func(d *database) string {
				return "SELECT COUNT(score) + 1 FROM " + d.object(name)
			}})
		}
		second = append(second,
			probe{stmt: ins1, query: count(name, "id = 1")},
			probe{stmt: ins2, query: count(name, "id = 2")})
		var body []string
		for _, p := range second {
			body = append(body, p.stmt)
		}
		var b strings.Builder
		fmt.Fprintf(&b, "-- tandem:change create\n%s\n-- tandem:rollback\ndrop table %s;\n\n", create, name)
		fmt.Fprintf(&b, "-- tandem:change add_note\n%s\n\n", strings.Join(body, "\n"))
		fmt.Fprintf(&b, "-- tandem:change idx\n%s\n%s\n", index, update)
		m.files["app/table/"+name+".sql"] = b.String()
		m.changes = append(m.changes,
			&change{typ: tandem.Table, object: name, name: "create", stmts: []probe{{stmt: create, ddl: true, query: exists(name)}}},
			&change{typ: tandem.Table, object: name, name: "add_note", stmts: second},
			&change{typ: tandem.Table, object: name, name: "idx", stmts: []probe{
				{stmt: index, ddl: true, query: func(d *database) string { return d.indexQuery("ix_" + name + "_name") }},
				{stmt: update, query: count(name, "id = 1 AND note = 'indexed'")},
			}})
	}
	m.onlineIndexes(dialect)
	for i := 1; i <= numViews; i++ {
		name := fmt.Sprintf("v%02d", i)
		base := tbl(2*i - 1)
		var def string
		if i%4 == 1 {
			def = fmt.Sprintf("create view %s as\nselect id, name, note from %s;\n", name, base)
		} else {
			def = fmt.Sprintf("create view %s as\nselect a.id, a.name, b.note\nfrom v%02d a\njoin %s b on b.id = a.id;\n", name, i-1, base)
		}
		m.files["app/view/"+name+".sql"] = def
		m.changes = append(m.changes, &change{typ: tandem.View, object: name, name: name, stmts: []probe{{stmt: def, ddl: true, query: exists(name)}}})
	}
	return m
}

// bigRows is how many rows the table big holds: enough that building an index on it takes long
// enough for random kills to land inside the build.
const bigRows = 40000

// onlineIndexes adds the table big, filled in its first change, and a change with
// transaction=off that builds two indexes on it the way each database builds them without
// blocking writes: CREATE INDEX CONCURRENTLY on PostgreSQL (a build killed part way leaves an
// invalid index), ALGORITHM=INPLACE, LOCK=NONE on MariaDB, a plain CREATE INDEX on SQLite.
func (m *model) onlineIndexes(dialect string) {
	var fill, online, unique string
	switch dialect {
	case "postgres":
		fill = fmt.Sprintf("insert into big select g, 'v' || (g %% 997), g * 7 from generate_series(1, %d) g;", bigRows)
		online, unique = "create index concurrently big_v on big (v, w);", "create unique index concurrently big_w on big (w);"
	case "mysql":
		fill = fmt.Sprintf("insert into big select seq, concat('v', seq %% 997), seq * 7 from seq_1_to_%d;", bigRows)
		online, unique = "create index big_v on big (v, w) algorithm=inplace lock=none;", "create unique index big_w on big (w) algorithm=inplace lock=none;"
	default:
		fill = fmt.Sprintf("insert into big with recursive g(x) as (select 1 union all select x + 1 from g where x < %d) select x, 'v' || (x %% 997), x * 7 from g;", bigRows)
		online, unique = "create index big_v on big (v, w);", "create unique index big_w on big (w);"
	}
	create := "create table big (\n    id integer primary key,\n    v varchar(20) not null,\n    w bigint not null\n);"
	m.files["app/table/big.sql"] = "-- tandem:change create\n" + create + "\n" + fill + "\n-- tandem:rollback\ndrop table big;\n\n" +
		"-- tandem:change online_idx transaction=off\n" + online + "\n" + unique + "\n"
	index := func(name string) func(d *database) string {
		return func(d *database) string { return d.indexQuery(name) }
	}
	m.changes = append(m.changes,
		&change{typ: tandem.Table, object: "big", name: "create", stmts: []probe{
			{stmt: create, ddl: true, query: func(d *database) string { return "SELECT COUNT(*) + 1 FROM " + d.object("big") }},
			{stmt: fill, query: func(d *database) string { return "SELECT COUNT(*) FROM " + d.object("big") }, want: bigRows},
		}},
		&change{typ: tandem.Table, object: "big", name: "online_idx", stmts: []probe{
			{stmt: online, ddl: true, alone: true, query: index("big_v")},
			{stmt: unique, ddl: true, alone: true, query: index("big_w")},
		}})
}

// write puts the project into dir with a tandem.yaml whose environment "test" maps the logical
// schema app to phys.
func (m *model) write(t *testing.T, dir, phys string) {
	t.Helper()
	files := map[string]string{"tandem.yaml": "schemas: [app]\nenvironments:\n  test:\n    allow_clean: true\n"}
	if phys != "" {
		files["tandem.yaml"] += "    schemas: {app: " + phys + "}\n"
	}
	for name, text := range m.files {
		files[name] = text
	}
	for name, text := range files {
		path := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
