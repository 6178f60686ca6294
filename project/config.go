package project

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"path"
	"regexp"
	"slices"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/tandem-db/tandem"
)

// configFile is the name of a tandem project's configuration at the project root.
const configFile = "tandem.yaml"

// fileConfig is tandem.yaml as written. The values are kept as nodes so that every problem can
// be reported with its line.
type fileConfig struct {
	Schemas      yaml.Node `yaml:"schemas"`
	Migrations   yaml.Node `yaml:"migrations"`
	Environments yaml.Node `yaml:"environments"`
}

// fileEnvironment is one environment of tandem.yaml.
type fileEnvironment struct {
	URL           string            `yaml:"url"`
	Schemas       map[string]string `yaml:"schemas"`
	Tokens        map[string]string `yaml:"tokens"`
	AllowClean    bool              `yaml:"allow_clean"`
	HistorySchema string            `yaml:"history_schema"`
	LockTimeout   string            `yaml:"lock_timeout"`
	OutOfOrder    bool              `yaml:"out_of_order"`
}

var (
	topKeys = []string{"schemas", "migrations", "environments"}
	envKeys = []string{"url", "schemas", "tokens", "allow_clean", "history_schema", "lock_timeout", "out_of_order"}
)

// configLines remembers where values of tandem.yaml were written, for later messages.
type configLines struct {
	schemas    map[string]int // lower-case schema -> line
	migrations map[string]int // folder -> line
	envs       []int          // line of each environment, in order
	// migrationsSet is true when tandem.yaml has a migrations key, even an empty list, which
	// turns off the default "migrations" folder.
	migrationsSet bool
}

