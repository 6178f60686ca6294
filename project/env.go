package project

import (
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
)

// ExpandEnv replaces every ${NAME} in s with getenv(NAME). Only the braced form is expanded, so
// that a "$" elsewhere (as in a password) is kept as written. A variable that getenv reports unset
// is an error wrapping ErrUnsetVariable that names every unset variable (but no value, since
// URLs hold passwords); a "${" without its "}" or with a name that is not a letter or "_" followed
// by letters, digits and "_" is an error too. An empty value set on purpose is not an error.
func ExpandEnv(s string, getenv func(string) (string, bool)) (string, error) {
	var b strings.Builder
	var unset []string
	for {
		i := strings.Index(s, "${")
		if i < 0 {
			b.WriteString(s)
			break
		}
		b.WriteString(s[:i])
		end := strings.IndexByte(s[i:], '}')
		if end < 0 {
			return "", fmt.Errorf("\"${\" at byte %d has no closing \"}\"", i)
		}
		name := s[i+2 : i+end]
		if !validVarName(name) {
			return "", fmt.Errorf("${%s}: a variable name is a letter or \"_\" followed by letters, digits and \"_\"", name)
		}
		v, ok := getenv(name)
		if !ok {
			if !slices.Contains(unset, name) {
				unset = append(unset, name)
			}
		}
		b.WriteString(v)
		s = s[i+end+1:]
	}
	switch len(unset) {
	case 0:
		return b.String(), nil
	case 1:
		return "", fmt.Errorf("%w: %s; set it or edit the value", ErrUnsetVariable, unset[0])
	}
	return "", fmt.Errorf("%w: %s; set them or edit the value", ErrUnsetVariable, strings.Join(unset, ", "))
}

// ExpandTokens returns a copy of an environment's tokens with ${NAME} in each value expanded by
// ExpandEnv's rules, so that a token can take its value from the environment as a URL does.
// Every token whose value cannot be expanded is an error (joined, in name order) that names the
// token and wraps ExpandEnv's error, which names the variable but no value. nil stays nil.
func ExpandTokens(tokens map[string]string, getenv func(string) (string, bool)) (map[string]string, error) {
	if tokens == nil {
		return nil, nil
	}
	names := make([]string, 0, len(tokens))
	for k := range tokens {
		names = append(names, k)
	}
	sort.Strings(names)
	out := make(map[string]string, len(tokens))
	var errs []error
	for _, k := range names {
		v, err := ExpandEnv(tokens[k], getenv)
		if err != nil {
			errs = append(errs, fmt.Errorf("token %s: %w", k, err))
			continue
		}
		out[k] = v
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return out, nil
}

func validVarName(n string) bool {
	if n == "" {
		return false
	}
	for i := 0; i < len(n); i++ {
		c := n[i]
		letter := c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
		if !letter && (i == 0 || c < '0' || c > '9') {
			return false
		}
	}
	return true
}
