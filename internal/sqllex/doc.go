// Package sqllex is the SQL lexer that the rest of tandem relies on: it splits scripts into
// statements, normalizes change bodies for hashing, finds the identifiers that dependency
// discovery matches against object names, and reads the leading keywords that dialects use to
// classify statements.
//
// It knows the lexical rules of PostgreSQL, MySQL/MariaDB and SQLite (see Flavor) and the
// client-side conventions found in migration files: MySQL's DELIMITER directive, goose's
// StatementBegin/StatementEnd annotations and Obevo's GO batch separators. It is not a parser:
// it reads tokens in one pass over the bytes, with no regular expressions, and tracks only as
// much structure as splitting needs (BEGIN ... END bodies of routines and triggers).
//
// Lexical choices worth knowing:
//
//   - PostgreSQL '...' strings follow standard_conforming_strings=on (a backslash is an ordinary
//     character); E'...' strings take backslash escapes. MySQL strings always take backslash
//     escapes (NO_BACKSLASH_ESCAPES is not modelled).
//   - A statement's Text runs from its first code token to its last one: comments before and
//     after a statement belong to no statement, comments inside it are kept. MySQL executable
//     comments (/*! ... */) and optimizer hints (/*+ ... */) are code.
//   - A MySQL DELIMITER line is honoured only where a statement starts (a column named
//     "delimiter" at the start of a line inside a statement stays a column). While a custom
//     delimiter is set, BEGIN ... END is not tracked: the delimiter alone ends statements, as
//     in the mysql client. Without DELIMITER, routine bodies are found by tracking BEGIN/END,
//     CASE/END, IF/END IF, LOOP/END LOOP, WHILE/END WHILE and REPEAT/END REPEAT; IF and REPEAT
//     open a block only where a statement starts, so the IF() and REPEAT() functions do not.
//   - With Options.GoBatches, a GO line ends a statement and ";" still does too.
//   - PostgreSQL scripts are read as psql reads them: after COPY ... FROM STDIN; the lines up to
//     one holding only "\." are the statement's data (one token, never split, never normalized),
//     and a backslash where no statement is open starts a meta-command that runs to the end of
//     the line. Split drops \restrict, \unrestrict and \set ON_ERROR_STOP on and refuses any
//     other, since tandem runs SQL only.
//   - Normalize removes comments and folds whitespace inside PostgreSQL dollar-quoted bodies too,
//     lexing them with the same rules, because they are almost always function bodies whose
//     comments and layout do not change what is deployed. A body that does not lex (say, a
//     PL/Python body with an apostrophe in a comment) is kept byte for byte. Whitespace inside
//     '...' strings and quoted identifiers is always kept exactly.
//
// Nothing here panics on any input, and every function is safe for concurrent use.
package sqllex
