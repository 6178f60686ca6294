package tandem

import (
	"cmp"
	"slices"
	"strconv"
	"strings"
)

// Sort puts every list of the snapshot in its canonical order: objects by schema and name
// (routines also by kind and arguments, triggers by table), a table's keys, constraints and
// indexes by name. Columns, key columns, enum values and events keep the order they have in
// the database. Dialects call it before returning a snapshot.
func (s *Snapshot) Sort() {
	slices.SortStableFunc(s.Tables, func(a, b TableDesc) int {
		return cmp.Or(cmp.Compare(a.Schema, b.Schema), cmp.Compare(a.Name, b.Name))
	})
	for i := range s.Tables {
		t := &s.Tables[i]
		slices.SortStableFunc(t.Uniques, func(a, b KeyDesc) int { return cmp.Compare(a.Name, b.Name) })
		slices.SortStableFunc(t.ForeignKeys, func(a, b ForeignKeyDesc) int { return cmp.Compare(a.Name, b.Name) })
		slices.SortStableFunc(t.Checks, func(a, b CheckDesc) int {
			return cmp.Or(cmp.Compare(a.Name, b.Name), cmp.Compare(a.Expression, b.Expression))
		})
		slices.SortStableFunc(t.Exclusions, func(a, b ExclusionDesc) int { return cmp.Compare(a.Name, b.Name) })
		slices.SortStableFunc(t.Indexes, func(a, b IndexDesc) int { return cmp.Compare(a.Name, b.Name) })
	}
	slices.SortStableFunc(s.Views, func(a, b ViewDesc) int {
		return cmp.Or(cmp.Compare(a.Schema, b.Schema), cmp.Compare(a.Name, b.Name))
	})
	slices.SortStableFunc(s.Routines, func(a, b RoutineDesc) int {
		return cmp.Or(cmp.Compare(a.Schema, b.Schema), cmp.Compare(a.Kind.ObjectType().Rank(), b.Kind.ObjectType().Rank()),
			cmp.Compare(a.Name, b.Name), cmp.Compare(a.Arguments, b.Arguments), cmp.Compare(a.Kind, b.Kind))
	})
	slices.SortStableFunc(s.Triggers, func(a, b TriggerDesc) int {
		return cmp.Or(cmp.Compare(a.Schema, b.Schema), cmp.Compare(a.Name, b.Name), cmp.Compare(a.Table, b.Table))
	})
	slices.SortStableFunc(s.Sequences, func(a, b SequenceDesc) int {
		return cmp.Or(cmp.Compare(a.Schema, b.Schema), cmp.Compare(a.Name, b.Name))
	})
	slices.SortStableFunc(s.Types, func(a, b TypeDesc) int {
		return cmp.Or(cmp.Compare(a.Schema, b.Schema), cmp.Compare(a.Name, b.Name))
	})
	for i := range s.Types {
		slices.SortStableFunc(s.Types[i].Checks, func(a, b CheckDesc) int { return cmp.Compare(a.Name, b.Name) })
	}
}

// Objects renders the snapshot as one canonical text per object, sorted by schema, type (in
// ObjectTypes order) and name. Every typed field shows in the text, so two snapshots whose
// objects render equal describe the same database. Overloads of a routine make one object
// (a project keeps them in one file), as do triggers of one name on several tables.
func (s *Snapshot) Objects() []SnapshotObject {
	var out []SnapshotObject
	add := func(schema string, typ ObjectType, name string, lines []string) {
		out = append(out, SnapshotObject{Schema: schema, Type: typ, Name: name, Definition: strings.Join(lines, "\n")})
	}
	for _, t := range s.Tables {
		add(t.Schema, Table, t.Name, t.lines())
	}
	for _, v := range s.Views {
		add(v.Schema, View, v.Name, v.lines())
	}
	type group struct {
		schema, name string
		typ          ObjectType
	}
	var order []group
	parts := map[group][]string{}
	for _, r := range s.Routines {
		g := group{r.Schema, r.Name, r.Kind.ObjectType()}
		if _, ok := parts[g]; !ok {
			order = append(order, g)
		}
		parts[g] = append(parts[g], r.text())
	}
	for _, t := range s.Triggers {
		g := group{t.Schema, t.Name, Trigger}
		if _, ok := parts[g]; !ok {
			order = append(order, g)
		}
		parts[g] = append(parts[g], t.text())
	}
	for _, g := range order {
		sep := "\n\n"
		if g.typ == Trigger {
			sep = "\n"
		}
		out = append(out, SnapshotObject{Schema: g.schema, Type: g.typ, Name: g.name, Definition: strings.Join(parts[g], sep)})
	}
	for _, q := range s.Sequences {
		add(q.Schema, Sequence, q.Name, []string{q.text()})
	}
	for _, u := range s.Types {
		add(u.Schema, UserType, u.Name, []string{u.text()})
	}
	slices.SortStableFunc(out, func(a, b SnapshotObject) int {
		return cmp.Or(cmp.Compare(a.Schema, b.Schema), cmp.Compare(a.Type.Rank(), b.Type.Rank()), cmp.Compare(a.Name, b.Name),
			cmp.Compare(a.Definition, b.Definition))
	})
	return out
}

