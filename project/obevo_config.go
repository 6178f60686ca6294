package project

import (
	"encoding/xml"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"

	"github.com/tandem-db/tandem"
)

// obevoSystemConfig is the part of Obevo's system-config.xml that tandem reads. Elements that
// only matter to Obevo's own features (groups, users, permissions) are noticed so that a
// warning can say they are not applied.
type obevoSystemConfig struct {
	XMLName       xml.Name           `xml:"dbSystemConfig"`
	Type          string             `xml:"type,attr"`
	DataDelimiter *string            `xml:"dataDelimiter,attr"`
	NullToken     *string            `xml:"nullToken,attr"`
	Schemas       []obevoSchema      `xml:"schemas>schema"`
	Environments  []obevoEnvironment `xml:"environments>dbEnvironment"`
	Tokens        []obevoToken       `xml:"tokens>token"`
	Permissions   *struct{}          `xml:"permissions"`
}

type obevoSchema struct {
	Name string `xml:"name,attr"`
}

type obevoToken struct {
	Key   string `xml:"key,attr"`
	Value string `xml:"value,attr"`
}

type obevoEnvironment struct {
	Name              string  `xml:"name,attr"`
	CleanBuildAllowed string  `xml:"cleanBuildAllowed,attr"`
	JDBCURL           string  `xml:"jdbcUrl,attr"`
	DBHost            string  `xml:"dbHost,attr"`
	DBPort            string  `xml:"dbPort,attr"`
	DBServer          string  `xml:"dbServer,attr"`
	DBDataDir         string  `xml:"dbDataDir,attr"`
	DefaultUserID     string  `xml:"defaultUserId,attr"`
	DefaultPassword   string  `xml:"defaultPassword,attr"`
	SchemaPrefix      string  `xml:"dbSchemaPrefix,attr"`
	SchemaSuffix      string  `xml:"dbSchemaSuffix,attr"`
	DataDelimiter     *string `xml:"dataDelimiter,attr"`
	NullToken         *string `xml:"nullToken,attr"`
	Overrides         []struct {
		Schema string `xml:"schema,attr"`
		Value  string `xml:"overrideValue,attr"`
	} `xml:"schemaOverrides>schemaOverride"`
	Tokens         []obevoToken `xml:"tokens>token"`
	IncludeSchemas string       `xml:"includeSchemas"`
	ExcludeSchemas string       `xml:"excludeSchemas"`
	Permissions    *struct{}    `xml:"permissions"`
}

// obevoTypes are the values of a system config's type attribute that tandem deploys to (upper
// case). Any other type (ORACLE, DB2, MSSQL, SYBASE_ASE, HSQL, H2, ...) is refused rather than
// planned against the embedded SQLite database, which would run SQL written for another
// database. SQLITE is no Obevo type, but names tandem's own.
var obevoTypes = []string{"POSTGRESQL", "MYSQL", "MARIADB", "SQLITE"}

