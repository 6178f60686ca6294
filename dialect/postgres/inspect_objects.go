package postgres

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/tandem-db/tandem"
)

// inspectSequences reads the settings of the sequences that are not a column's identity.
func inspectSequences(ctx context.Context, q tandem.Querier, list string, snap *tandem.Snapshot) error {
	return tandem.ScanStrings(ctx, q, `SELECT n.nspname, c.relname, format_type(s.seqtypid, NULL), s.seqstart::text, s.seqincrement::text,
       s.seqmin::text, s.seqmax::text, s.seqcache::text, CASE WHEN s.seqcycle THEN 't' ELSE 'f' END,
       (SELECT quote_ident(tc.relname) || '.' || quote_ident(ta.attname)
        FROM pg_depend dep JOIN pg_class tc ON tc.oid = dep.refobjid
        JOIN pg_attribute ta ON ta.attrelid = dep.refobjid AND ta.attnum = dep.refobjsubid
        WHERE dep.objid = c.oid AND dep.classid = 'pg_class'::regclass AND dep.deptype = 'a'
          AND dep.refclassid = 'pg_class'::regclass)
FROM pg_sequence s JOIN pg_class c ON c.oid = s.seqrelid JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname IN `+list+` AND `+notExtension("c.oid")+`
  AND NOT EXISTS (SELECT 1 FROM pg_depend dep WHERE dep.objid = c.oid AND dep.classid = 'pg_class'::regclass AND dep.deptype = 'i')`,
		func(c []string) error {
			seq := tandem.SequenceDesc{Schema: c[0], Name: c[1], DataType: c[2], Cycle: c[8] == "t", OwnedBy: c[9]}
			for i, dst := range []*int64{&seq.Start, &seq.Increment, &seq.Min, &seq.Max, &seq.Cache} {
				v, err := strconv.ParseInt(c[3+i], 10, 64)
				if err != nil {
					return fmt.Errorf("sequence %s.%s: %w", c[0], c[1], err)
				}
				*dst = v
			}
			snap.Sequences = append(snap.Sequences, seq)
			return nil
		})
}

// inspectRoutines reads every function, procedure and aggregate, one per overload.
func inspectRoutines(ctx context.Context, q tandem.Querier, list string, snap *tandem.Snapshot) error {
	return tandem.ScanStrings(ctx, q, `SELECT n.nspname, p.proname, p.prokind::text, pg_get_function_identity_arguments(p.oid),
       CASE WHEN p.prokind = 'a' THEN
            (SELECT 'AGGREGATE ' || quote_ident(p.proname) || '(' || pg_get_function_identity_arguments(p.oid) || ') (SFUNC = '
                    || a.aggtransfn::regproc::text || ', STYPE = ' || format_type(a.aggtranstype, NULL)
                    || coalesce(', FINALFUNC = ' || nullif(a.aggfinalfn, 0)::regproc::text, '')
                    || coalesce(', INITCOND = ' || quote_literal(a.agginitval), '') || ')'
             FROM pg_aggregate a WHERE a.aggfnoid = p.oid)
       ELSE pg_get_functiondef(p.oid) END,
       pg_get_function_result(p.oid), l.lanname, CASE WHEN p.prosecdef THEN 'DEFINER' ELSE 'INVOKER' END
FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace JOIN pg_language l ON l.oid = p.prolang
WHERE n.nspname IN `+list+` AND `+notExtension("p.oid"), func(c []string) error {
		kind := tandem.FunctionRoutine
		switch c[2] {
		case "p":
			kind = tandem.ProcedureRoutine
		case "a":
			kind = tandem.AggregateRoutine
		}
		snap.Routines = append(snap.Routines, tandem.RoutineDesc{Schema: c[0], Name: c[1], Kind: kind, Arguments: c[3],
			Definition: strings.TrimSpace(c[4]), Returns: c[5], Language: c[6], Security: c[7]})
		return nil
	})
}

// Bits of pg_trigger.tgtype.
const (
	tgRow      = 1 << 0
	tgBefore   = 1 << 1
	tgInsert   = 1 << 2
	tgDelete   = 1 << 3
	tgUpdate   = 1 << 4
	tgTruncate = 1 << 5
	tgInstead  = 1 << 6
)

