package project

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"io"
	"io/fs"
	"path"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"
)

// liquibaseMaster returns the master changelog at the project root: an XML or YAML file whose
// name holds "changelog" and whose text holds "databaseChangeLog", preferring one whose name
// holds "master"; "" when there is none.
func liquibaseMaster(fsys fs.FS, entries []fs.DirEntry) string {
	var found []string
	for _, e := range entries {
		lower := strings.ToLower(e.Name())
		ext := path.Ext(lower)
		if e.IsDir() || !strings.Contains(lower, "changelog") || (ext != ".xml" && ext != ".yaml" && ext != ".yml") {
			continue
		}
		if data, err := fs.ReadFile(fsys, e.Name()); err == nil && bytes.Contains(data, []byte("databaseChangeLog")) {
			found = append(found, e.Name())
		}
	}
	if i := slices.IndexFunc(found, func(n string) bool { return strings.Contains(strings.ToLower(n), "master") }); i >= 0 {
		return found[i]
	}
	if len(found) > 0 {
		return found[0]
	}
	return ""
}

// lbInclude is one include or includeAll entry of a changelog.
type lbInclude struct {
	all      bool   // includeAll
	target   string // file or path, as written
	relative bool   // relativeToChangelogFile
	line     int
}

// maxChangelogDepth bounds how deep changelogs may include changelogs.
const maxChangelogDepth = 20

// masterFiles returns the formatted SQL files a master changelog includes, in the order
// Liquibase runs them: include entries as listed, includeAll folders by path, nested XML and
// YAML changelogs expanded where they are included.
func (l *loader) masterFiles(master string) []string {
	var out []string
	seen := map[string]string{} // file -> the changelog that included it
	var stack []string          // the changelogs being read, outermost first
	var walk func(file string)
	walk = func(file string) {
		stack = append(stack, file)
		defer func() { stack = stack[:len(stack)-1] }()
		data, ok := l.read(file)
		if !ok {
			return
		}
		var incs []lbInclude
		var err error
		if strings.EqualFold(path.Ext(file), ".xml") {
			incs, err = xmlIncludes(data)
		} else {
			incs, err = yamlIncludes(data)
		}
		if err != nil {
			l.errs.add(file, 0, err)
			return
		}
		add := func(p string, inc lbInclude) {
			switch strings.ToLower(path.Ext(p)) {
			case ".sql":
				if prev, ok := seen[p]; ok {
					l.errs.addf(file, inc.line, "%w: %s is included again (first by %s); include each changelog once", ErrLiquibase, p, prev)
					return
				}
				seen[p] = file
				out = append(out, p)
			case ".xml", ".yaml", ".yml":
				switch {
				case slices.Contains(stack, p):
					l.errs.addf(file, inc.line, "%w: including %s makes a loop (%s); remove the include", ErrLiquibase, p, strings.Join(append(stack, p), " -> "))
				case len(stack) >= maxChangelogDepth:
					l.errs.addf(file, inc.line, "%w: changelogs nested more than %d deep; include fewer levels", ErrLiquibase, maxChangelogDepth)
				default:
					walk(p)
				}
			default:
				if !inc.all {
					l.errs.addf(file, inc.line, "%w: %s is not a formatted SQL, XML or YAML changelog", ErrLiquibase, p)
				}
			}
		}
		for _, inc := range incs {
			if inc.line < 0 {
				l.errs.addf(file, -inc.line, "%w: %s", ErrLiquibase, inc.target)
				continue
			}
			t := strings.TrimPrefix(inc.target, "classpath:")
			p := path.Clean(strings.TrimPrefix(t, "/"))
			if inc.relative {
				p = path.Join(path.Dir(file), t)
			}
			if !fs.ValidPath(p) {
				l.errs.addf(file, inc.line, "%w: %s is outside the project folder; keep changelogs inside it", ErrLiquibase, inc.target)
				continue
			}
			if !inc.all {
				add(p, inc)
				continue
			}
			var files []string
			err := fs.WalkDir(l.fsys, p, func(f string, d fs.DirEntry, err error) error {
				if err != nil {
					return err
				}
				if !d.IsDir() {
					files = append(files, f)
				}
				return nil
			})
			if err != nil {
				l.errs.addf(file, inc.line, "%w: includeAll %s: %v", ErrLiquibase, inc.target, err)
				continue
			}
			slices.Sort(files)
			for _, f := range files {
				add(f, inc)
			}
		}
	}
	walk(master)
	return out
}