// parseObevoConfig reads a system-config.xml into a tandem.Config, the options for reading
// static data files, and warnings about settings tandem does not apply. A type other than
// those in obevoTypes is an error; a config without a type is read, the URL then saying which
// database it is.
//
// Each environment's URL comes from its jdbcUrl when that names PostgreSQL or MySQL/MariaDB
// (jdbc:postgresql://h:p/db becomes postgres://h:p/db), or is built from dbHost, dbPort and
// dbServer for those platforms; otherwise it is empty, which means tandem's embedded SQLite
// database. Obevo's per-schema ${<schema>_physicalName} tokens are not stored: they depend on
// the environment's schema mapping and are added when a plan is made.
func parseObevoConfig(file string, data []byte) (tandem.Config, csvOptions, []string, error) {
	var sc obevoSystemConfig
	var cfg tandem.Config
	var opt csvOptions
	var warnings []string
	if err := xml.Unmarshal(data, &sc); err != nil {
		line := 0
		var se *xml.SyntaxError
		if errors.As(err, &se) {
			line = se.Line
		}
		return cfg, opt, nil, lineErr(file, line, "read Obevo system config: %v", err)
	}
	if len(sc.Schemas) == 0 {
		return cfg, opt, nil, lineErr(file, lineOf(data, "<dbSystemConfig", 1), "Obevo system config declares no schemas; add <schemas><schema name=\"...\"/></schemas>")
	}
	for _, s := range sc.Schemas {
		name := strings.TrimSpace(s.Name)
		if name == "" {
			return cfg, opt, nil, lineErr(file, lineOf(data, "<schema ", 1), "a <schema> element has no name attribute")
		}
		for _, prev := range cfg.Schemas {
			if strings.EqualFold(prev, name) {
				return cfg, opt, nil, lineErr(file, lineOf(data, `name="`+s.Name+`"`, nthIf(prev == name)), "schema %q is declared twice", name)
			}
		}
		cfg.Schemas = append(cfg.Schemas, name)
	}

	platform := strings.ToUpper(strings.TrimSpace(sc.Type))
	if platform != "" && !slices.Contains(obevoTypes, platform) {
		return cfg, opt, nil, tandem.WithHint(lineErr(file, lineOf(data, "type=", 1), "Obevo system config has type=%q, a database tandem does not deploy to; tandem deploys to POSTGRESQL, MYSQL and MARIADB (and SQLITE, its own)", sc.Type),
			tandem.Hint{Code: tandem.HintEditConfig, Text: "set type to the database the project is deployed to (for a project written for an in-memory HSQL or H2 test database, the one it is deployed to in production), or deploy it with Obevo"})
	}
	var errs []error
	delim, nullToken := sc.DataDelimiter, sc.NullToken
	if sc.Permissions != nil {
		warnings = append(warnings, fmt.Sprintf("%s: tandem does not apply Obevo <permissions>; write the GRANT statements in the changes instead", file))
	}
	for _, e := range sc.Environments {
		name := strings.TrimSpace(e.Name)
		if name == "" {
			errs = append(errs, lineErr(file, lineOf(data, "<dbEnvironment", 1), "a <dbEnvironment> element has no name attribute"))
			continue
		}
		if prev := cfg.Environment(name); prev != nil {
			errs = append(errs, lineErr(file, lineOf(data, `name="`+e.Name+`"`, nthIf(prev.Name == name)), "environment %q is declared twice", name))
			continue
		}
		envLine := lineOf(data, `name="`+e.Name+`"`, 1)
		env := tandem.Environment{Name: name}
		env.AllowClean = strings.EqualFold(strings.TrimSpace(e.CleanBuildAllowed), "true")
		u, warn := obevoURL(e, platform)
		env.URL = u
		if warn != "" {
			warnings = append(warnings, fmt.Sprintf("%s: environment %s: %s", file, name, warn))
		}
		for _, s := range cfg.Schemas {
			if e.SchemaPrefix != "" || e.SchemaSuffix != "" {
				setMap(&env.SchemaMap, s, e.SchemaPrefix+s+e.SchemaSuffix)
			}
		}
		for _, o := range e.Overrides {
			logical := canonicalSchema(cfg.Schemas, o.Schema)
			if logical == "" {
				errs = append(errs, lineErr(file, lineOf(data, `schema="`+o.Schema+`"`, 1), "environment %s overrides schema %q, which is not declared in <schemas>", name, o.Schema))
				continue
			}
			setMap(&env.SchemaMap, logical, o.Value)
		}
		for _, t := range sc.Tokens {
			setMap(&env.Tokens, t.Key, t.Value)
		}
		for _, t := range e.Tokens {
			setMap(&env.Tokens, t.Key, t.Value)
		}
		if strings.TrimSpace(e.IncludeSchemas) != "" || strings.TrimSpace(e.ExcludeSchemas) != "" {
			warnings = append(warnings, fmt.Sprintf("%s: environment %s: includeSchemas/excludeSchemas are not supported; every schema is deployed", file, name))
		}
		if e.Permissions != nil {
			warnings = append(warnings, fmt.Sprintf("%s: environment %s: tandem does not apply Obevo <permissions>; write the GRANT statements in the changes instead", file, name))
		}
		// static data is read once for all environments, so a per-environment CSV format
		// only works where every environment agrees
		for _, p := range []struct {
			env **string
			sys *string
			set **string
			att string
		}{{&e.DataDelimiter, sc.DataDelimiter, &delim, "dataDelimiter"}, {&e.NullToken, sc.NullToken, &nullToken, "nullToken"}} {
			v := *p.env
			if v == nil {
				continue
			}
			if *p.set != nil && **p.set != *v {
				errs = append(errs, lineErr(file, envLine, "environment %s sets %s=%q but another setting says %q; static data is read the same way for every environment, so set %s once on <dbSystemConfig>", name, p.att, *v, **p.set, p.att))
				continue
			}
			*p.set = v
		}
		cfg.Environments = append(cfg.Environments, env)
	}
	if delim != nil {
		if len(*delim) != 1 || strings.ContainsAny(*delim, "\"\r\n") {
			errs = append(errs, lineErr(file, lineOf(data, "dataDelimiter=", 1), "dataDelimiter=%q must be one character other than a quote or a line break", *delim))
		} else {
			opt.Delim = (*delim)[0]
		}
	}
	if nullToken != nil {
		opt.NullToken = *nullToken
	}
	return cfg, opt, warnings, errors.Join(errs...)
}

