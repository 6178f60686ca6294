package project

import (
	"strconv"
	"testing"
	"testing/fstest"
)

func FuzzParseLiquibase(f *testing.F) {
	for _, s := range []string{
		"--liquibase formatted sql\n--changeset a:1\nselect 1;\n--rollback select 2;\n",
		"--liquibase formatted sql\n--changeset \"A B\":x splitStatements:false endDelimiter:/\nselect 1;\n/\nselect 2\n/\n/* liquibase rollback\nselect 3;\n*/\n",
		"--liquibase formatted sql\nselect 0;\n--changeset a:1 context:!prod dbms:postgresql,!mysql runOnChange:true\n--precondition-sql-check x\n",
		"--liquibase formatted sql\n--changeset a:1 endDelimiter:GO\nselect 1\nGO\nselect 2 GO\n--comment: x\n",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		l := &loader{}
		sets := l.parseLiquibase("c.sql", []byte(text))
		lines := len(fileLines([]byte(text)))
		for _, e := range l.errs.errs {
			if e.File != "c.sql" || e.Line < 0 || e.Line > lines {
				t.Errorf("error outside the file: %v", e)
			}
		}
		for _, s := range sets {
			c := s.change
			if c.Line < 1 || c.Line > lines || c.SQLLine < 1 || c.SQLLine > lines || c.RollbackLine > lines || c.SQL == "" {
				t.Errorf("bad changeset %+v from %q", c, text)
			}
		}
	})
}

func FuzzSqitchPlan(f *testing.F) {
	for _, s := range []string{
		"%project=x\na 2026-01-01T00:00:00Z Ada <a@x> # note\n@v1 2026-01-01T00:00:00Z Ada <a@x>\nb [a a@v1 !c p:q] 2026-01-02T00:00:00Z Ada <a@x>\n",
		"a 2026-01-01T00:00:00Z <a@x>\na [a@v1] 2026-01-01T00:00:00Z Ada <a@x>\n-b x\n",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, plan string) {
		fsys := fstest.MapFS{"sqitch.plan": {Data: []byte(plan)}, "deploy/a.sql": {Data: []byte("select 1;\n")}, "deploy/b.sql": {Data: []byte("select 2;\n")}}
		p, err := Load(fsys, Options{})
		if err != nil {
			return
		}
		for i, o := range p.Objects {
			if o.Version != strconv.Itoa(i+1) || len(o.Changes) != 1 {
				t.Errorf("object %d: version %s, %d changes; want version %d and one change", i, o.Version, len(o.Changes), i+1)
			}
		}
	})
}
