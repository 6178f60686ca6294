package mysql

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/tandem-db/tandem"
)

func inspectViews(ctx context.Context, q tandem.Querier, list string, snap *tandem.Snapshot) error {
	return scanAll(ctx, q, `SELECT TABLE_SCHEMA, TABLE_NAME, VIEW_DEFINITION, CHECK_OPTION, SECURITY_TYPE
FROM information_schema.VIEWS WHERE TABLE_SCHEMA IN `+list, func(c []string) {
		snap.Views = append(snap.Views, tandem.ViewDesc{Schema: c[0], Name: c[1],
			Definition: strings.ReplaceAll(c[2], quoteIdent(c[0])+".", ""), CheckOption: c[3], Security: c[4]})
	})
}

func inspectRoutines(ctx context.Context, q tandem.Querier, list string, snap *tandem.Snapshot) error {
	params := map[[3]string][]string{}
	err := scanAll(ctx, q, `SELECT SPECIFIC_SCHEMA, SPECIFIC_NAME, ROUTINE_TYPE, COALESCE(PARAMETER_MODE, ''),
       COALESCE(PARAMETER_NAME, ''), DTD_IDENTIFIER
FROM information_schema.PARAMETERS
WHERE SPECIFIC_SCHEMA IN `+list+` AND ORDINAL_POSITION > 0
ORDER BY SPECIFIC_SCHEMA, SPECIFIC_NAME, ORDINAL_POSITION`, func(c []string) {
		k := [3]string{c[0], c[1], c[2]}
		params[k] = append(params[k], strings.TrimSpace(c[3]+" "+quoteIdent(c[4])+" "+c[5]))
	})
	if err != nil {
		return err
	}
	return scanAll(ctx, q, `SELECT ROUTINE_SCHEMA, ROUTINE_NAME, ROUTINE_TYPE, COALESCE(DTD_IDENTIFIER, ''),
       COALESCE(ROUTINE_DEFINITION, ''), IS_DETERMINISTIC, SQL_DATA_ACCESS, SECURITY_TYPE, ROUTINE_BODY
FROM information_schema.ROUTINES WHERE ROUTINE_SCHEMA IN `+list, func(c []string) {
		kind := tandem.FunctionRoutine
		if c[2] == "PROCEDURE" {
			kind = tandem.ProcedureRoutine
		}
		snap.Routines = append(snap.Routines, tandem.RoutineDesc{Schema: c[0], Name: c[1], Kind: kind,
			Arguments: strings.Join(params[[3]string{c[0], c[1], c[2]}], ", "), Returns: c[3], Language: c[8],
			Deterministic: c[5] == "YES", DataAccess: c[6], Security: c[7], Definition: c[4]})
	})
}

func inspectTriggers(ctx context.Context, q tandem.Querier, list string, snap *tandem.Snapshot) error {
	var bad error
	err := scanAll(ctx, q, `SELECT TRIGGER_SCHEMA, TRIGGER_NAME, ACTION_TIMING, EVENT_MANIPULATION, EVENT_OBJECT_TABLE,
       ACTION_ORDER, ACTION_STATEMENT
FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA IN `+list, func(c []string) {
		order, err := strconv.Atoi(c[5])
		if err != nil && bad == nil {
			bad = fmt.Errorf("trigger %s.%s: action order %q: %w", c[0], c[1], c[5], err)
		}
		snap.Triggers = append(snap.Triggers, tandem.TriggerDesc{Schema: c[0], Name: c[1], Table: c[4], Timing: c[2],
			Events: []string{c[3]}, ForEach: "ROW", Order: order, Definition: c[6]})
	})
	if err != nil {
		return err
	}
	return bad
}

// inspectSequences describes MariaDB sequences (tables of type SEQUENCE) by their settings,
// leaving out the next value, which moves with use. MySQL has none.
func inspectSequences(ctx context.Context, q tandem.Querier, list string, snap *tandem.Snapshot) error {
	var seqs []tkey
	err := scanAll(ctx, q, `SELECT TABLE_SCHEMA, TABLE_NAME FROM information_schema.TABLES
WHERE TABLE_SCHEMA IN `+list+` AND TABLE_TYPE = 'SEQUENCE'`, func(c []string) { seqs = append(seqs, tkey{c[0], c[1]}) })
	if err != nil {
		return err
	}
	for _, k := range seqs {
		var bad error
		err := scanAll(ctx, q, `SELECT start_value, minimum_value, maximum_value, increment, cycle_option, cache_size FROM `+
			Dialect{}.Qualify(k.schema, k.name), func(c []string) {
			seq := tandem.SequenceDesc{Schema: k.schema, Name: k.name, Cycle: c[4] == "1"}
			for i, dst := range []*int64{&seq.Start, &seq.Min, &seq.Max, &seq.Increment, nil, &seq.Cache} {
				if dst == nil {
					continue
				}
				v, err := strconv.ParseInt(c[i], 10, 64)
				if err != nil && bad == nil {
					bad = fmt.Errorf("sequence %s.%s: %q: %w", k.schema, k.name, c[i], err)
				}
				*dst = v
			}
			snap.Sequences = append(snap.Sequences, seq)
		})
		if err != nil {
			return err
		}
		if bad != nil {
			return bad
		}
	}
	return nil
}
