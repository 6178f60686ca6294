package move

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestCheck(t *testing.T) {
	const file = "moves/users_to_accounts.yaml"
	type tc struct {
		name  string
		yaml  string // "" means the fixture
		setup func(*testing.T, *Move)
		only  func(target) bool // nil: every target
		// want lists the exact messages; a message ending in "..." is matched as a prefix, and
		// contains (per message) must appear in it.
		want     func(m *Move) []string
		contains []string
	}
	shared := func(tg target) bool { return tg.shared }
	cases := []tc{
		{name: "clean", want: func(*Move) []string { return nil }},
		{
			name:  "missing table",
			setup: func(t *testing.T, m *Move) { m.A.Table = "nosuch" },
			want: func(m *Move) []string {
				return []string{file + ":1: table " + m.A.String() + " (A, written under from) does not exist; create it with a deploy first"}
			},
		},
		{
			name: "missing column",
			yaml: strings.Replace(fixtureYAML, "  full_name: CONCAT", "  fullname: CONCAT", 1),
			want: func(m *Move) []string {
				return []string{file + `:6: mapping: column "fullname" does not exist in B ` + m.B.String()}
			},
		},
		{
			name: "expression on a missing A column",
			yaml: strings.Replace(fixtureYAML, "lower(email)", "lower(emial)", 1),
			want: func(m *Move) []string {
				return []string{file + ":7: mapping email: lower(emial) does not evaluate on A " + m.A.String() + ": ..."}
			},
			contains: []string{"emial"},
		},
		{
			name: "reverse expression on a missing B column",
			yaml: strings.Replace(fixtureYAML, "  first_name: full_name", "  first_name: fullname", 1),
			want: func(m *Move) []string {
				return []string{file + ":11: reverse mapping first_name: fullname does not evaluate on B " + m.B.String() + ": ..."}
			},
			contains: []string{"fullname"},
		},
		{
			name: "duplicate and null keys",
			setup: func(t *testing.T, m *Move) {
				mustExec(t, m.A.DB, "DROP TABLE users")
				mustExec(t, m.A.DB, "CREATE TABLE users (id bigint, first_name varchar(50), last_name varchar(50), email varchar(100), note text)")
				insertUsers(t, m.A, 1, 10)
				insertUsers(t, m.A, 5, 6)
				mustExec(t, m.A.DB, "INSERT INTO users (id, email) VALUES (NULL, 'x@y.z')")
			},
			want: func(m *Move) []string {
				return []string{
					file + ":3: key (id) is not unique in A " + m.A.String() + ": 2 duplicated keys, e.g. (5), (6); make it unique (a primary key or unique index) before the move",
					file + ":3: key (id) is NULL in 1 rows of A " + m.A.String() + "; give every row a key before the move",
					file + ":7: mapped rows of A violate the unique key accounts_email_key (email) of B: A keys (5), (6); fix those rows or the mapping",
				}
			},
		},
		{
			name: "primary key of B is not the key",
			setup: func(t *testing.T, m *Move) {
				mustExec(t, m.B.DB, "DROP TABLE accounts")
				mustExec(t, m.B.DB, "CREATE TABLE accounts (id bigint NOT NULL, full_name varchar(120), email varchar(100) NOT NULL PRIMARY KEY, remark text)")
			},
			want: func(m *Move) []string {
				return []string{file + ":3: the primary key of B " + m.B.String() + " is (email), but the move's key is (id); they must be the same columns in the same order"}
			},
		},
		{
			name:  "type error in one database",
			yaml:  strings.Replace(fixtureYAML, "  remark: note", "  remark: note\n  age: note", 1),
			setup: func(t *testing.T, m *Move) { mustExec(t, m.B.DB, "ALTER TABLE accounts ADD COLUMN age integer") },
			only:  func(tg target) bool { return tg.name == "postgres" },
			want: func(m *Move) []string {
				return []string{file + ":9: mapping age: the value of note cannot be stored in B's column age: ..."}
			},
			contains: []string{`column "age" is of type integer but expression is of type text`},
		},
		{
			// Every problem is reported: an entry that does not evaluate does not hide a type
			// problem in another, and two type problems are both named.
			name: "several problems in one mapping",
			yaml: strings.Replace(strings.Replace(fixtureYAML, "  remark: note", "  remark: note\n  age: note\n  score: first_name", 1), "lower(email)", "lower(emial)", 1),
			setup: func(t *testing.T, m *Move) {
				mustExec(t, m.B.DB, "ALTER TABLE accounts ADD COLUMN age integer")
				mustExec(t, m.B.DB, "ALTER TABLE accounts ADD COLUMN score integer")
			},
			only: func(tg target) bool { return tg.name == "postgres" },
			want: func(m *Move) []string {
				return []string{
					file + ":7: mapping email: lower(emial) does not evaluate on A " + m.A.String() + ": ...",
					file + ":9: mapping age: the value of note cannot be stored in B's column age: ...",
					file + ":10: mapping score: the value of first_name cannot be stored in B's column score: ...",
				}
			},
		},
		{
			name:  "type error across databases",
			yaml:  strings.Replace(fixtureYAML, "  remark: note", "  remark: note\n  age: note", 1),
			setup: func(t *testing.T, m *Move) { mustExec(t, m.B.DB, "ALTER TABLE accounts ADD COLUMN age integer") },
			only:  func(tg target) bool { return !shared(tg) },
			want: func(m *Move) []string {
				return []string{file + ":9: mapping age: note gives text values (text) in A, but B's column age is integer; the types look incompatible: convert in the expression"}
			},
		},
		{
			name: "unique key of B violated by mapped rows",
			setup: func(t *testing.T, m *Move) {
				insertUsers(t, m.A, 1, 40)
				mustExec(t, m.A.DB, "UPDATE users SET email = 'Dup@Example.com' WHERE id = 17")
				mustExec(t, m.A.DB, "UPDATE users SET email = 'DUP@example.com' WHERE id = 33")
			},
			want: func(m *Move) []string {
				return []string{file + ":7: mapped rows of A violate the unique key accounts_email_key (email) of B: A keys (17), (33); fix those rows or the mapping"}
			},
		},
	}
	for _, tg := range targets {
		for _, c := range cases {
			if c.only != nil && !c.only(tg) {
				continue
			}
			t.Run(tg.name+"/"+c.name, func(t *testing.T) {
				y := c.yaml
				if y == "" {
					y = fixtureYAML
				}
				m := newMoveYAML(t, tg, y)
				if c.setup != nil {
					c.setup(t, m)
				}
				rep, err := m.Check(testCtx(t))
				if err != nil {
					t.Fatal(err)
				}
				var got []string
				for _, p := range rep.Problems {
					got = append(got, p.Message)
				}
				want := c.want(m)
				if len(got) == len(want) {
					for i := range want {
						if p, ok := strings.CutSuffix(want[i], "..."); ok && strings.HasPrefix(got[i], p) {
							want[i] = got[i]
						}
					}
				}
				if d := cmp.Diff(want, got); d != "" {
					t.Fatalf("problems (-want +got):\n%s", d)
				}
				for _, s := range c.contains {
					if !strings.Contains(rep.String(), s) {
						t.Errorf("report does not mention %q:\n%s", s, rep)
					}
				}
				if rep.OK() != (len(want) == 0) {
					t.Errorf("OK() = %v with %d problems", rep.OK(), len(want))
				}
			})
		}
	}
}

func TestCheckReportString(t *testing.T) {
	r := &CheckReport{Move: "m", Problems: []Problem{{Kind: KeyProblem, Message: "a.yaml:3: one"}, {Kind: TypeProblem, Message: "a.yaml:4: two"}}}
	if got, want := r.String(), "move m: 2 problems\n  a.yaml:3: one\n  a.yaml:4: two"; got != want {
		t.Fatalf("String() = %q; want %q", got, want)
	}
	if got := (&CheckReport{Move: "m"}).String(); got != "move m: ready" {
		t.Fatalf("String() = %q", got)
	}
}
