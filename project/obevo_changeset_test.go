package project

import (
	"strings"
	"testing"
)

// TestObevoChangeset: a //// CHANGE line's changeset attribute is the change's changeset (not an
// attribute kept in Extra), an empty one is an error, and on a //// METADATA line, where Obevo
// does not take it, it warns.
func TestObevoChangeset(t *testing.T) {
	p := mustLoadObevo(t, map[string]string{"app/table/t.ddl": "//// CHANGE name=a\nCREATE TABLE t (id INT)\nGO\n//// CHANGE name=ix changeset=phaseA\nCREATE INDEX t_ix ON t (id)\nGO\n"})
	o := onlyObject(t, p)
	if got := o.Changes[0].Attrs.Changeset; got != "" {
		t.Errorf("change a: changeset %q, want none", got)
	}
	if got, extra := o.Changes[1].Attrs.Changeset, o.Changes[1].Attrs.Extra; got != "phaseA" || len(extra) != 0 {
		t.Errorf("change ix: changeset %q, extra %v; want phaseA and no extra", got, extra)
	}
	if len(p.Warnings) != 0 {
		t.Errorf("warnings %q, want none", p.Warnings)
	}

	_, err := loadObevoFiles(t, map[string]string{"app/table/t.ddl": "//// CHANGE name=ix changeset=\nCREATE INDEX t_ix ON t (id)\n"})
	if err == nil || !strings.Contains(err.Error(), "app/table/t.ddl:1: changeset is empty") {
		t.Errorf("empty changeset: err = %v, want it named at app/table/t.ddl:1", err)
	}

	p = mustLoadObevo(t, map[string]string{"app/view/v.sql": "//// METADATA changeset=phaseA\nCREATE VIEW v AS SELECT 1 AS x\n"})
	if o := onlyObject(t, p); o.Attrs.Changeset != "" || len(p.Warnings) != 1 || !strings.Contains(p.Warnings[0], "Obevo attribute changeset is unknown") {
		t.Errorf("METADATA changeset: object changeset %q, warnings %q; want none and one warning", o.Attrs.Changeset, p.Warnings)
	}
}
