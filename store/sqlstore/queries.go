package sqlstore

import (
	"strings"

	"github.com/tandem-db/tandem"
)

// queries are the store's statements, rendered once for its dialect and schema.
type queries struct {
	movesTable  string
	state       string
	allStates   string
	insertMove  string // does nothing on an existing move
	updateMove  string
	updatePause string
	restoreMove string
	auditCount  string
	rawSwitches string
	insertAudit string
	audit       string

	upsertInstance string
	instances      string
	purgeInstances string

	takeLease   string
	insertLease string // does nothing on an existing lease
	readLease   string
	release     string
}

// buildQueries renders the statements. They are written with ? and rebound to the dialect's
// placeholders; none of them contains a literal question mark.
func buildQueries(d tandem.Dialect, f flavor, schema string) queries {
	moves, audit := d.Qualify(schema, "tandem_moves"), d.Qualify(schema, "tandem_move_audit")
	inst, leases := d.Qualify(schema, "tandem_instances"), d.Qualify(schema, "tandem_leases")
	r := func(q string) string { return rebind(d, q) }
	const stateCols = "move, phase, switches, version, epoch, paused, updated_at"
	return queries{
		movesTable:  moves,
		state:       r("SELECT " + stateCols + " FROM " + moves + " WHERE move = ?"),
		allStates:   r("SELECT " + stateCols + " FROM " + moves),
		insertMove:  r("INSERT INTO " + moves + " (" + stateCols + ") VALUES (?, ?, ?, ?, ?, ?, ?)" + f.upsert("move")),
		updateMove:  r("UPDATE " + moves + " SET phase = ?, switches = ?, version = ?, epoch = ?, updated_at = ? WHERE move = ? AND version = ?"),
		updatePause: r("UPDATE " + moves + " SET paused = ?, version = ?, updated_at = ? WHERE move = ? AND version = ?"),
		restoreMove: r("UPDATE " + moves + " SET phase = ?, switches = ?, version = ?, epoch = ?, paused = ?, updated_at = ? WHERE move = ? AND version = ? AND epoch = 0"),
		auditCount:  r("SELECT COUNT(*) FROM " + audit + " WHERE move = ?"),
		rawSwitches: r("UPDATE " + moves + " SET switches = ? WHERE move = ?"),
		insertAudit: r("INSERT INTO " + audit + " (move, from_phase, to_phase, version, epoch, by_user, reason, forced, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"),
		audit:       r("SELECT move, from_phase, to_phase, version, epoch, by_user, reason, forced, at FROM " + audit + " WHERE move = ? ORDER BY version"),

		upsertInstance: r("INSERT INTO " + inst + " (instance, code_version, epochs, seen_at, expires_at) VALUES (?, ?, ?, ?, ?)" +
			f.upsert("instance", "code_version", "epochs", "seen_at", "expires_at")),
		instances:      r("SELECT instance, code_version, epochs, seen_at FROM " + inst + " WHERE expires_at > ? ORDER BY instance"),
		purgeInstances: r("DELETE FROM " + inst + " WHERE expires_at <= ?"),

		takeLease:   r("UPDATE " + leases + " SET holder = ?, expires_at = ? WHERE resource = ? AND (holder = ? OR expires_at <= ?)"),
		insertLease: r("INSERT INTO " + leases + " (resource, holder, expires_at) VALUES (?, ?, ?)" + f.upsert("resource")),
		readLease:   r("SELECT holder, expires_at FROM " + leases + " WHERE resource = ?"),
		release:     r("DELETE FROM " + leases + " WHERE resource = ? AND holder = ?"),
	}
}

// rebind replaces each ? with the dialect's n-th placeholder.
func rebind(d tandem.Dialect, q string) string {
	var b strings.Builder
	n := 0
	for _, r := range q {
		if r == '?' {
			n++
			b.WriteString(d.Placeholder(n))
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}
