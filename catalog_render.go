package tandem

import (
	"slices"
	"strconv"
	"strings"
)

// lines renders a table: its CREATE statement where the catalog keeps one, its kind and
// partitioning, its columns in order, then its keys, constraints and indexes sorted, then
// its storage settings.
func (t TableDesc) lines() []string {
	var lines []string
	if t.Definition != "" {
		lines = append(lines, t.Definition)
	}
	switch t.Kind {
	case PartitionedTable:
		lines = append(lines, "PARTITIONED TABLE")
	case ForeignTable:
		lines = append(lines, "FOREIGN TABLE")
	}
	if t.PartitionBy != "" {
		lines = append(lines, "PARTITION BY "+t.PartitionBy)
	}
	if t.PartitionOf != "" {
		lines = append(lines, "PARTITION OF "+t.PartitionOf)
	}
	for _, c := range t.Columns {
		lines = append(lines, "COLUMN "+c.text())
	}
	var named []string
	if t.PrimaryKey != nil {
		named = append(named, t.PrimaryKey.text("PRIMARY KEY"))
	}
	for _, k := range t.Uniques {
		named = append(named, k.text("UNIQUE"))
	}
	for _, f := range t.ForeignKeys {
		named = append(named, f.text())
	}
	for _, c := range t.Checks {
		named = append(named, c.text())
	}
	for _, x := range t.Exclusions {
		named = append(named, "CONSTRAINT "+ident(x.Name)+" "+x.Definition)
	}
	for _, ix := range t.Indexes {
		named = append(named, ix.text())
	}
	slices.Sort(named)
	lines = append(lines, named...)
	if t.Engine != "" || t.Collation != "" {
		lines = append(lines, "ENGINE="+t.Engine+" COLLATE="+t.Collation)
	}
	return lines
}

// text renders a column as in a CREATE TABLE, with every attribute the catalog gave.
func (c ColumnDesc) text() string {
	s := ident(c.Name) + " " + c.Type
	if len(c.Enum) > 0 {
		q := make([]string, len(c.Enum))
		for i, v := range c.Enum {
			q[i] = quoteText(v)
		}
		s += " VALUES (" + strings.Join(q, ", ") + ")"
	}
	if c.Collation != "" {
		s += " COLLATE " + c.Collation
	}
	if !c.Nullable {
		s += " NOT NULL"
	}
	if c.Default != "" {
		s += " DEFAULT " + c.Default
	}
	if c.Generated != "" {
		s += " GENERATED ALWAYS AS (" + c.Generated + ")"
		if c.GeneratedStored {
			s += " STORED"
		} else {
			s += " VIRTUAL"
		}
	}
	if c.Identity != "" {
		s += " GENERATED " + c.Identity + " AS IDENTITY"
	}
	if c.AutoIncrement {
		s += " AUTO_INCREMENT"
	}
	if c.Extra != "" {
		s += " " + c.Extra
	}
	return s
}

func constraintName(name string) string {
	if name == "" {
		return ""
	}
	return "CONSTRAINT " + ident(name) + " "
}

func (k KeyDesc) text(kind string) string {
	s := constraintName(k.Name) + kind + " (" + idents(k.Columns) + ")"
	if k.Definition != "" {
		s += " AS " + k.Definition
	}
	return s
}

func (f ForeignKeyDesc) text() string {
	ref := ident(f.RefTable)
	if f.RefSchema != "" {
		ref = ident(f.RefSchema) + "." + ref
	}
	s := constraintName(f.Name) + "FOREIGN KEY (" + idents(f.Columns) + ") REFERENCES " + ref
	if len(f.RefColumns) > 0 {
		s += " (" + idents(f.RefColumns) + ")"
	}
	s += " ON UPDATE " + f.OnUpdate + " ON DELETE " + f.OnDelete
	if f.Match != "" {
		s += " MATCH " + f.Match
	}
	if f.Definition != "" {
		s += " AS " + f.Definition
	}
	return s
}

func (c CheckDesc) text() string {
	s := constraintName(c.Name) + "CHECK (" + c.Expression + ")"
	if c.Definition != "" {
		s += " AS " + c.Definition
	}
	return s
}