// parseConfig reads tandem.yaml. Unknown keys are errors with their line. The environments keep
// the order in which they are written. A URL and token values are kept unexpanded: the CLI
// expands ${VAR} with ExpandEnv and ExpandTokens when it picks the environment, so that a
// password in the environment never lands in a Project.
func parseConfig(data []byte, errs *errList) (tandem.Config, configLines) {
	var cfg tandem.Config
	lines := configLines{schemas: map[string]int{}, migrations: map[string]int{}}
	var fc fileConfig
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&fc); err != nil && !errors.Is(err, io.EOF) {
		addYAMLError(err, topKeys, errs)
		// after a type error (such as an unknown key) yaml.v3 has decoded the rest, which may
		// hold more problems worth reporting in the same run
		var te *yaml.TypeError
		if !errors.As(err, &te) {
			return cfg, lines
		}
	}

	for _, s := range stringList(&fc.Schemas, "schemas", errs) {
		name := s.Value
		switch {
		case name == "" || strings.ContainsAny(name, `/\`) || name == "." || name == "..":
			errs.addf(configFile, s.Line, "%w: schema %q must be a folder name at the project root", ErrConfig, name)
		case lines.schemas[strings.ToLower(name)] > 0:
			errs.addf(configFile, s.Line, "%w: schema %q is listed twice (first at line %d)", ErrConfig, name, lines.schemas[strings.ToLower(name)])
		default:
			lines.schemas[strings.ToLower(name)] = s.Line
			cfg.Schemas = append(cfg.Schemas, name)
		}
	}
	lines.migrationsSet = fc.Migrations.Kind != 0
	for _, m := range stringList(&fc.Migrations, "migrations", errs) {
		dir := path.Clean(strings.ReplaceAll(m.Value, `\`, "/"))
		switch {
		case m.Value == "" || path.IsAbs(dir) || dir == ".." || strings.HasPrefix(dir, "../"):
			errs.addf(configFile, m.Line, "%w: migration folder %q must be a relative path inside the project", ErrConfig, m.Value)
		case lines.migrations[dir] > 0:
			errs.addf(configFile, m.Line, "%w: migration folder %q is listed twice (first at line %d)", ErrConfig, m.Value, lines.migrations[dir])
		default:
			lines.migrations[dir] = m.Line
			cfg.MigrationDirs = append(cfg.MigrationDirs, dir)
		}
	}
	cfg.Environments, lines.envs = parseEnvironments(&fc.Environments, errs)
	return cfg, lines
}

// stringList decodes a node that should be a list of strings (a single string is accepted as a
// list of one).
func stringList(n *yaml.Node, key string, errs *errList) []*yaml.Node {
	switch n.Kind {
	case 0:
		return nil
	case yaml.ScalarNode:
		if n.Tag == "!!null" {
			return nil
		}
		if n.Tag == "!!str" {
			return []*yaml.Node{n}
		}
	case yaml.SequenceNode:
		for _, item := range n.Content {
			if item.Kind != yaml.ScalarNode || item.Tag == "!!null" {
				errs.addf(configFile, item.Line, "%w: %s must be a list of names", ErrConfig, key)
				return nil
			}
		}
		return n.Content
	}
	errs.addf(configFile, n.Line, "%w: %s must be a list of names, like %s: [a, b]", ErrConfig, key, key)
	return nil
}

// parseEnvironments decodes the environments mapping in the order written.
func parseEnvironments(n *yaml.Node, errs *errList) ([]tandem.Environment, []int) {
	if n.Kind == 0 || (n.Kind == yaml.ScalarNode && n.Tag == "!!null") {
		return nil, nil
	}
	if n.Kind != yaml.MappingNode {
		errs.addf(configFile, n.Line, "%w: environments must map names to settings, like environments: {dev: {url: ...}}", ErrConfig)
		return nil, nil
	}
	var envs []tandem.Environment
	var lines []int
	seen := map[string]int{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		name := k.Value
		if name == "" || strings.ContainsAny(name, " \t") {
			errs.addf(configFile, k.Line, "%w: environment name %q must be non-empty and hold no blanks", ErrConfig, name)
			continue
		}
		if prev := seen[strings.ToLower(name)]; prev > 0 {
			errs.addf(configFile, k.Line, "%w: environment %q is defined twice (first at line %d); names are compared ignoring case", ErrConfig, name, prev)
			continue
		}
		seen[strings.ToLower(name)] = k.Line
		env := tandem.Environment{Name: name}
		if v.Kind == yaml.MappingNode {
			ok := true
			for j := 0; j+1 < len(v.Content); j += 2 {
				if key := v.Content[j]; !slices.Contains(envKeys, key.Value) {
					errs.addf(configFile, key.Line, "%w: unknown key %q in environment %s (known: %s)", ErrConfig, key.Value, name, strings.Join(envKeys, ", "))
					ok = false
				}
			}
			var fe fileEnvironment
			if err := v.Decode(&fe); err != nil {
				addYAMLError(err, envKeys, errs)
				ok = false
			}
			if !ok {
				continue
			}
			if fe.LockTimeout != "" {
				if d, err := time.ParseDuration(fe.LockTimeout); err != nil || d < 0 {
					errs.addf(configFile, valueLine(v, "lock_timeout"), "%w: lock_timeout %q in environment %s is not a duration; write it like 5s or 1m30s", ErrConfig, fe.LockTimeout, name)
				}
			}
			env.URL, env.SchemaMap, env.Tokens = fe.URL, fe.Schemas, fe.Tokens
			env.AllowClean, env.HistorySchema, env.LockTimeout = fe.AllowClean, fe.HistorySchema, fe.LockTimeout
			env.OutOfOrder = fe.OutOfOrder
		} else if !(v.Kind == yaml.ScalarNode && v.Tag == "!!null") {
			errs.addf(configFile, v.Line, "%w: environment %s must be a mapping of settings (%s)", ErrConfig, name, strings.Join(envKeys, ", "))
			continue
		}
		envs = append(envs, env)
		lines = append(lines, k.Line)
	}
	return envs, lines
}

// valueLine returns the line of key's value in mapping m.
func valueLine(m *yaml.Node, key string) int {
	for j := 0; j+1 < len(m.Content); j += 2 {
		if m.Content[j].Value == key {
			return m.Content[j+1].Line
		}
	}
	return m.Line
}

var yamlUnknownField = regexp.MustCompile(`^field (\S+) not found in type \S+$`)

// addYAMLError turns a yaml.v3 error into file:line errors, naming the known keys for an
// unknown one.
func addYAMLError(err error, known []string, errs *errList) {
	var msgs []string
	var te *yaml.TypeError
	if errors.As(err, &te) {
		msgs = te.Errors
	} else {
		msgs = []string{err.Error()}
	}
	for _, msg := range msgs {
		line, msg := yamlPosition(msg)
		if m := yamlUnknownField.FindStringSubmatch(msg); m != nil {
			errs.addf(configFile, line, "%w: unknown key %q (known: %s)", ErrConfig, m[1], strings.Join(known, ", "))
			continue
		}
		errs.add(configFile, line, fmt.Errorf("%w: %s", ErrConfig, msg))
	}
}
