package dialecttest

import (
	"fmt"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/tandem-db/tandem"
)

// Extra is one of the optional interfaces a dialect may provide beside tandem.Dialect: a fast
// path, or what one database needs or offers. Provides states which of them a dialect must
// provide.
type Extra struct {
	name string
	typ  reflect.Type
}

// String returns the interface's name, e.g. "tandem.BulkLoader".
func (x Extra) String() string { return "tandem." + x.name }

func extra[T any](name string) Extra { return Extra{name: name, typ: reflect.TypeFor[T]()} }

// The optional interfaces.
var (
	// BulkLoader is tandem.BulkLoader: loading rows faster than INSERT (COPY).
	BulkLoader = extra[tandem.BulkLoader]("BulkLoader")
	// Pipeliner is tandem.Pipeliner: several statements in one round trip.
	Pipeliner = extra[tandem.Pipeliner]("Pipeliner")
	// Fingerprinter is tandem.Fingerprinter: describing a few named objects without Inspect.
	Fingerprinter = extra[tandem.Fingerprinter]("Fingerprinter")
	// RowHasher is tandem.RowHasher: hashing rows in the database.
	RowHasher = extra[tandem.RowHasher]("RowHasher")
	// IndexBuilder is tandem.IndexBuilder: online index builds that can leave invalid indexes.
	IndexBuilder = extra[tandem.IndexBuilder]("IndexBuilder")
	// ChangeGuard is tandem.ChangeGuard: changes run on a connection set up for them.
	ChangeGuard = extra[tandem.ChangeGuard]("ChangeGuard")
	// CopyRunner is tandem.CopyRunner: COPY ... FROM STDIN with its data in a change file.
	CopyRunner = extra[tandem.CopyRunner]("CopyRunner")
	// ValueTester is tandem.ValueTester: testing values against limits beyond standard SQL.
	ValueTester = extra[tandem.ValueTester]("ValueTester")
)

// Extras lists every optional interface.
var Extras = []Extra{BulkLoader, Pipeliner, Fingerprinter, RowHasher, IndexBuilder, ChangeGuard, CopyRunner, ValueTester}

// Required lists the small interfaces tandem.Dialect is composed of, every one of which every
// dialect implements.
var Required = []reflect.Type{
	reflect.TypeFor[tandem.Renderer](),
	reflect.TypeFor[tandem.Caster](),
	reflect.TypeFor[tandem.SessionKeeper](),
	reflect.TypeFor[tandem.Locker](),
	reflect.TypeFor[tandem.ErrorClassifier](),
	reflect.TypeFor[tandem.Catalog](),
	reflect.TypeFor[tandem.Mover](),
}

// Provides states the optional interfaces the dialect must provide: the suite fails when one
// stated is missing (a method renamed, say, which would silently switch the engines to their
// generic path) and when the dialect provides one not stated.
func Provides(extras ...Extra) Option {
	return func(c *config) { c.provides = append(c.provides, extras...) }
}

// Contract checks, without a database, that d implements every required interface of
// tandem.Dialect and exactly the optional interfaces opts state with Provides. Run checks the
// same; a dialect's tests call Contract too, so that it is checked where no server runs.
func Contract(t *testing.T, d tandem.Dialect, opts ...Option) {
	t.Helper()
	var cfg config
	for _, o := range opts {
		o(&cfg)
	}
	checkContract(t, d, cfg)
}

func checkContract(t *testing.T, d tandem.Dialect, cfg config) {
	t.Helper()
	for _, p := range contractProblems(d, cfg) {
		t.Error(p)
	}
}

// contractProblems says what of the contract d breaks.
func contractProblems(d tandem.Dialect, cfg config) []string {
	var out []string
	typ := reflect.TypeOf(d)
	composed := map[string]bool{}
	for _, it := range Required {
		if missing := missingMethods(typ, it); len(missing) > 0 {
			out = append(out, fmt.Sprintf("%s does not implement %s: no method %s", d.Name(), it, strings.Join(missing, ", ")))
		}
		for i := range it.NumMethod() {
			composed[it.Method(i).Name] = true
		}
	}
	// Every method of tandem.Dialect belongs to one of the required interfaces listed, so that
	// the list (and the checks each dialect makes of it) cannot fall behind the contract.
	whole := reflect.TypeFor[tandem.Dialect]()
	for i := range whole.NumMethod() {
		if m := whole.Method(i).Name; !composed[m] {
			out = append(out, fmt.Sprintf("tandem.Dialect's method %s is in none of dialecttest.Required", m))
		}
	}
	if n := whole.NumMethod(); n != len(composed) {
		out = append(out, fmt.Sprintf("dialecttest.Required has %d methods, tandem.Dialect %d", len(composed), n))
	}
	stated := map[Extra]bool{}
	for _, x := range cfg.provides {
		stated[x] = true
	}
	for _, x := range Extras {
		missing := missingMethods(typ, x.typ)
		switch {
		case stated[x] && len(missing) > 0:
			out = append(out, fmt.Sprintf("%s must provide %s (dialecttest.Provides) but has no method %s; without it the engines silently take their generic path", d.Name(), x, strings.Join(missing, ", ")))
		case !stated[x] && len(missing) == 0:
			out = append(out, fmt.Sprintf("%s provides %s, which its test does not state: add dialecttest.%s to its dialecttest.Provides", d.Name(), x, x.name))
		}
	}
	return out
}

// missingMethods names the methods of the interface it that typ lacks (or has with another
// signature), in order.
func missingMethods(typ, it reflect.Type) []string {
	var out []string
	for i := range it.NumMethod() {
		want := it.Method(i)
		got, ok := typ.MethodByName(want.Name)
		if !ok || !methodMatches(got.Type, want.Type) {
			out = append(out, want.Name)
		}
	}
	sort.Strings(out)
	return out
}

// methodMatches compares a concrete method's type (receiver first) with an interface method's.
func methodMatches(concrete, iface reflect.Type) bool {
	if concrete.NumIn() != iface.NumIn()+1 || concrete.NumOut() != iface.NumOut() || concrete.IsVariadic() != iface.IsVariadic() {
		return false
	}
	for i := range iface.NumIn() {
		if concrete.In(i+1) != iface.In(i) {
			return false
		}
	}
	for i := range iface.NumOut() {
		if concrete.Out(i) != iface.Out(i) {
			return false
		}
	}
	return true
}
