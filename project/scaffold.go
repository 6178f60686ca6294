package project

import "fmt"

// scaffoldFiles is the project that Scaffold writes: a configuration with a commented default
// environment and one example of each kind of file, in native syntax and portable SQL, so that
// `tandem init && tandem deploy` works against the embedded SQLite database as it is.
var scaffoldFiles = []struct{ name, text string }{
	{configFile, `# tandem project. Objects live in <schema>/<type>/<name>.sql, for example app/table/users.sql.
#
# schemas: [app]            # logical schemas (default: every folder holding table/, view/, ...)
# migrations: [migrations]  # folders of numbered migrations (default: ./migrations if present)

environments:
  # With an empty url, tandem keeps an SQLite database inside the project folder. Point an
  # environment at a server instead with, for example:
  #   url: postgres://localhost:5432/app?sslmode=disable
  #   url: mysql://root@localhost:3306/app
  #   url: ${DATABASE_URL}      # ${NAME} is read from the environment when tandem connects
  default:
    url: ""
    # schemas: {app: app_dev}   # logical schema -> schema in this database
    # tokens: {owner: app}      # ${owner} in SQL becomes app
    # allow_clean: true         # let "tandem clean" drop every managed object here
    # lock_timeout: 5s          # how long each statement waits for a table lock
`},
	{"app/table/countries.sql", `-- A table is a list of changes. Each runs once, in order. Never edit a deployed change:
-- add a new one below it.
-- tandem:change create
create table countries (
    code char(2) primary key,
    name varchar(100) not null
);
-- tandem:rollback
drop table countries;
`},
	{"app/table/users.sql", `-- tandem:change create
create table users (
    id integer primary key,
    email varchar(200) not null,
    country_code char(2) references countries (code),
    active integer not null default 1
);
-- tandem:rollback
drop table users;

-- tandem:change add_name
alter table users add column name varchar(100);
-- tandem:rollback
alter table users drop column name;
`},
	{"app/view/active_users.sql", `-- A view (like a function, procedure or trigger) is one definition, recreated whole when
-- this file changes. Dependencies (here: users, countries) are found in the SQL.
create view active_users as
select u.id, u.email, u.name, c.name as country
from users u
left join countries c on c.code = u.country_code
where u.active = 1;
`},
	{"app/staticdata/countries.csv", `# Static data: tandem keeps the rows of table countries equal to this file, matched on
# its primary key. An empty unquoted field is NULL.
code,name
de,Germany
fr,France
jp,Japan
`},
}

// Scaffold writes a new project through write, which receives slash-separated paths relative to
// the project folder: tandem.yaml with a commented default environment, and an example table,
// view and static data file in native syntax. Whether existing files are overwritten is up to
// write. Scaffold stops at the first error.
func Scaffold(write func(name string, data []byte) error) error {
	for _, f := range scaffoldFiles {
		if err := write(f.name, []byte(f.text)); err != nil {
			return fmt.Errorf("scaffold %s: %w", f.name, err)
		}
	}
	return nil
}
