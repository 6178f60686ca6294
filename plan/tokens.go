package plan

import (
	"strings"

	"github.com/tandem-db/tandem"
)

// tokens maps token names to their values in one environment.
type tokens map[string]string

// newTokens collects the tokens of env: ${env}, ${<schema>_physicalName} for every schema of the
// project (as declared and in lower case), and the environment's own tokens, which win.
func newTokens(p *tandem.Project, env *tandem.Environment) tokens {
	t := tokens{"env": env.Name}
	add := func(s string) {
		if s == "" {
			return
		}
		phys := env.PhysicalSchema(s)
		for _, name := range []string{s, strings.ToLower(s)} {
			if _, ok := t[name+"_physicalName"]; !ok {
				t[name+"_physicalName"] = phys
			}
		}
	}
	for _, s := range p.Config.Schemas {
		add(s)
	}
	for _, o := range p.Objects {
		if o != nil {
			add(o.Schema)
			add(o.Key.Schema)
		}
	}
	for k, v := range env.Tokens {
		t[k] = v
	}
	return t
}

// replace substitutes every ${name} whose name is a known token. Anything else that looks like
// a token is left exactly as written, because ${...} may be legitimate text in SQL strings.
func (t tokens) replace(s string) string {
	i := strings.Index(s, "${")
	if i < 0 {
		return s
	}
	var sb strings.Builder
	sb.Grow(len(s))
	for i >= 0 {
		sb.WriteString(s[:i])
		rest := s[i+2:]
		end := strings.IndexByte(rest, '}')
		if end >= 0 && validTokenName(rest[:end]) {
			if v, ok := t[rest[:end]]; ok {
				sb.WriteString(v)
				s = rest[end+1:]
				i = strings.Index(s, "${")
				continue
			}
		}
		sb.WriteString("${")
		s = rest
		i = strings.Index(s, "${")
	}
	sb.WriteString(s)
	return sb.String()
}

func validTokenName(name string) bool {
	if name == "" {
		return false
	}
	for i := 0; i < len(name); i++ {
		switch c := name[i]; {
		case c == '_' || c == '.' || c == '-',
			c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
		default:
			return false
		}
	}
	return true
}

// TokenReplacer returns a function that replaces the tokens of env in a text as Build replaces
// them in change bodies, for scripts that run beside changes (callbacks, verify scripts).
func TokenReplacer(p *tandem.Project, env *tandem.Environment) func(string) string {
	return newTokens(p, env).replace
}
