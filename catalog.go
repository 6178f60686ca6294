package tandem

// Snapshot describes the objects of a database as typed data: what Dialect.Inspect reads from
// the catalog, for drift checks, for tests that compare two databases (or one database at two
// moments), and for reverse engineering. What a database does not have stays empty (SQLite has
// no sequences, MySQL no user types).
//
// A dialect fills it and calls Sort, so that two databases built from the same DDL give equal
// snapshots. Objects renders it as one canonical text per object; Diff lists the differences
// between two snapshots object by object.
type Snapshot struct {
	Tables    []TableDesc
	Views     []ViewDesc
	Routines  []RoutineDesc // one per overload
	Triggers  []TriggerDesc
	Sequences []SequenceDesc
	Types     []TypeDesc
}

// SnapshotObject is one object of a Snapshot as canonical text (see Snapshot.Objects): for a
// table its columns, keys, constraints and indexes; for a view or routine its definition as
// the catalog returns it. Overloads of a routine, and triggers of one name on several tables,
// make one object.
type SnapshotObject struct {
	Schema     string
	Type       ObjectType
	Name       string
	Definition string
}

// TableKind tells ordinary tables from the other kinds a catalog lists as tables.
type TableKind string

// Table kinds.
const (
	OrdinaryTable    TableKind = ""            // a plain table
	PartitionedTable TableKind = "partitioned" // PostgreSQL: the parent of partitions, no rows of its own
	ForeignTable     TableKind = "foreign"     // PostgreSQL: rows kept by a foreign data wrapper
)

// TableDesc describes one table.
type TableDesc struct {
	Schema string // empty where the database has no schemas (SQLite)
	Name   string
	Kind   TableKind
	// Columns in ordinal order.
	Columns    []ColumnDesc
	PrimaryKey *KeyDesc // nil when the table has none
	// Uniques are unique constraints (PostgreSQL, SQLite). MySQL keeps them as unique indexes,
	// listed in Indexes.
	Uniques     []KeyDesc
	ForeignKeys []ForeignKeyDesc
	Checks      []CheckDesc
	Exclusions  []ExclusionDesc // PostgreSQL EXCLUDE constraints
	// Indexes that no constraint owns (PostgreSQL, SQLite); on MySQL every index but the
	// primary key.
	Indexes     []IndexDesc
	PartitionBy string // PostgreSQL: the partition key of a partitioned table
	PartitionOf string // PostgreSQL: the parent and bound of a partition, "schema.parent FOR VALUES ..."
	Engine      string // MySQL: the storage engine
	Collation   string // MySQL: the table's default collation
	// Definition is the table's CREATE statement where the catalog keeps one (SQLite: the text
	// as written, updated by ALTER TABLE).
	Definition string
}

// ColumnDesc describes one column of a table, view or composite type.
type ColumnDesc struct {
	Name string
	// Type as the catalog writes it, e.g. "integer", "character varying(30)", "enum('a','b')".
	Type     string
	Nullable bool
	// Default is the default expression as the catalog writes it; empty when there is none.
	Default string
	// Generated is the expression of a generated column; GeneratedStored tells a stored one
	// from a virtual one.
	Generated       string
	GeneratedStored bool
	// Identity is "ALWAYS" or "BY DEFAULT" for a PostgreSQL identity column.
	Identity      string
	AutoIncrement bool   // MySQL AUTO_INCREMENT
	Collation     string // set only when it is not the default of the type or table
	// Enum lists the allowed values of an inline ENUM or SET type (MySQL).
	Enum []string
	// Extra is what else the catalog says of the column (MySQL: "ON UPDATE current_timestamp()",
	// "INVISIBLE").
	Extra string
}

// KeyDesc describes a primary key or unique constraint.
type KeyDesc struct {
	Name    string // empty where the catalog keeps no name (SQLite)
	Columns []string
	// Definition is the constraint as the catalog deparses it, where it does (PostgreSQL:
	// "UNIQUE (code) DEFERRABLE").
	Definition string
}

// ForeignKeyDesc describes a foreign key.
type ForeignKeyDesc struct {
	Name       string
	Columns    []string
	RefSchema  string // the referenced table's schema; empty when it is the table's own (and on SQLite)
	RefTable   string
	RefColumns []string // empty when the key references the primary key implicitly (SQLite)
	// OnUpdate and OnDelete are the referential actions in SQL words: "NO ACTION", "RESTRICT",
	// "CASCADE", "SET NULL", "SET DEFAULT".
	OnUpdate, OnDelete string
	Match              string // "SIMPLE", "FULL" or "PARTIAL", where the catalog says
	Definition         string // as the catalog deparses it, where it does
}

// CheckDesc describes a check constraint.
type CheckDesc struct {
	Name       string // empty for an unnamed SQLite check
	Expression string // the condition, without CHECK and the outer parentheses
	Definition string // as the catalog deparses it, where it does
}

