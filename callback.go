package tandem

// Script is SQL kept in a file of its own that runs beside changes rather than as one: a sqitch
// verify script, a Flyway callback.
type Script struct {
	File string // slash-separated path relative to the project root
	SQL  string // the text as written, trimmed of surrounding blank lines
	Line int    // 1-based line in File where SQL starts
}

// CallbackEvent names a point of a deploy at which callbacks run.
type CallbackEvent string

// The callback events tandem runs, named as Flyway names its callback files.
const (
	// BeforeMigrate runs once at the start of every deploy, even one with nothing to do.
	BeforeMigrate CallbackEvent = "beforeMigrate"
	// BeforeEachMigrate runs before each change, in the change's transaction where it has one.
	BeforeEachMigrate CallbackEvent = "beforeEachMigrate"
	// AfterEachMigrate runs after each change, in its transaction, before its history row.
	AfterEachMigrate CallbackEvent = "afterEachMigrate"
	// AfterMigrate runs once at the end of a deploy that succeeded.
	AfterMigrate CallbackEvent = "afterMigrate"
	// AfterMigrateError runs once at the end of a deploy that failed.
	AfterMigrateError CallbackEvent = "afterMigrateError"
)

// CallbackEvents lists the events tandem runs callbacks for.
var CallbackEvents = []CallbackEvent{BeforeMigrate, BeforeEachMigrate, AfterEachMigrate, AfterMigrate, AfterMigrateError}

// Callback is a script run at an event of a deploy.
type Callback struct {
	Event CallbackEvent
	Script
}