// String renders the whole snapshot: every object's header and its canonical text, indented.
func (s *Snapshot) String() string {
	var b strings.Builder
	for _, o := range s.Objects() {
		b.WriteString(objectTitle(o) + "\n")
		for _, l := range strings.Split(o.Definition, "\n") {
			b.WriteString("  " + l + "\n")
		}
	}
	return b.String()
}

// Equal reports whether s and other describe the same objects alike.
func (s *Snapshot) Equal(other *Snapshot) bool { return len(s.Diff(other)) == 0 }

// Diff lists, object by object, how other differs from s: an object only in one of them, or
// the lines of its canonical text that only one of them has ("-" for s, "+" for other). It
// is empty when the two describe the same objects alike.
func (s *Snapshot) Diff(other *Snapshot) []string {
	key := func(o SnapshotObject) string { return o.Schema + "\x00" + string(o.Type) + "\x00" + o.Name }
	mine, theirs := s.Objects(), other.Objects()
	byKey := map[string]SnapshotObject{}
	for _, o := range theirs {
		byKey[key(o)] = o
	}
	var out []string
	seen := map[string]bool{}
	for _, o := range mine {
		k := key(o)
		seen[k] = true
		t, ok := byKey[k]
		switch {
		case !ok:
			out = append(out, objectTitle(o)+": only in the first")
		case t.Definition != o.Definition:
			out = append(out, objectTitle(o)+": "+lineDiff(o.Definition, t.Definition))
		}
	}
	for _, o := range theirs {
		if !seen[key(o)] {
			out = append(out, objectTitle(o)+": only in the second")
		}
	}
	return out
}

func objectTitle(o SnapshotObject) string {
	if o.Schema == "" {
		return string(o.Type) + " " + o.Name
	}
	return string(o.Type) + " " + o.Schema + "." + o.Name
}

// lineDiff lists the lines only a has ("- ") and only b has ("+ "), or says the order changed.
func lineDiff(a, b string) string {
	al, bl := strings.Split(a, "\n"), strings.Split(b, "\n")
	count := map[string]int{}
	for _, l := range bl {
		count[l]++
	}
	var out []string
	for _, l := range al {
		if count[l] > 0 {
			count[l]--
			continue
		}
		out = append(out, "- "+l)
	}
	count = map[string]int{}
	for _, l := range al {
		count[l]++
	}
	for _, l := range bl {
		if count[l] > 0 {
			count[l]--
			continue
		}
		out = append(out, "+ "+l)
	}
	if len(out) == 0 {
		return "same lines in another order:\n  " + strings.ReplaceAll(b, "\n", "\n  ")
	}
	return "\n  " + strings.Join(out, "\n  ")
}

// ident writes a name bare when it is a plain lower-case identifier, else double-quoted.
func ident(s string) string {
	for i, r := range s {
		if !(r == '_' || r >= 'a' && r <= 'z' || i > 0 && (r >= '0' && r <= '9' || r == '$')) {
			return `"` + strings.ReplaceAll(s, `"`, `""`) + `"`
		}
	}
	if s == "" {
		return `""`
	}
	return s
}

func idents(names []string) string {
	q := make([]string, len(names))
	for i, n := range names {
		q[i] = ident(n)
	}
	return strings.Join(q, ", ")
}

func quoteText(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