// inspectTriggers reads the triggers that a user created (not those behind foreign keys).
func inspectTriggers(ctx context.Context, q tandem.Querier, list string, snap *tandem.Snapshot) error {
	return tandem.ScanStrings(ctx, q, `SELECT n.nspname, t.tgname, c.relname, t.tgtype::int::text, pg_get_triggerdef(t.oid, true),
       CASE t.tgenabled WHEN 'D' THEN 'DISABLED' WHEN 'R' THEN 'REPLICA' WHEN 'A' THEN 'ALWAYS' ELSE '' END
FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname IN `+list+` AND NOT t.tgisinternal`, func(c []string) error {
		bits, err := strconv.Atoi(c[3])
		if err != nil {
			return fmt.Errorf("trigger %s.%s: type %q: %w", c[0], c[1], c[3], err)
		}
		tr := tandem.TriggerDesc{Schema: c[0], Name: c[1], Table: c[2], Timing: "AFTER", ForEach: "STATEMENT",
			Definition: c[4], Enabled: c[5]}
		switch {
		case bits&tgInstead != 0:
			tr.Timing = "INSTEAD OF"
		case bits&tgBefore != 0:
			tr.Timing = "BEFORE"
		}
		if bits&tgRow != 0 {
			tr.ForEach = "ROW"
		}
		for _, ev := range []struct {
			bit  int
			name string
		}{{tgInsert, "INSERT"}, {tgUpdate, "UPDATE"}, {tgDelete, "DELETE"}, {tgTruncate, "TRUNCATE"}} {
			if bits&ev.bit != 0 {
				tr.Events = append(tr.Events, ev.name)
			}
		}
		snap.Triggers = append(snap.Triggers, tr)
		return nil
	})
}

// inspectTypes reads enums (labels in order), domains, ranges and composite types
// (attributes in order, each "name chr(31) type", chr(30) between them).
func inspectTypes(ctx context.Context, q tandem.Querier, list string, snap *tandem.Snapshot) error {
	return tandem.ScanStrings(ctx, q, `SELECT n.nspname, t.typname, t.typtype::text,
       (SELECT string_agg(e.enumlabel, chr(31) ORDER BY e.enumsortorder) FROM pg_enum e WHERE e.enumtypid = t.oid),
       CASE WHEN t.typtype = 'd' THEN format_type(t.typbasetype, t.typtypmod) END,
       CASE WHEN t.typnotnull THEN 't' ELSE 'f' END, t.typdefault,
       (SELECT format_type(r.rngsubtype, NULL) FROM pg_range r WHERE r.rngtypid = t.oid),
       (SELECT string_agg(a.attname || chr(31) || format_type(a.atttypid, a.atttypmod), chr(30) ORDER BY a.attnum)
        FROM pg_attribute a WHERE a.attrelid = t.typrelid AND a.attnum > 0 AND NOT a.attisdropped)
FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
WHERE n.nspname IN `+list+` AND `+notExtension("t.oid")+`
  AND (t.typtype IN ('e', 'd', 'r')
       OR (t.typtype = 'c' AND (SELECT c.relkind FROM pg_class c WHERE c.oid = t.typrelid) = 'c'))`,
		func(c []string) error {
			u := tandem.TypeDesc{Schema: c[0], Name: c[1]}
			switch c[2] {
			case "e":
				u.Kind, u.Values = tandem.EnumType, split(c[3])
			case "d":
				u.Kind, u.BaseType, u.NotNull, u.Default = tandem.DomainType, c[4], c[5] == "t", c[6]
			case "r":
				u.Kind, u.Subtype = tandem.RangeType, c[7]
			default:
				u.Kind = tandem.CompositeType
				if c[8] != "" {
					for _, a := range strings.Split(c[8], recordSep) {
						name, typ, _ := strings.Cut(a, unitSep)
						u.Attributes = append(u.Attributes, tandem.ColumnDesc{Name: name, Type: typ, Nullable: true})
					}
				}
			}
			if u.Kind == tandem.EnumType && u.Values == nil {
				u.Values = []string{}
			}
			snap.Types = append(snap.Types, u)
			return nil
		})
}

// inspectDomainChecks adds the check constraints of the domains inspectTypes read.
func inspectDomainChecks(ctx context.Context, q tandem.Querier, list string, snap *tandem.Snapshot) error {
	byName := map[[2]string]*tandem.TypeDesc{}
	for i := range snap.Types {
		if u := &snap.Types[i]; u.Kind == tandem.DomainType {
			byName[[2]string{u.Schema, u.Name}] = u
		}
	}
	if len(byName) == 0 {
		return nil
	}
	return tandem.ScanStrings(ctx, q, `SELECT n.nspname, t.typname, k.conname, pg_get_constraintdef(k.oid, true), pg_get_expr(k.conbin, 0, true)
FROM pg_constraint k JOIN pg_type t ON t.oid = k.contypid JOIN pg_namespace n ON n.oid = t.typnamespace
WHERE n.nspname IN `+list+` AND k.contype = 'c'`, func(c []string) error {
		if u := byName[[2]string{c[0], c[1]}]; u != nil {
			u.Checks = append(u.Checks, tandem.CheckDesc{Name: c[2], Definition: c[3], Expression: c[4]})
		}
		return nil
	})
}