// obevoURL turns an Obevo environment's connection attributes into a tandem URL. A non-empty
// warning explains why an environment gets no URL.
func obevoURL(e obevoEnvironment, platform string) (string, string) {
	var u string
	if j := strings.TrimSpace(e.JDBCURL); j != "" {
		lower := strings.ToLower(j)
		switch {
		case strings.HasPrefix(lower, "jdbc:postgresql:"):
			u = "postgres:" + j[len("jdbc:postgresql:"):]
		case strings.HasPrefix(lower, "jdbc:mysql:"):
			u = "mysql:" + j[len("jdbc:mysql:"):]
		case strings.HasPrefix(lower, "jdbc:mariadb:"):
			u = "mysql:" + j[len("jdbc:mariadb:"):]
		default:
			return "", fmt.Sprintf("jdbcUrl %s is not a PostgreSQL or MySQL database; the environment uses the embedded SQLite database", j)
		}
	} else if h := strings.TrimSpace(e.DBHost); h != "" {
		scheme := map[string]string{"POSTGRESQL": "postgres", "MYSQL": "mysql", "MARIADB": "mysql"}[platform]
		if scheme == "" {
			return "", fmt.Sprintf("platform %s is not PostgreSQL or MySQL; the environment uses the embedded SQLite database", platform)
		}
		host := h
		if p := strings.TrimSpace(e.DBPort); p != "" {
			host += ":" + p
		}
		u = scheme + "://" + host + "/" + strings.TrimSpace(e.DBServer)
	} else {
		return "", ""
	}
	if e.DefaultUserID != "" {
		pu, err := url.Parse(u)
		if err == nil && pu.User == nil {
			if e.DefaultPassword != "" {
				pu.User = url.UserPassword(e.DefaultUserID, e.DefaultPassword)
			} else {
				pu.User = url.User(e.DefaultUserID)
			}
			u = pu.String()
		}
	}
	return u, ""
}

// canonicalSchema returns the declared spelling of a logical schema name, or "".
func canonicalSchema(schemas []string, name string) string {
	for _, s := range schemas {
		if strings.EqualFold(s, strings.TrimSpace(name)) {
			return s
		}
	}
	return ""
}

func setMap(m *map[string]string, k, v string) {
	if *m == nil {
		*m = map[string]string{}
	}
	(*m)[k] = v
}

// lineOf returns the 1-based line of the nth occurrence of needle in data, or 0. The XML decoder
// does not say where an element was, so errors about a value find it in the text.
func lineOf(data []byte, needle string, nth int) int {
	off := 0
	for n := 0; n < nth; n++ {
		i := strings.Index(string(data[off:]), needle)
		if i < 0 {
			return 0
		}
		off += i
		if n < nth-1 {
			off += len(needle)
		}
	}
	return strings.Count(string(data[:off]), "\n") + 1
}

// nthIf says which occurrence of a duplicated name to look for: the second when both are
// spelled alike, else the first of this spelling.
func nthIf(sameSpelling bool) int {
	if sameSpelling {
		return 2
	}
	return 1
}
