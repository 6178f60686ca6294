package sqllex

import (
	"fmt"
	"strings"
	"testing"
)

// benchScript generates about size bytes of a realistic script in the flavor's syntax.
func benchScript(f Flavor, size int) string {
	var b strings.Builder
	for i := 0; b.Len() < size; i++ {
		fmt.Fprintf(&b, "-- table %d\nCREATE TABLE app.t%d (\n  id bigint PRIMARY KEY, -- the key\n  name varchar(100) NOT NULL DEFAULT 'none',\n  created_at timestamp /* UTC */ NOT NULL\n);\n", i, i)
		fmt.Fprintf(&b, "INSERT INTO app.t%d (id, name, created_at) VALUES (1, 'it''s here; really', '2024-01-01'), (2, 'two', '2024-01-02');\n", i)
		fmt.Fprintf(&b, "CREATE INDEX t%d_name ON app.t%d (name);\n", i, i)
		switch f {
		case Postgres:
			fmt.Fprintf(&b, "CREATE FUNCTION app.f%d(p integer) RETURNS integer AS $fn$\nBEGIN\n  -- count rows\n  RETURN (SELECT count(*) FROM app.t%d WHERE id > p);\nEND;\n$fn$ LANGUAGE plpgsql;\n", i, i)
		case MySQL:
			fmt.Fprintf(&b, "CREATE PROCEDURE p%d(IN x INT)\nBEGIN\n  IF x > 0 THEN\n    SELECT COUNT(*) FROM t%d WHERE id > x;\n  END IF;\nEND;\n", i, i)
		case SQLite:
			fmt.Fprintf(&b, "CREATE TRIGGER tr%d AFTER INSERT ON t%d\nBEGIN\n  UPDATE t%d SET name = upper(new.name) WHERE id = new.id;\nEND;\n", i, i, i)
		}
	}
	return b.String()
}

func BenchmarkSplit(b *testing.B) {
	for _, f := range []Flavor{Postgres, MySQL, SQLite} {
		src := benchScript(f, 1<<20)
		b.Run(f.String(), func(b *testing.B) {
			b.SetBytes(int64(len(src)))
			for b.Loop() {
				if _, err := Split(src, Options{Flavor: f}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkIdentifiers(b *testing.B) {
	for _, f := range []Flavor{Postgres, MySQL, SQLite} {
		src := benchScript(f, 1<<20)
		b.Run(f.String(), func(b *testing.B) {
			b.SetBytes(int64(len(src)))
			for b.Loop() {
				n := 0
				Identifiers(src, f, func(Ident) { n++ })
			}
		})
	}
}

func BenchmarkNormalize(b *testing.B) {
	src := benchScript(Postgres, 1<<20)
	b.SetBytes(int64(len(src)))
	for b.Loop() {
		Normalize(src, Postgres)
	}
}

// The generated script itself must split as intended, or the benchmark measures nothing.
func TestBenchScript(t *testing.T) {
	for _, f := range []Flavor{Postgres, MySQL, SQLite} {
		src := benchScript(f, 1<<14)
		stmts, err := Split(src, Options{Flavor: f})
		if err != nil {
			t.Fatal(err)
		}
		if n := strings.Count(src, "CREATE TABLE"); len(stmts) != 4*n {
			t.Errorf("%v: %d statements for %d tables, want 4 per table", f, len(stmts), n)
		}
	}
}
