package tandem

import "testing"

func TestSyntaxUpsert(t *testing.T) {
	onConflict := Syntax{
		SkipOnKey:   " ON CONFLICT ({key}) DO NOTHING",
		UpdateOnKey: " ON CONFLICT ({key}) DO UPDATE SET ",
		Skip:        " ON CONFLICT ({key}) DO NOTHING",
		Update:      " ON CONFLICT ({key}) DO UPDATE SET ",
		Inserted:    "excluded.{col}",
	}
	duplicateKey := Syntax{
		Skip:     " ON DUPLICATE KEY UPDATE {key} = {key}",
		Update:   " ON DUPLICATE KEY UPDATE ",
		Inserted: "VALUES({col})",
	}
	tests := []struct {
		name string
		got  string
		want string
	}{
		{"on conflict, skip", onConflict.Upsert("move"), " ON CONFLICT (move) DO NOTHING"},
		{"on conflict, update", onConflict.Upsert("instance", "a", "b"), " ON CONFLICT (instance) DO UPDATE SET a = excluded.a, b = excluded.b"},
		{"duplicate key, skip", duplicateKey.Upsert("move"), " ON DUPLICATE KEY UPDATE move = move"},
		{"duplicate key, update", duplicateKey.Upsert("instance", "a", "b"), " ON DUPLICATE KEY UPDATE a = VALUES(a), b = VALUES(b)"},
	}
	for _, tc := range tests {
		if tc.got != tc.want {
			t.Errorf("%s: %q, want %q", tc.name, tc.got, tc.want)
		}
	}
	if tail, ok := onConflict.UpsertOnKey(`"id"`, `"v"`); !ok || tail != ` ON CONFLICT ("id") DO UPDATE SET "v" = excluded."v"` {
		t.Errorf("UpsertOnKey with ON CONFLICT = %q, %v", tail, ok)
	}
	if tail, ok := onConflict.UpsertOnKey(`"a", "b"`); !ok || tail != ` ON CONFLICT ("a", "b") DO NOTHING` {
		t.Errorf("UpsertOnKey skipping with ON CONFLICT = %q, %v", tail, ok)
	}
	if tail, ok := duplicateKey.UpsertOnKey("id"); ok || tail != "" {
		t.Errorf("UpsertOnKey without a form acting on one key = %q, %v; want none", tail, ok)
	}
}
