package sqllex

import "strings"

// Flavor selects the dialect's lexical rules.
type Flavor int

// The flavors the lexer knows.
const (
	// Postgres: nested /* */ comments, "..." identifiers, E'...' escape strings, $tag$ dollar
	// quotes, $1 parameters, BEGIN ATOMIC function bodies.
	Postgres Flavor = iota
	// MySQL (and MariaDB): # and "-- " comments, /*! */ executable comments, `...` identifiers,
	// "..." strings, backslash escapes, DELIMITER lines, BEGIN ... END routine bodies.
	MySQL
	// SQLite: "...", `...` and [...] identifiers, BEGIN ... END trigger bodies.
	SQLite
)

// FlavorOf maps a dialect name ("postgres", "mysql", "sqlite"; also "postgresql", "mariadb",
// "sqlite3", in any case) to a Flavor. Unknown names give Postgres.
func FlavorOf(dialect string) Flavor {
	switch strings.ToLower(strings.TrimSpace(dialect)) {
	case "mysql", "mariadb":
		return MySQL
	case "sqlite", "sqlite3":
		return SQLite
	}
	return Postgres
}

// String returns the dialect name of the flavor: "postgres", "mysql" or "sqlite".
func (f Flavor) String() string {
	switch f {
	case MySQL:
		return "mysql"
	case SQLite:
		return "sqlite"
	}
	return "postgres"
}
