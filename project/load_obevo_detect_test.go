package project

import (
	"testing"
	"testing/fstest"

	"github.com/tandem-db/tandem"
)

func TestLoadDetectsObevoWithoutSystemConfig(t *testing.T) {
	fsys := fstest.MapFS{
		"db1/table/T1.ddl": {Data: []byte("//// CHANGE name=c1\nCREATE TABLE T1 (ID INT)\nGO\n//// CHANGE name=c2\nALTER TABLE T1 ADD X INT\nGO\n")},
		"db1/view/V1.sql":  {Data: []byte("CREATE VIEW V1 AS SELECT * FROM T1\n")},
	}
	p, err := Load(fsys, Options{})
	if err != nil {
		t.Fatal(err)
	}
	tbl := p.Object(tandem.Key("db1", tandem.Table, "t1"))
	if tbl == nil || tbl.Format != tandem.FormatObevo || len(tbl.Changes) != 2 || tbl.Changes[1].Name != "c2" {
		t.Fatalf("table not read as Obevo: %+v", tbl)
	}
	if p.Object(tandem.Key("db1", tandem.View, "v1")) == nil {
		t.Error("view missing")
	}
}
