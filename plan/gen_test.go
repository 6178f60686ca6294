package plan

import (
	"fmt"
	"math/rand"
	"strings"
	"testing"

	"github.com/tandem-db/tandem"
)

// genConfig says how large a generated project is.
type genConfig struct {
	tables, views, functions, data int
	seed                           int64
}

// scaled splits n objects the way a real schema tends to: 40% tables, 30% views, 20% functions,
// 10% static data.
func scaled(n int) genConfig {
	return genConfig{tables: n * 4 / 10, views: n * 3 / 10, functions: n * 2 / 10, data: n / 10, seed: 1}
}

// generate makes a realistic project: tables with foreign keys to earlier tables added in later
// changes, views over one to three tables or earlier views (those in schema rpt name app's
// objects qualified), functions that query tables, and static data for some tables.
func generate(c genConfig) []*tandem.Object {
	r := rand.New(rand.NewSource(c.seed))
	var objs []*tandem.Object
	tname := func(i int) string { return fmt.Sprintf("t%05d", i) }
	for i := 0; i < c.tables; i++ {
		name := tname(i)
		changes := []chg{{name: "create", sql: fmt.Sprintf(
			"create table %s (\n  id bigint primary key,\n  name varchar(100) not null,\n  status int default 0,\n  created_at timestamp not null -- when it arrived\n);", name)}}
		if i > 0 {
			p := tname(r.Intn(i))
			changes = append(changes, chg{name: "fk", sql: fmt.Sprintf(
				"alter table %s add column %s_id bigint;\nalter table %s add constraint fk_%s_%s foreign key (%s_id) references %s (id);", name, p, name, name, p, p, p)})
		}
		if i%3 == 0 {
			changes = append(changes, chg{name: "idx", sql: fmt.Sprintf("create index ix_%s_name on %s (name, status);", name, name)})
		}
		objs = append(objs, table(name, changes...))
	}
	type viewRef struct{ schema, name string }
	var views []viewRef
	for i := 0; i < c.views; i++ {
		schema := "app"
		if i%2 == 1 {
			schema = "rpt"
		}
		name := fmt.Sprintf("v%05d", i)
		k := 1 + r.Intn(3)
		var from []string
		for j := 0; j < k; j++ {
			src := "app." + tname(r.Intn(max(c.tables, 1)))
			if len(views) > 0 && r.Intn(3) == 0 {
				v := views[r.Intn(len(views))]
				src = v.schema + "." + v.name
			}
			if schema == "app" && strings.HasPrefix(src, "app.") {
				src = strings.TrimPrefix(src, "app.")
			}
			from = append(from, fmt.Sprintf("%s s%d", src, j))
		}
		sql := fmt.Sprintf("create view %s as\nselect s0.id, s0.name, count(*) as n\n  from %s\n where s0.id > 0 /* recent only */\n group by s0.id, s0.name;",
			name, strings.Join(from, "\n  join "))
		for j := 1; j < k; j++ {
			sql = strings.Replace(sql, fmt.Sprintf(" s%d\n", j), fmt.Sprintf(" s%d on s%d.id = s0.id\n", j, j), 1)
		}
		objs = append(objs, stateless(schema, tandem.View, name, sql))
		views = append(views, viewRef{schema, name})
	}
	for i := 0; i < c.functions; i++ {
		name := fmt.Sprintf("f%05d", i)
		t := tname(r.Intn(max(c.tables, 1)))
		sql := fmt.Sprintf("create or replace function %s(p_id bigint) returns bigint as $$\n  select count(*) from %s where id = p_id and status <> 0\n$$ language sql stable;", name, t)
		objs = append(objs, stateless("app", tandem.Function, name, sql))
	}
	for i := 0; i < c.data && i < c.tables; i++ {
		objs = append(objs, staticData(tname(i*max(c.tables/max(c.data, 1), 1)), []string{"id", "name"}, []string{"1", "one"}, []string{"2", "NULL"}))
	}
	return objs
}

func genProject(n int) *tandem.Project {
	p := project(generate(scaled(n))...)
	p.Config.Schemas = []string{"app", "rpt"}
	return p
}

func TestGeneratedProjectOrders(t *testing.T) {
	p := genProject(2000)
	g, err := Build(p, Options{Env: testEnv(), Dialect: "postgres"})
	if err != nil {
		t.Fatal(err)
	}
	order, err := g.Order()
	if err != nil {
		t.Fatal(err)
	}
	pos := make(map[*Node]int, len(order))
	for i, n := range order {
		pos[n] = i
	}
	for _, e := range g.Edges {
		if pos[e.From] < pos[e.To] {
			t.Fatalf("%s placed before what it depends on", e)
		}
	}
	kinds := map[EdgeKind]int{}
	for _, e := range g.Edges {
		kinds[e.Kind]++
	}
	// Every table but the first has a foreign key; every view, function and data table has at
	// least one edge.
	if kinds[Reference] < 800+600+400 || kinds[Data] < 200 || kinds[Sequence] < 800 {
		t.Errorf("generated project has too few edges: %v", kinds)
	}
}

func benchmarkBuild(b *testing.B, n int) {
	p := genProject(n)
	o := Options{Env: testEnv(), Dialect: "postgres"}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		g, err := Build(p, o)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := g.Order(); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkBuild10k measures Build and Order for a generated project of 10,000 objects.
func BenchmarkBuild10k(b *testing.B) { benchmarkBuild(b, 10000) }

// BenchmarkBuild50k measures Build and Order for a generated project of 50,000 objects.
func BenchmarkBuild50k(b *testing.B) { benchmarkBuild(b, 50000) }
