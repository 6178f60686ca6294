package dialecttest

import (
	"strings"
	"testing"

	"github.com/tandem-db/tandem"
	"github.com/tandem-db/tandem/dialect/postgres"
	"github.com/tandem-db/tandem/dialect/sqlite"
)

// hidden has only the methods of tandem.Dialect, as a dialect would whose optional methods
// were renamed.
type hidden struct{ tandem.Dialect }

func TestContractProblems(t *testing.T) {
	cfg := func(opts ...Option) config {
		var c config
		for _, o := range opts {
			o(&c)
		}
		return c
	}
	tests := []struct {
		name string
		d    tandem.Dialect
		cfg  config
		want []string // a part of each problem, in order
	}{
		{"as stated", sqlite.New(), cfg(Provides(ChangeGuard, ValueTester)), nil},
		{"provided but not stated", sqlite.New(), cfg(Provides(ChangeGuard)), []string{"sqlite provides tandem.ValueTester, which its test does not state"}},
		{"stated but missing", sqlite.New(), cfg(Provides(ChangeGuard, ValueTester, BulkLoader)), []string{"sqlite must provide tandem.BulkLoader (dialecttest.Provides) but has no method LoadRows"}},
		{"renamed", hidden{postgres.New()}, cfg(Provides(BulkLoader, Pipeliner, RowHasher, IndexBuilder, CopyRunner)), []string{
			"must provide tandem.BulkLoader", "must provide tandem.Pipeliner", "must provide tandem.RowHasher",
			"must provide tandem.IndexBuilder (dialecttest.Provides) but has no method DropIndex, IndexBuild", "must provide tandem.CopyRunner"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := contractProblems(tc.d, tc.cfg)
			if len(got) != len(tc.want) {
				t.Fatalf("problems %q, want %d like %q", got, len(tc.want), tc.want)
			}
			for i, w := range tc.want {
				if !strings.Contains(got[i], w) {
					t.Errorf("problem %d = %q, want it to say %q", i, got[i], w)
				}
			}
		})
	}
}

// TestRequiredMethods holds Required to tandem.Dialect: a method renamed in one of the
// required interfaces, or one added to Dialect outside them, shows here.
func TestRequiredMethods(t *testing.T) {
	var names []string
	for _, it := range Required {
		for i := range it.NumMethod() {
			names = append(names, it.Method(i).Name)
		}
	}
	if got := strings.Join(names, " "); got != strings.Join(requiredMethods, " ") {
		t.Errorf("the required interfaces' methods are\n%s\nwant\n%s", got, strings.Join(requiredMethods, " "))
	}
}

// requiredMethods are the methods of the required interfaces, in the order of Required and, in
// each, in name order.
var requiredMethods = []string{
	// Renderer
	"Capabilities", "CreateSchema", "HistoryDDL", "Name", "NonTransactional", "Placeholder", "Qualify", "QuoteIdent", "Syntax", "UseSchema",
	// Caster
	"Cast", "CastText", "CheckValue",
	// SessionKeeper
	"ClientCheck", "Running", "SessionRestore", "SessionSetup",
	// Locker
	"Lock",
	// ErrorClassifier
	"Retryable",
	// Catalog
	"Columns", "DatabaseIdentity", "DefaultSchema", "DropObject", "Inspect", "Limits", "TableName", "UniqueIndexes",
	// Mover
	"ActiveSessionsQuery", "AlignSequence", "ColumnType", "LockClause", "ReplicaLagQuery",
}
