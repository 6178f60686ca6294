// Package project reads a tandem project from an fs.FS into a *tandem.Project. It reads nothing
// else: no database, no network, no environment variables.
//
// # Layouts
//
// Load recognises an Obevo project (system-config.xml at the root), a bare folder of numbered
// migrations, and a tandem project:
//
//	tandem.yaml                 optional configuration
//	app/                        a logical schema
//	    table/users.sql         one file per object: <schema>/<type>/<name>.<ext>
//	    view/active_users.sql
//	    staticdata/countries.csv
//	migrations/                 numbered migrations (goose, golang-migrate, Flyway, popx, Diesel, ...)
//
// The type folders are table, sequence, type, function, procedure, view, trigger, staticdata
// and migration, also spelled tables, sequences, types, usertype, functions, procedures, sp,
// views, triggers and data. An object's name is its file name up to the first dot, compared
// ignoring case; the extensions read are .sql, .ddl, .spc, .fnc, .prc and .trg, and .csv in
// staticdata. Unknown folders and files are skipped and listed in Project.Warnings
// (documentation such as README.md is skipped silently).
//
// # tandem.yaml
//
//	schemas: [app, audit]       # default: every root folder that holds a type folder
//	migrations: [migrations]    # default: a root "migrations" folder if present
//	environments:               # kept in the order written
//	  dev:
//	    url: postgres://localhost:5432/app?sslmode=disable
//	    schemas: {app: app_dev} # logical -> physical
//	    tokens: {owner: app}    # ${owner} in SQL
//	    allow_clean: true
//	    history_schema: tandem
//	    lock_timeout: 5s
//	  prod:
//	    url: ${DATABASE_URL}    # expanded by the caller with ExpandEnv
//
// Unknown keys are errors. A project without environments gets one named "default" with an
// empty URL (the embedded SQLite database).
//
// # Markers
//
// Files use SQL comments as markers, so they stay valid SQL:
//
//	-- tandem:object envs=prod,qa
//	-- tandem:change add_email depends+=audit.log
//	alter table users add column email text;
//	-- tandem:rollback
//	alter table users drop column email;
//	-- tandem:change email_idx transaction=off
//	create index concurrently users_email on users (email);
//
// A stateful object (table, sequence, migration) is a list of changes, each started by a
// "-- tandem:change <name>" marker and optionally ending in a "-- tandem:rollback" section. A
// stateful file without change markers is a single change named "init" (a "-- tandem:rollback"
// in it still starts its rollback). A stateless object (type, function, view, procedure,
// trigger) is one definition, the whole file, redeployed when edited: change and rollback
// markers are errors there. "-- tandem:object" sets object-level attributes and must come before
// any SQL. A static data CSV may start with "#" comment lines, one of which may be
// "# tandem:object key=code envs=test*".
//
// Attributes are attr=value (quote a value in double quotes to hold blanks; lists are
// comma-separated): depends (replaces the dependencies found in the SQL; "depends=" means
// none), depends+ and depends- (add or remove), envs and exclude-envs (patterns such as test*),
// dialects and exclude-dialects (postgres, mysql, sqlite), transaction=off|on, rebaseline (names
// of earlier changes this one replaces), inactive, drop, and key (static data key columns).
// Dependency entries are name, schema.name, schema.type.name, optionally followed by /change.
//
// Two files for one object are an error unless their "-- tandem:object" attributes restrict
// them to different environments or dialects; both are then kept and the planner picks.
//
// # Numbered migrations
//
// Each migration folder uses one naming scheme:
//
//	goose           20240101120000_add_users.sql with -- +goose Up / -- +goose Down sections
//	golang-migrate  1_add_users.up.sql and 1_add_users.down.sql
//	Flyway          V1.1__add_users.sql (or V1_1__...), U1.1__add_users.sql undo, R__views.sql
//	plain           V0001.Add_Users.up.sql and V0001.Add_Users.down.sql
//	popx            1_add_users[.postgres|.mysql|.sqlite3|.cockroach][.autocommit].up.sql / .down.sql
//	Diesel          2019-02-26-002946_add_users/up.sql, down.sql, metadata.toml
//	dbmate          20240101120000_add_users.sql with -- migrate:up / -- migrate:down blocks
//	Atlas           20240101120000_add_users.sql beside atlas.sum, which must match the files
//
// A popx version with per-database files is one object per database, restricted to it with
// Attrs.IncludeDialects, plus one for the file without a dialect restricted with
// Attrs.ExcludeDialects: Load reads no dialect, the planner keeps the object that applies.
// popx's .autocommit, Diesel's run_in_transaction = false, dbmate's transaction:false and
// Atlas's "-- atlas:txmode none" set Attrs.NoTransaction on the change, as goose's
// "-- +goose NO TRANSACTION" does. Diesel versions are recorded without their dashes.
//
// A folder that holds .sql files of which none is read is an error (ErrNothingRead) naming
// them, so that a layout tandem does not read is never deployed as an empty project.
//
// Each version becomes an Object of type tandem.Versioned whose Key.Name is the canonical
// version (leading zeros dropped, parts joined by "."), Name the description and Version the
// version as written, with one change named by the canonical version: the up SQL, and the down
// SQL as its rollback. (For an up/down pair, Change.File names the up file; RollbackLine is a
// line of the down file.) A Flyway R__ file is a tandem.Repeatable object named by its
// description.
//
// # Errors
//
// Load reports every problem it finds, not only the first: the error joins one *FileError per
// problem ("app/table/users.sql:12: unknown attribute ..."), sorted by file and line. The
// sentinel errors in errors.go tell the kinds apart.
package project
