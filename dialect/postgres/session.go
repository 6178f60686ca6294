package postgres

import (
	"context"
	"fmt"
	"strings"

	"github.com/tandem-db/tandem"
)

// SessionRestore resets everything a change can set for the rest of its session (RESET
// SESSION AUTHORIZATION, RESET ROLE, RESET ALL: search_path, role, every SET and
// set_config(..., false)), then sets again what was set on the connection when it was read,
// such as the deploy's lock_timeout and client_connection_check_interval. Settings that came
// with the connection (the URL's options, the role's and database's defaults) are what RESET
// returns to, so they stay. DISCARD ALL would do more but cannot run where a pipelined change
// may have left a transaction.
func (d Dialect) SessionRestore(ctx context.Context, q tandem.Querier) ([]string, error) {
	rows, err := q.QueryContext(ctx, `SELECT name, current_setting(name) FROM pg_settings
WHERE source = 'session' AND name NOT IN ('role', 'session_authorization') AND name NOT LIKE 'transaction\_%'
ORDER BY name`)
	if err != nil {
		return nil, fmt.Errorf("read session settings: %w", err)
	}
	defer rows.Close()
	var sets []string
	for rows.Next() {
		var name, value string
		if err := rows.Scan(&name, &value); err != nil {
			return nil, fmt.Errorf("read session settings: %w", err)
		}
		sets = append(sets, fmt.Sprintf("set_config(%s, %s, false)", quoteLiteral(name), quoteLiteral(value)))
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read session settings: %w", err)
	}
	out := []string{"RESET SESSION AUTHORIZATION", "RESET ROLE", "RESET ALL"}
	if len(sets) > 0 {
		out = append(out, "SELECT "+strings.Join(sets, ", "))
	}
	return out, nil
}
