package tandem

import (
	"fmt"
	"strings"
)

// ObjectType names a kind of database object that a project manages. Its value is the name of the
// folder that holds such objects in a per-object project.
type ObjectType string

// The object types tandem knows. The order of the list is the tie-break order of the deploy plan:
// of two changes that may run in either order, the one whose type comes first runs first.
const (
	Schema     ObjectType = "schema"     // the schema itself (created before anything in it)
	Sequence   ObjectType = "sequence"   // stateful: a sequence of changes
	UserType   ObjectType = "type"       // stateless where safe: enums, domains, composite types
	Table      ObjectType = "table"      // stateful: a sequence of changes
	Function   ObjectType = "function"   // stateless
	View       ObjectType = "view"       // stateless, materialized views too
	Procedure  ObjectType = "procedure"  // stateless
	Trigger    ObjectType = "trigger"    // stateless
	StaticData ObjectType = "staticdata" // a CSV kept equal to a table's rows
	Migration  ObjectType = "migration"  // stateful: one-time data changes beside the objects
	Versioned  ObjectType = "versioned"  // stateful: one numbered migration file (goose, Flyway, ...)
	Repeatable ObjectType = "repeatable" // stateless: Flyway's R__ files, rerun when edited
)

// ObjectTypes lists every object type in tie-break order.
var ObjectTypes = []ObjectType{Schema, Sequence, UserType, Table, Function, View, Procedure, Trigger, StaticData, Migration, Versioned, Repeatable}

// Rank is the position of t in ObjectTypes, used to break ties deterministically. Unknown types
// rank last.
func (t ObjectType) Rank() int {
	for i, x := range ObjectTypes {
		if x == t {
			return i
		}
	}
	return len(ObjectTypes)
}

// Stateful reports whether objects of this type are a sequence of immutable changes that each run
// once. Stateless objects are redeployed whole when their definition changes.
func (t ObjectType) Stateful() bool {
	switch t {
	case Table, Sequence, Migration, Versioned, Schema:
		return true
	}
	return false
}

// Valid reports whether t is one of the known object types.
func (t ObjectType) Valid() bool { return t.Rank() < len(ObjectTypes) }

// ObjectKey identifies an object. Schema and Name are stored in lower case, so that two keys
// compare equal exactly when the database would treat the names as the same object.
type ObjectKey struct {
	Schema string
	Type   ObjectType
	Name   string
}

// Key makes an ObjectKey, folding schema and name to lower case.
func Key(schema string, typ ObjectType, name string) ObjectKey {
	return ObjectKey{Schema: strings.ToLower(schema), Type: typ, Name: strings.ToLower(name)}
}

// String renders the key as schema.type.name (or type.name without a schema).
func (k ObjectKey) String() string {
	if k.Schema == "" {
		return string(k.Type) + "." + k.Name
	}
	return k.Schema + "." + string(k.Type) + "." + k.Name
}

// Format says which syntax a file was written in.
type Format string

// The file formats tandem reads.
const (
	FormatNative        Format = "native"         // "-- tandem:change" markers
	FormatObevo         Format = "obevo"          // "//// CHANGE" markers, GO separators
	FormatGoose         Format = "goose"          // "-- +goose Up" sections
	FormatGolangMigrate Format = "golang-migrate" // N_name.up.sql / N_name.down.sql
	FormatFlyway        Format = "flyway"         // V1__name.sql, R__name.sql
	FormatPlain         Format = "plain"          // V0001.Name.up.sql and other numbered up/down pairs
	FormatCSV           Format = "csv"            // static data
	FormatSqitch        Format = "sqitch"         // sqitch.plan with deploy/, revert/, verify/ scripts
	FormatLiquibase     Format = "liquibase"      // "--liquibase formatted sql" changesets
	FormatPopx          Format = "popx"           // N_name[.dialect][.autocommit].up.sql (Ory popx)
	FormatDiesel        Format = "diesel"         // <version>_name/up.sql, down.sql, metadata.toml
	FormatDbmate        Format = "dbmate"         // "-- migrate:up" / "-- migrate:down" sections
	FormatAtlas         Format = "atlas"          // N_name.sql beside atlas.sum
)

