package deploy_test

import (
	"context"
	"errors"
	"regexp"
	"testing"
	"testing/fstest"

	"github.com/tandem-db/tandem/deploy"
)

// A static data value that is not a value of its column's declared type is refused on every
// database, with the file:line, the column, the value and the type, before any row is written:
// SQLite would otherwise store "eighty" in an integer column (its CAST makes it 0), and MySQL's
// CAST turns it into 0 with only a warning.
func TestStaticDataValuesMatchColumnTypes(t *testing.T) {
	forEachDB(t, func(t *testing.T, tg target) {
		e := tg.engine(t)
		files := fstest.MapFS{
			"tandem.yaml": {Data: []byte("schemas: [app]\n")},
			"app/table/scores.sql": {Data: []byte("create table scores (id integer primary key, points integer, ratio decimal(5,2), " +
				"weight real, ok boolean, day date, at timestamp);\n")},
			"app/staticdata/scores.csv": {Data: []byte("id,points,ratio,weight,ok,day,at\n" +
				"1,80,1.5,2.25,true,2024-01-02,2024-01-02 03:04:05\n" +
				"2,-7,0,1e3,FALSE,2024-02-29,2024-02-29 23:59:59.5\n" +
				"3,,,,,,\n")},
		}
		deployOK(t, e, load(t, files), "")
		if n := count(t, e, "SELECT COUNT(*) FROM "+tg.table("scores")+" WHERE points = 80 AND ratio = 1.5"); n != 1 {
			t.Fatalf("row 1 not stored as written (%d rows match)", n)
		}

		bad := []struct{ column, value string }{
			{"points", "eighty"},
			{"points", "1.5"},
			{"points", "12abc"},
			{"ratio", "one half"},
			{"ratio", "1,5"},
			{"weight", "heavy"},
			{"ok", "maybe"},
			{"day", "2024-13-45"},
			{"day", "soon"},
			{"at", "2024-02-30 10:00:00"},
		}
		for _, b := range bad {
			row := map[string]string{"id": "9", "points": "1", "ratio": "1", "weight": "1", "ok": "true", "day": "2024-01-01", "at": "2024-01-01 00:00:00"}
			row[b.column] = b.value
			files["app/staticdata/scores.csv"] = &fstest.MapFile{Data: []byte("id,points,ratio,weight,ok,day,at\n" +
				"1,80,1.5,2.25,true,2024-01-02,2024-01-02 03:04:05\n" +
				row["id"] + "," + row["points"] + ",\"" + row["ratio"] + "\"," + row["weight"] + "," + row["ok"] + "," + row["day"] + "," + row["at"] + "\n")}
			_, err := e.Deploy(context.Background(), load(t, files), deploy.Options{})
			var se *deploy.StepError
			if !errors.As(err, &se) || se.Line != 3 {
				t.Errorf("%s=%q: deploy error = %v; want a step error at line 3", b.column, b.value, err)
				continue
			}
			want := `^app/staticdata/scores\.csv:3: data app\.staticdata\.scores: column ` + b.column + `: value "` + regexp.QuoteMeta(b.value) + `" is not a valid \S+`
			if !regexp.MustCompile(want).MatchString(err.Error()) {
				t.Errorf("%s=%q: error\n%v\ndoes not match %s", b.column, b.value, err, want)
			}
			if n := count(t, e, "SELECT COUNT(*) FROM "+tg.table("scores")); n != 3 {
				t.Errorf("%s=%q: the table has %d rows after the refused deploy, want the 3 of before", b.column, b.value, n)
			}
		}
	})
}
