package project

import (
	"strings"
	"testing"

	"github.com/tandem-db/tandem"
)

func FuzzParseDbmate(f *testing.F) {
	for _, s := range []string{
		"-- migrate:up\nselect 1;\n-- migrate:down\nselect 2;\n",
		"-- migrate:up transaction:false\nvacuum;\n",
		"select 0;\n-- migrate:down\n-- migrate:up x:y\n",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		c := &tandem.Change{}
		var errs errList
		parseDbmate("m.sql", []byte(text), c, &errs)
		lines := len(fileLines([]byte(text)))
		for _, e := range errs.errs {
			if e.Line < 1 || e.Line > lines {
				t.Errorf("error outside the file: %v", e)
			}
		}
		if errs.err() == nil {
			for _, ln := range strings.Split(c.SQL, "\n") {
				if b, _, ok := dbmateMarker(ln); ok {
					t.Errorf("a %s marker in the up block of %q", b, text)
				}
			}
			if c.SQLLine > lines || c.RollbackLine > lines {
				t.Errorf("bad change %+v from %q", c, text)
			}
		}
	})
}

func FuzzParseAtlas(f *testing.F) {
	for _, s := range []string{
		"-- atlas:txmode none\n\nvacuum;\n",
		"-- atlas:delimiter //\n# atlas:nolint\n\nselect 1//\n",
		"h1:abc\n1_a.sql h1:def\n",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		c := &tandem.Change{}
		var errs errList
		parseAtlas("m.sql", []byte(text), c, &errs)
		lines := len(fileLines([]byte(text)))
		for _, e := range errs.errs {
			if e.Line < 1 || e.Line > lines {
				t.Errorf("error outside the file: %v", e)
			}
		}
		// an atlas.sum written from any hashes reads back as itself
		sum, hs, ok := parseAtlasSum([]byte(text))
		if ok && sum == atlasSum(hs) {
			var b strings.Builder
			b.WriteString("h1:" + sum + "\n")
			for _, h := range hs {
				b.WriteString(h.name + " h1:" + h.hash + "\n")
			}
			sum2, hs2, ok2 := parseAtlasSum([]byte(b.String()))
			if !ok2 || sum2 != atlasSum(hs2) {
				t.Errorf("rewritten atlas.sum of %q does not read back", text)
			}
		}
		// a popx name's suffixes never leave a dialect in its description
		if n, ok := parseMigrationName(text); ok && n.format == tandem.FormatPopx {
			if i := strings.LastIndexByte(n.desc, '.'); i >= 0 && popxDialects[strings.ToLower(n.desc[i+1:])] != "" {
				t.Errorf("%q: description %q keeps a dialect", text, n.desc)
			}
		}
	})
}
