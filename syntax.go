package tandem

import "strings"

// Syntax holds, as data beside Capabilities, the fixed SQL forms in which databases differ, so
// that an engine composes its statements from them rather than choosing a form from a
// capability or a database's name. In the forms, {key} stands for the comma-separated quoted
// key columns and {col} for one quoted column; each form that closes an INSERT starts with a
// space.
type Syntax struct {
	// SkipOnKey closes an INSERT that skips the rows whose key conflicts on {key} alone, any
	// other unique violation still failing the statement: " ON CONFLICT ({key}) DO NOTHING"
	// (PostgreSQL, SQLite). It is "" where no form acts on one key alone (MySQL, whose forms
	// act on every unique key); Capabilities.ConflictTarget says the same.
	SkipOnKey string
	// UpdateOnKey opens the SET list of an INSERT that, on a conflict on {key} alone, updates
	// the existing row instead: " ON CONFLICT ({key}) DO UPDATE SET ". "" where SkipOnKey is.
	UpdateOnKey string
	// Skip closes an INSERT into a table whose only unique key is {key} that leaves an
	// existing row alone (and reports no row affected): SkipOnKey where there is one, else
	// MySQL's " ON DUPLICATE KEY UPDATE {key} = {key}" ({key} then one column).
	Skip string
	// Update opens the SET list of an INSERT into a table whose only unique key is {key} that
	// updates the existing row: UpdateOnKey where there is one, else " ON DUPLICATE KEY UPDATE ".
	Update string
	// Inserted names, in Update's or UpdateOnKey's SET list, the value the INSERT gave to
	// {col}: "excluded.{col}" (PostgreSQL, SQLite), "VALUES({col})" (MySQL).
	Inserted string
}

// Upsert renders the tail of an INSERT into a table whose only unique key is key (quoted
// columns, comma-separated) that updates cols (quoted) from the inserted row when the key
// exists; with no cols, it leaves the existing row alone.
func (s Syntax) Upsert(key string, cols ...string) string {
	return s.upsert(s.Skip, s.Update, key, cols)
}

// UpsertOnKey is Upsert acting on a conflict on key alone, any other unique violation still
// failing the INSERT; ok is false where the database has no such form (SkipOnKey is "").
func (s Syntax) UpsertOnKey(key string, cols ...string) (tail string, ok bool) {
	if s.SkipOnKey == "" {
		return "", false
	}
	return s.upsert(s.SkipOnKey, s.UpdateOnKey, key, cols), true
}

func (s Syntax) upsert(skip, update, key string, cols []string) string {
	if len(cols) == 0 {
		return strings.ReplaceAll(skip, "{key}", key)
	}
	set := make([]string, len(cols))
	for i, c := range cols {
		set[i] = c + " = " + strings.ReplaceAll(s.Inserted, "{col}", c)
	}
	return strings.ReplaceAll(update, "{key}", key) + strings.Join(set, ", ")
}
