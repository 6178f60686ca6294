package project

import (
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestExpandEnv(t *testing.T) {
	vars := map[string]string{"DATABASE_URL": "postgres://u:p$ss@h/db", "EMPTY": "", "A_1": "x"}
	getenv := func(k string) (string, bool) { v, ok := vars[k]; return v, ok }
	tests := []struct {
		in, want, wantErr string
		unset             bool
	}{
		{in: "${DATABASE_URL}", want: "postgres://u:p$ss@h/db"},
		{in: "postgres://u:${A_1}@h/${A_1}?x=${EMPTY}", want: "postgres://u:x@h/x?x="},
		{in: "no variables, $A_1 and $$ kept", want: "no variables, $A_1 and $$ kept"},
		{in: "", want: ""},
		{in: "${MISSING}", wantErr: "environment variable not set: MISSING; set it or edit the value", unset: true},
		{in: "${B}${A_1}${C}${B}", wantErr: "environment variable not set: B, C; set them or edit the value", unset: true},
		{in: "x${A_1", wantErr: `"${" at byte 1 has no closing "}"`},
		{in: "${1A}", wantErr: `${1A}: a variable name is a letter or "_" followed by letters, digits and "_"`},
		{in: "${}", wantErr: `${}: a variable name is a letter or "_" followed by letters, digits and "_"`},
		{in: "${A:-x}", wantErr: `${A:-x}: a variable name is a letter or "_" followed by letters, digits and "_"`},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			got, err := ExpandEnv(tc.in, getenv)
			if tc.wantErr != "" {
				if err == nil || err.Error() != tc.wantErr {
					t.Fatalf("ExpandEnv(%q) error = %v; want %s", tc.in, err, tc.wantErr)
				}
				if errors.Is(err, ErrUnsetVariable) != tc.unset {
					t.Errorf("errors.Is(err, ErrUnsetVariable) = %v; want %v", !tc.unset, tc.unset)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Errorf("ExpandEnv(%q) = %q, %v; want %q", tc.in, got, err, tc.want)
			}
		})
	}
}

func TestExpandTokens(t *testing.T) {
	vars := map[string]string{"OWNER": "app_owner", "EMPTY": ""}
	getenv := func(k string) (string, bool) { v, ok := vars[k]; return v, ok }

	got, err := ExpandTokens(map[string]string{"owner": "${OWNER}", "suffix": "_${OWNER}_x", "plain": "$1 and $$", "none": "${EMPTY}"}, getenv)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(map[string]string{"owner": "app_owner", "suffix": "_app_owner_x", "plain": "$1 and $$", "none": ""}, got); diff != "" {
		t.Errorf("tokens (-want +got):\n%s", diff)
	}

	_, err = ExpandTokens(map[string]string{"b": "${NOPE}", "a": "${ALSO_NOPE}-${NOPE}", "ok": "${OWNER}"}, getenv)
	want := "token a: environment variable not set: ALSO_NOPE, NOPE; set them or edit the value\n" +
		"token b: environment variable not set: NOPE; set it or edit the value"
	if err == nil || err.Error() != want {
		t.Errorf("error = %v; want\n%s", err, want)
	}
	if !errors.Is(err, ErrUnsetVariable) {
		t.Errorf("errors.Is(err, ErrUnsetVariable) = false")
	}

	if got, err := ExpandTokens(nil, getenv); got != nil || err != nil {
		t.Errorf("ExpandTokens(nil) = %v, %v", got, err)
	}
}

func FuzzExpandEnv(f *testing.F) {
	f.Add("postgres://${USER}:${PASS}@h/db")
	f.Add("${")
	f.Add("$${X}}")
	f.Fuzz(func(t *testing.T, s string) {
		got, err := ExpandEnv(s, func(k string) (string, bool) { return "<" + k + ">", true })
		if err == nil && len(s) > 0 && !containsVar(s) && got != s {
			t.Errorf("ExpandEnv(%q) = %q without a variable", s, got)
		}
	})
}

func containsVar(s string) bool {
	for i := 0; i+1 < len(s); i++ {
		if s[i] == '$' && s[i+1] == '{' {
			return true
		}
	}
	return false
}