func (ix IndexDesc) text() string {
	s := "INDEX " + ident(ix.Name)
	if ix.Unique {
		s = "UNIQUE " + s
	}
	if ix.Method != "" {
		s += " USING " + ix.Method
	}
	keys := make([]string, len(ix.Keys))
	for i, k := range ix.Keys {
		keys[i] = k.text()
	}
	s += " (" + strings.Join(keys, ", ") + ")"
	if len(ix.Include) > 0 {
		s += " INCLUDE (" + idents(ix.Include) + ")"
	}
	if ix.Where != "" {
		s += " WHERE " + ix.Where
	}
	if ix.Invalid {
		s += " INVALID"
	}
	if ix.Definition != "" {
		s += " AS " + ix.Definition
	}
	return s
}

func (k IndexKey) text() string {
	s := ident(k.Column)
	if k.Column == "" {
		s = "(" + k.Expression + ")"
	}
	if k.Prefix > 0 {
		s += "(" + strconv.Itoa(k.Prefix) + ")"
	}
	if k.Descending {
		s += " DESC"
	}
	return s
}

func (v ViewDesc) lines() []string {
	kind := "VIEW"
	if v.Materialized {
		kind = "MATERIALIZED VIEW"
	}
	lines := []string{kind + " AS " + v.Definition}
	for _, c := range v.Columns {
		lines = append(lines, "COLUMN "+c.text())
	}
	if v.CheckOption != "" {
		lines = append(lines, "CHECK OPTION "+v.CheckOption)
	}
	if v.Security != "" {
		lines = append(lines, "SQL SECURITY "+v.Security)
	}
	return lines
}

func (r RoutineDesc) text() string {
	s := strings.ToUpper(string(r.Kind)) + " " + ident(r.Name) + "(" + r.Arguments + ")"
	if r.Returns != "" {
		s += " RETURNS " + r.Returns
	}
	if r.Language != "" {
		s += " LANGUAGE " + r.Language
	}
	if r.Deterministic {
		s += " DETERMINISTIC"
	}
	if r.DataAccess != "" {
		s += " " + r.DataAccess
	}
	if r.Security != "" {
		s += " SQL SECURITY " + r.Security
	}
	return s + "\n" + r.Definition
}

func (t TriggerDesc) text() string {
	s := "TRIGGER " + t.Timing + " " + strings.Join(t.Events, " OR ") + " ON " + ident(t.Table) + " FOR EACH " + t.ForEach
	if t.Order != 0 {
		s += " ORDER " + strconv.Itoa(t.Order)
	}
	if t.Enabled != "" {
		s += " " + t.Enabled
	}
	return s + "\n" + t.Definition
}

func (q SequenceDesc) text() string {
	s := "SEQUENCE"
	if q.DataType != "" {
		s += " AS " + q.DataType
	}
	s += " START " + itoa(q.Start) + " INCREMENT " + itoa(q.Increment) + " MINVALUE " + itoa(q.Min) +
		" MAXVALUE " + itoa(q.Max) + " CACHE " + itoa(q.Cache)
	if q.Cycle {
		s += " CYCLE"
	} else {
		s += " NO CYCLE"
	}
	if q.OwnedBy != "" {
		s += " OWNED BY " + q.OwnedBy
	}
	return s
}

func (u TypeDesc) text() string {
	switch u.Kind {
	case EnumType:
		q := make([]string, len(u.Values))
		for i, v := range u.Values {
			q[i] = quoteText(v)
		}
		return "ENUM (" + strings.Join(q, ", ") + ")"
	case DomainType:
		s := "DOMAIN AS " + u.BaseType
		if u.NotNull {
			s += " NOT NULL"
		}
		if u.Default != "" {
			s += " DEFAULT " + u.Default
		}
		for _, c := range u.Checks {
			s += " " + c.text()
		}
		return s
	case RangeType:
		return "RANGE (SUBTYPE = " + u.Subtype + ")"
	}
	attrs := make([]string, len(u.Attributes))
	for i, a := range u.Attributes {
		attrs[i] = ident(a.Name) + " " + a.Type
	}
	return strings.ToUpper(string(u.Kind)) + " (" + strings.Join(attrs, ", ") + ")"
}
