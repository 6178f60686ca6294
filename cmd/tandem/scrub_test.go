package main

import (
	"bytes"
	"errors"
	"log/slog"
	"strings"
	"testing"
)

func TestScrubJSON(t *testing.T) {
	var c cli
	c.secrets.add("postgres://u:s3cr3t-XYZ@h/db")
	var b bytes.Buffer
	c.writeJSON(&b, map[string]any{
		"error": `connect to postgres://u:s3cr3t-XYZ@h/db: "s3cr3t-XYZ" <refused>`,
		"n":     3,
		"list":  []string{"a\tb", "host=h password='x y'"},
	})
	want := `{
  "error": "connect to postgres://u:xxxxx@h/db: \"xxxxx\" \u003crefused\u003e",
  "list": [
    "a\tb",
    "host=h password='xxxxx'"
  ],
  "n": 3
}
`
	if got := b.String(); got != want {
		t.Errorf("writeJSON =\n%s\nwant\n%s", got, want)
	}
}

func TestScrubHandler(t *testing.T) {
	var c cli
	c.secrets.add("mysql://root@h/db?password=s3cr3t-XYZ")
	var b bytes.Buffer
	log := c.scrubbed(slog.NewTextHandler(&b, nil)).With("url", "mysql://root@h/db?password=s3cr3t-XYZ")
	log.WithGroup("g").Warn("near 's3cr3t-XYZ'", "err", errors.New("s3cr3t-XYZ refused"), "n", 3,
		slog.Group("inner", "dsn", "root:s3cr3t-XYZ@tcp(h)/db"), "any", struct{ S string }{"s3cr3t-XYZ"})
	got := b.String()
	if strings.Contains(got, "s3cr3t") {
		t.Errorf("log line shows the password: %s", got)
	}
	for _, w := range []string{`msg="near 'xxxxx'"`, `url="mysql://root@h/db?password=xxxxx"`, `g.err="xxxxx refused"`, "g.n=3", "g.inner.dsn=root:xxxxx@tcp(h)/db", `g.any={xxxxx}`} {
		if !strings.Contains(got, w) {
			t.Errorf("log line %s lacks %s", got, w)
		}
	}
}
