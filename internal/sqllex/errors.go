package sqllex

import "fmt"

// SyntaxError reports input the lexer cannot close: an unterminated quote, comment, dollar-quote,
// BEGIN block or goose StatementBegin. Line is the 1-based line where the construct opened, so
// that a caller can add the file name and the line of the change body.
type SyntaxError struct {
	Line int
	Msg  string
}

// Error renders the error as "line 12: unterminated dollar-quoted string $fn$ (opened here)".
func (e *SyntaxError) Error() string {
	return fmt.Sprintf("line %d: %s", e.Line, e.Msg)
}
