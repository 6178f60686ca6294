package plan

import (
	"testing"

	"github.com/tandem-db/tandem"
)

func TestRollbackCorrections(t *testing.T) {
	withRollback := func(rb string) *tandem.Object {
		o := table("t", chg{name: "c1", sql: "create table t (id int);"})
		o.Changes[0].Rollback, o.Changes[0].HasRollback = rb, true
		return o
	}
	deployed := func(rb string, edit func(*tandem.Record)) []tandem.Record {
		rs := recordsOf(mustBuild(project(withRollback(rb))))
		rs[0].Rollback = rb
		if edit != nil {
			edit(&rs[0])
		}
		return rs
	}
	cases := []struct {
		name    string
		records []tandem.Record
		project string // the project's rollback of t/c1; "-" for none written
		want    string // the diff, "" for no correction
	}{
		{"same rollback", deployed("drop table t;", nil), "drop table t;", ""},
		{"same rollback but for blank lines", deployed("drop table t;\n\n", nil), "drop table t;", ""},
		{"corrected rollback", deployed("drop table tt;", nil), "drop table t;",
			"--- recorded rollback of app.table.t/c1\n+++ table/t.sql\n@@ -1 +1 @@\n-drop table tt;\n+drop table t;\n"},
		{"none recorded, one written since", deployed("", nil), "drop table t;",
			"--- recorded rollback of app.table.t/c1\n+++ table/t.sql\n@@ -0,0 +1 @@\n+drop table t;\n"},
		{"the change was edited: its recorded rollback stays", deployed("drop table tt;", func(r *tandem.Record) { r.Hash = "other" }), "drop table t;", ""},
		{"partly applied: its recorded rollback stays", deployed("drop table tt;", func(r *tandem.Record) { r.Status = tandem.Partial }), "drop table t;", ""},
		{"not deployed", nil, "drop table t;", ""},
		{"the project has no rollback any more: the recorded one stays", deployed("drop table t;", nil), "-", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			o := withRollback(tc.project)
			if tc.project == "-" {
				o.Changes[0].Rollback, o.Changes[0].HasRollback = "", false
			}
			got := RollbackCorrections(mustBuild(project(o)), tc.records)
			switch {
			case tc.want == "" && len(got) != 0:
				t.Errorf("corrections: %d, want none; diff:\n%s", len(got), got[0].Diff)
			case tc.want != "" && len(got) != 1:
				t.Errorf("corrections: %d, want 1", len(got))
			case tc.want != "" && got[0].Diff != tc.want:
				t.Errorf("diff:\n%s\nwant:\n%s", got[0].Diff, tc.want)
			}
		})
	}
}