// ExclusionDesc describes a PostgreSQL exclusion constraint.
type ExclusionDesc struct {
	Name       string
	Definition string
}

// IndexDesc describes one index.
type IndexDesc struct {
	Name   string
	Unique bool
	Method string // access method: "btree", "gin", "BTREE", "FULLTEXT"; empty where there is one kind
	Keys   []IndexKey
	// Include lists non-key columns carried in the index (PostgreSQL INCLUDE).
	Include []string
	Where   string // the predicate of a partial index
	Invalid bool   // PostgreSQL: a concurrent build failed; queries do not use the index
	// Definition is the CREATE INDEX statement as the catalog deparses or keeps it, where it
	// does (PostgreSQL, SQLite).
	Definition string
}

// IndexKey is one key part of an index: a column or an expression.
type IndexKey struct {
	Column     string // empty for an expression
	Expression string // empty for a column
	Descending bool
	Prefix     int // MySQL: the length of a column prefix; 0 for the whole value
}

// ViewDesc describes a view or materialized view.
type ViewDesc struct {
	Schema       string
	Name         string
	Materialized bool
	// Definition is the query as the catalog returns it (SQLite: the whole CREATE VIEW).
	Definition string
	// Columns of the view in order, where the catalog lists them (PostgreSQL): a change of a
	// column's type shows even where the query text does not.
	Columns     []ColumnDesc
	CheckOption string // MySQL: NONE, CASCADED, LOCAL
	Security    string // MySQL: DEFINER, INVOKER
}

// RoutineKind tells functions, procedures and aggregates apart.
type RoutineKind string

// Routine kinds.
const (
	FunctionRoutine  RoutineKind = "function"
	ProcedureRoutine RoutineKind = "procedure"
	AggregateRoutine RoutineKind = "aggregate" // PostgreSQL; a project keeps it as a function
)

// ObjectType is the kind of project object a routine of kind k is kept as.
func (k RoutineKind) ObjectType() ObjectType {
	if k == ProcedureRoutine {
		return Procedure
	}
	return Function
}

// RoutineDesc describes one routine (one overload of a name).
type RoutineDesc struct {
	Schema string
	Name   string
	Kind   RoutineKind
	// Arguments is the parameter list as the catalog writes it, without parentheses: what
	// tells overloads apart.
	Arguments     string
	Returns       string // the result type; empty for a procedure
	Language      string // "plpgsql", "sql", ...
	Deterministic bool   // MySQL DETERMINISTIC
	DataAccess    string // MySQL: CONTAINS SQL, READS SQL DATA, ...
	Security      string // DEFINER or INVOKER, where the catalog says
	// Definition is the routine as the catalog returns it (PostgreSQL: the whole CREATE
	// statement; MySQL: the body).
	Definition string
}

// TriggerDesc describes one trigger.
type TriggerDesc struct {
	Schema string
	Name   string
	Table  string
	Timing string   // BEFORE, AFTER, INSTEAD OF
	Events []string // INSERT, UPDATE, DELETE, TRUNCATE, in that order
	// ForEach is ROW or STATEMENT.
	ForEach string
	Order   int // MySQL: the position among the table's triggers of the same timing and event
	// Enabled is empty for a trigger that fires as usual, else DISABLED, REPLICA or ALWAYS
	// (PostgreSQL).
	Enabled string
	// Definition is the trigger as the catalog returns it (PostgreSQL: CREATE TRIGGER; MySQL:
	// the statement; SQLite: the whole CREATE TRIGGER).
	Definition string
}

// SequenceDesc describes a sequence by its settings; its current value, which moves with use,
// is left out.
type SequenceDesc struct {
	Schema    string
	Name      string
	DataType  string // PostgreSQL: bigint, integer, smallint
	Start     int64
	Increment int64
	Min, Max  int64
	Cache     int64
	Cycle     bool
	OwnedBy   string // PostgreSQL: "table.column" of a sequence owned by a column
}

// TypeKind tells the kinds of user-defined types apart.
type TypeKind string

// User type kinds.
const (
	EnumType      TypeKind = "enum"
	DomainType    TypeKind = "domain"
	RangeType     TypeKind = "range"
	CompositeType TypeKind = "composite"
)

// TypeDesc describes a user-defined type (PostgreSQL).
type TypeDesc struct {
	Schema string
	Name   string
	Kind   TypeKind
	Values []string // enum: the labels in order
	// BaseType, NotNull, Default and Checks describe a domain.
	BaseType string
	NotNull  bool
	Default  string
	Checks   []CheckDesc
	Subtype  string // range: the element type
	// Attributes of a composite type, in order (name and type).
	Attributes []ColumnDesc
}
