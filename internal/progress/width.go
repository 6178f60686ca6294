package progress

import (
	"os"
	"strconv"
)

// columnsEnv reads $COLUMNS, which shells set for the terminal's width; 80 when it is unset
// or not a number.
func columnsEnv() int {
	if n, err := strconv.Atoi(os.Getenv("COLUMNS")); err == nil && n > 0 {
		return n
	}
	return 80
}
