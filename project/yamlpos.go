package project

import (
	"regexp"
	"strconv"
	"strings"
)

var yamlLine = regexp.MustCompile(`^(?:yaml: )?line (\d+): (.*)$`)

// yamlPosition splits one yaml.v3 message into its line (0 when it names none) and the rest,
// without the "yaml: " and "line N: " prefixes. tandem.yaml and the move files both report
// their YAML problems through it.
func yamlPosition(msg string) (int, string) {
	msg = strings.TrimPrefix(msg, "yaml: ")
	if m := yamlLine.FindStringSubmatch(msg); m != nil {
		line, _ := strconv.Atoi(m[1])
		return line, m[2]
	}
	return 0, msg
}