// Object is one database object kept in one file of a project (or, for numbered migrations, one
// migration kept in one file or an up/down pair).
type Object struct {
	Key    ObjectKey
	Name   string // as written in the file name, case kept
	Schema string // the logical schema as written, case kept
	File   string // slash-separated path relative to the project root
	Format Format

	// Changes holds a stateful object's changes in file order. A stateless object has exactly one
	// change, whose SQL is the whole definition.
	Changes []*Change

	// Version orders numbered migrations: the version as written ("1", "0001", "2.1", "20240101120000").
	// Empty for per-object files.
	Version string

	// Data is the parsed CSV of a static data object; nil for other types.
	Data *Data

	// Attrs are object-level attributes (Obevo's METADATA line, or a native "-- tandem:object" line).
	Attrs Attrs
}

// Stateful reports whether the object is a sequence of immutable changes.
func (o *Object) Stateful() bool { return o.Key.Type.Stateful() }

// Change is one unit of deployment: one immutable change of a stateful object, or the whole
// definition of a stateless object.
type Change struct {
	Object ObjectKey
	Name   string // unique within the object; a stateless object's change is named after the object
	File   string // slash-separated path relative to the project root
	Line   int    // 1-based line of the change's marker (or of the file's first line)
	Seq    int    // 0-based position of the change within its object

	// SQL is the body as written, before token replacement. It may hold several statements.
	SQL string
	// SQLLine is the 1-based line in File where SQL starts, so that a statement's position in the
	// body can be turned into a file line.
	SQLLine int
	// Rollback undoes the change; empty when none was written.
	Rollback string
	// RollbackLine is the 1-based line where Rollback starts, in RollbackFile when set, else in File.
	RollbackLine int
	// RollbackFile is the file holding Rollback when it is not File: a migration's down file.
	RollbackFile string
	// HasRollback reports that a rollback was written, even an empty one. An empty rollback (an
	// empty down migration, an empty rollback section) means there is nothing to undo; no
	// rollback at all means the change cannot be rolled back.
	HasRollback bool
	// Verify, when set, runs right after the change, in its transaction where there is one: a
	// sqitch verify script. It fails the change by failing (raising an error). It is not part
	// of the change's hash, so editing it does not make a deployed change edited.
	Verify *Script

	Attrs Attrs
}

// ID names the change for messages: "schema.type.object/change".
func (c *Change) ID() string { return c.Object.String() + "/" + c.Name }

// Where returns "file:line" for messages.
func (c *Change) Where() string { return fmt.Sprintf("%s:%d", c.File, c.Line) }

// Attrs are the attributes written on a change marker (or on an object's metadata line).
type Attrs struct {
	// Depends, when DependsSet, replaces the dependencies found in the SQL. Each entry names an
	// object: "name", "schema.name", or "schema.type.name"; "object/change" names one change.
	Depends    []string
	DependsSet bool
	// DependsAdd adds dependencies to those found; DependsExclude removes found ones.
	DependsAdd     []string
	DependsExclude []string

	// IncludeEnvs and ExcludeEnvs are environment name patterns (path.Match syntax, e.g. "test*").
	// A change runs where some IncludeEnvs pattern matches (or there are none) and no ExcludeEnvs
	// pattern matches.
	IncludeEnvs []string
	ExcludeEnvs []string
	// IncludeDialects and ExcludeDialects restrict the change to some databases ("postgres",
	// "mysql", "sqlite"), like Obevo's includePlatforms.
	IncludeDialects []string
	ExcludeDialects []string

	// NoTransaction runs the change outside a transaction, statement by statement.
	NoTransaction bool
	// Always runs a repeatable script on every deploy, changed or not (Liquibase's runAlways).
	Always bool
	// Rebaseline names earlier changes of the same object that this change replaces: where they
	// are recorded as deployed, this change is recorded without running and they are retired.
	Rebaseline []string
	// Inactive changes are kept in the file but never deployed.
	Inactive bool
	// Drop marks a change that drops its object; after it the object no longer exists.
	Drop bool
	// Key overrides the key columns of a static data table (default: its primary key).
	Key []string
	// Changeset names the changeset of a change (Obevo's changeset attribute): a deploy leaves
	// it out, and lists it as deferred, unless the changeset is selected (plan.Changesets).
	Changeset string
	// Extra keeps attributes that tandem accepts but does not act on (Obevo toggles such as FK or
	// comment), so that nothing written is silently lost.
	Extra map[string]string
}

// Data is the parsed content of a static data CSV.
type Data struct {
	Columns []string
	Rows    []DataRow
}

// DataRow is one CSV row. A nil value is SQL NULL (an empty unquoted field).
type DataRow struct {
	Line   int
	Values []*string
}
