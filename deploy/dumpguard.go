package deploy

import "github.com/tandem-db/tandem"

// guardRequests returns the indexes of the statements before a change file's wrapping BEGIN
// that ask for what the dialect's tandem.ChangeGuard does: the sqlite3 shell's .dump starts
// with PRAGMA foreign_keys=OFF; BEGIN TRANSACTION; and the shell, which runs the PRAGMA
// outside the transaction, leaves nothing behind when a statement of the dump fails. Sent as
// they stand they would commit on their own and make the change run statement by statement;
// instead they are not sent and the change runs guarded (foreign keys off before tandem's BEGIN,
// PRAGMA foreign_key_check before its commit, the connection restored afterwards), atomically
// with its history row. Other settings before the BEGIN that work only outside a transaction
// (PRAGMA journal_mode, PRAGMA foreign_keys=ON) are not what the guard does: they still make
// the change run statement by statement, with a warning (warnTx).
func (s *session) guardRequests(stmts []statement) []int {
	g, ok := s.e.Dialect.(tandem.ChangeGuard)
	b := wrapBegin(stmts)
	if !ok || b < 0 {
		return nil
	}
	var out []int
	for i := range b {
		if stmts[i].tx == txNone && g.AsksGuard(stmts[i].text) {
			out = append(out, i)
		}
	}
	return out
}