// yamlIncludes reads the include and includeAll entries of a YAML changelog. Any other entry
// (an inline changeSet, a property) is returned as an error entry (negative line), since
// tandem reads only formatted SQL changesets.
func yamlIncludes(data []byte) ([]lbInclude, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrLiquibase, err)
	}
	if len(doc.Content) == 0 || doc.Content[0].Kind != yaml.MappingNode {
		return nil, fmt.Errorf("%w: not a YAML changelog (no databaseChangeLog: list)", ErrLiquibase)
	}
	root := doc.Content[0]
	var list *yaml.Node
	for i := 0; i+1 < len(root.Content); i += 2 {
		if root.Content[i].Value == "databaseChangeLog" {
			list = root.Content[i+1]
		}
	}
	if list == nil || list.Kind != yaml.SequenceNode {
		return nil, fmt.Errorf("%w: not a YAML changelog (no databaseChangeLog: list)", ErrLiquibase)
	}
	var out []lbInclude
	for _, item := range list.Content {
		if item.Kind != yaml.MappingNode || len(item.Content) != 2 {
			out = append(out, lbInclude{target: "a databaseChangeLog entry must be one include: or includeAll:", line: -item.Line})
			continue
		}
		kind, body := item.Content[0].Value, item.Content[1]
		if kind != "include" && kind != "includeAll" {
			out = append(out, lbInclude{target: kind + " entries are not read; tandem reads formatted SQL changelogs through include: and includeAll:", line: -item.Line})
			continue
		}
		inc := lbInclude{all: kind == "includeAll", line: item.Line}
		for i := 0; i+1 < len(body.Content); i += 2 {
			switch k, v := body.Content[i].Value, body.Content[i+1].Value; k {
			case "file", "path":
				inc.target = v
			case "relativeToChangelogFile":
				inc.relative = strings.EqualFold(v, "true")
			}
		}
		if inc.target == "" {
			inc = lbInclude{target: kind + " without file: or path:", line: -item.Line}
		}
		out = append(out, inc)
	}
	return out, nil
}

// xmlIncludes reads the include and includeAll elements of an XML changelog; other elements
// under databaseChangeLog are returned as error entries (negative line).
func xmlIncludes(data []byte) ([]lbInclude, error) {
	dec := xml.NewDecoder(bytes.NewReader(data))
	var out []lbInclude
	depth := 0
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("%w: %v", ErrLiquibase, err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			depth++
			if depth != 2 {
				continue
			}
			line, _ := dec.InputPos()
			switch t.Name.Local {
			case "include", "includeAll":
				inc := lbInclude{all: t.Name.Local == "includeAll", line: line}
				for _, a := range t.Attr {
					switch a.Name.Local {
					case "file", "path":
						inc.target = a.Value
					case "relativeToChangelogFile":
						inc.relative = strings.EqualFold(a.Value, "true")
					}
				}
				if inc.target == "" {
					inc = lbInclude{target: "<" + t.Name.Local + "> without file= or path=", line: -line}
				}
				out = append(out, inc)
			default:
				out = append(out, lbInclude{target: "<" + t.Name.Local + "> elements are not read; tandem reads formatted SQL changelogs through <include> and <includeAll>", line: -line})
			}
		case xml.EndElement:
			depth--
		}
	}
	return out, nil
}
