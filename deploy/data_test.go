package deploy_test

import (
	"context"
	"errors"
	"log/slog"
	"regexp"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/tandem-db/tandem/deploy"
	"github.com/tandem-db/tandem/dialect/sqlite"
	"github.com/tandem-db/tandem/internal/syncbuf"
	"github.com/tandem-db/tandem/internal/testdb"
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

// When a static data step fails in a run of data steps (which run together, in one
// transaction), the log names the failing step, not the first of the run.
func TestFailedDataStepIsLoggedByName(t *testing.T) {
	tg := target{name: "sqlite", url: testdb.SQLite(t), dialect: sqlite.New()}
	e := tg.engine(t)
	var logs syncbuf.Buffer
	e.Log = slog.New(slog.NewTextHandler(&logs, nil))
	files := fstest.MapFS{
		"tandem.yaml":              {Data: []byte("schemas: [app]\n")},
		"app/table/order.sql":      {Data: []byte("create table \"order\" (id integer primary key, name text);\n")},
		"app/table/quote.sql":      {Data: []byte("create table quote (id integer primary key, text text);\n")},
		"app/staticdata/order.csv": {Data: []byte("id,name\n1,first\n")},
		"app/staticdata/quote.csv": {Data: []byte("id,author\n1,nobody\n")},
	}
	_, err := e.Deploy(context.Background(), load(t, files), deploy.Options{})
	var se *deploy.StepError
	if !errors.As(err, &se) || se.File != "app/staticdata/quote.csv" {
		t.Fatalf("deploy error = %v; want a step error in quote.csv", err)
	}
	var failed []string
	for _, line := range strings.Split(logs.String(), "\n") {
		if strings.Contains(line, `msg="step failed"`) {
			failed = append(failed, line)
		}
	}
	if len(failed) != 1 || !strings.Contains(failed[0], " step=app.staticdata.quote ") || !strings.Contains(failed[0], `err="app/staticdata/quote.csv:1: `) {
		t.Errorf("step failed lines:\n%s\nwant one naming step=app.staticdata.quote; log:\n%s", strings.Join(failed, "\n"), logs.String())
	}
}
