package sqlstore

import (
	"context"
	"fmt"
	"strings"

	"github.com/tandem-db/tandem"
)

// flavor is what the store's SQL needs that differs between engines beyond quoting and
// placeholders: an auto-increment key, a key type that compares bytes exactly (the dialect's
// ColumnType), and the syntax of upserts (the dialect's Syntax).
type flavor struct {
	keyType string // a key of up to 255 characters that compares case-sensitively
	autoID  string // the audit table's id column
	// upsert renders the tail of an INSERT that updates cols from the inserted row when key
	// exists; with no cols, it leaves the existing row alone (and reports 0 rows affected).
	// Each of the store's tables has one unique key, so the form that acts on any unique key
	// (MySQL's ON DUPLICATE KEY) acts on that one.
	upsert func(key string, cols ...string) string
}

// flavorOf reads the flavor from d.
func flavorOf(d tandem.Dialect) flavor {
	return flavor{
		keyType: d.ColumnType(tandem.KeyColumn),
		autoID:  "id " + d.ColumnType(tandem.SerialKeyColumn),
		upsert:  d.Syntax().Upsert,
	}
}

// legalSwitchesSQL and phasesSQL are the value lists of the CHECK constraints.
var (
	legalSwitchesSQL = "'1100', '1101', '0111', '0011'"
	phasesSQL        = func() string {
		q := make([]string, len(tandem.Phases))
		for i, p := range tandem.Phases {
			q[i] = "'" + string(p) + "'"
		}
		return strings.Join(q, ", ")
	}()
)

// createTables creates the schema and the four tables if they are missing.
func (s *Store) createTables(ctx context.Context, f flavor, schema string) error {
	var stmts []string
	if schema != "" {
		if st := s.d.CreateSchema(schema); st != "" {
			stmts = append(stmts, st)
		}
	}
	t := func(name string) string { return s.d.Qualify(schema, name) }
	stmts = append(stmts,
		`CREATE TABLE IF NOT EXISTS `+t("tandem_moves")+` (
	move `+f.keyType+` NOT NULL PRIMARY KEY,
	phase VARCHAR(16) NOT NULL,
	switches CHAR(4) NOT NULL,
	version BIGINT NOT NULL,
	epoch BIGINT NOT NULL,
	paused SMALLINT NOT NULL,
	updated_at BIGINT NOT NULL,
	CONSTRAINT tandem_moves_switches_legal CHECK (switches IN (`+legalSwitchesSQL+`)),
	CONSTRAINT tandem_moves_phase_known CHECK (phase IN (`+phasesSQL+`))
)`,
		`CREATE TABLE IF NOT EXISTS `+t("tandem_move_audit")+` (
	`+f.autoID+`,
	move `+f.keyType+` NOT NULL,
	from_phase VARCHAR(16) NOT NULL,
	to_phase VARCHAR(16) NOT NULL,
	version BIGINT NOT NULL,
	epoch BIGINT NOT NULL,
	by_user TEXT NOT NULL,
	reason TEXT NOT NULL,
	forced SMALLINT NOT NULL,
	at BIGINT NOT NULL,
	CONSTRAINT tandem_move_audit_version UNIQUE (move, version)
)`,
		`CREATE TABLE IF NOT EXISTS `+t("tandem_instances")+` (
	instance `+f.keyType+` NOT NULL PRIMARY KEY,
	code_version TEXT NOT NULL,
	epochs TEXT NOT NULL,
	seen_at BIGINT NOT NULL,
	expires_at BIGINT NOT NULL
)`,
		`CREATE TABLE IF NOT EXISTS `+t("tandem_leases")+` (
	resource `+f.keyType+` NOT NULL PRIMARY KEY,
	holder TEXT NOT NULL,
	expires_at BIGINT NOT NULL
)`)
	for _, st := range stmts {
		if _, err := s.db.ExecContext(ctx, st); err != nil {
			first, _, _ := strings.Cut(st, "(")
			return fmt.Errorf("create the store's tables: %s: %w", strings.TrimSpace(first), err)
		}
	}
	return nil
}

// checkEnforced makes sure the database refuses illegal switches: it tries to insert a row
// with 1111 in a transaction that it always rolls back.
func (s *Store) checkEnforced(ctx context.Context) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("check the switches constraint: %w", err)
	}
	defer tx.Rollback()
	// The probe's name has a colon, which no move name may have.
	_, err = tx.ExecContext(ctx, s.q.insertMove, "tandem:probe", string(tandem.PhasePending), "1111", 0, 0, 0, 0)
	if err == nil {
		return fmt.Errorf("the %s database accepted the switches 1111 despite the CHECK constraint on %s: it does not enforce CHECK constraints (MySQL before 8.0.16 ignores them); use a version that does, or the Redis store", s.d.Name(), s.q.movesTable)
	}
	return nil
}
