package main

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/tandem-db/tandem/move"
)

// user is the service's view of a row, whichever table it was read from.
type user struct {
	ID     int64  `json:"id"`
	Name   string `json:"name"`
	Email  string `json:"email"`
	Source string `json:"source,omitempty"` // "A" (users) or "B" (accounts)
}

func (s *service) routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("PUT /users/{id}", s.putUser)
	mux.HandleFunc("DELETE /users/{id}", s.deleteUser)
	mux.HandleFunc("GET /users/{id}", s.getUser)
	mux.HandleFunc("GET /switches", s.getSwitches)
	mux.HandleFunc("GET /status", s.getStatus)
	return mux
}

// putUser creates or replaces a user. Under every phase it writes one table and Mirror keeps the
// other in step; writeB is the same write expressed in B's columns, used from write-b on.
func (s *service) putUser(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(w, r)
	if !ok {
		return
	}
	u, err := decodeUser(r)
	if err != nil {
		httpError(w, http.StatusBadRequest, err)
		return
	}
	u.ID = id
	ctx, cancel := context.WithTimeout(r.Context(), requestTimeout)
	defer cancel()
	writeA := func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, "DELETE FROM users WHERE id = ?", id); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, "INSERT INTO users (id, name, email) VALUES (?, ?, ?)", id, u.Name, u.Email)
		return err
	}
	writeB := func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, "DELETE FROM accounts WHERE id = ?", id); err != nil {
			return err
		}
		// lower() in SQL, as the move's mapping does, so that both paths store the same value.
		_, err := tx.ExecContext(ctx, "INSERT INTO accounts (id, full_name, email_lower) VALUES (?, ?, lower(?))", id, u.Name, u.Email)
		return err
	}
	if err := s.mirror.Write(ctx, move.Key{id}, writeA, writeB); err != nil {
		s.log.Error("write user", "id", id, "err", err)
		httpError(w, http.StatusInternalServerError, fmt.Errorf("write user %d: %w", id, err))
		return
	}
	s.respondUser(w, r, id)
}

func (s *service) deleteUser(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(w, r)
	if !ok {
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), requestTimeout)
	defer cancel()
	del := func(table string) func(tx *sql.Tx) error {
		return func(tx *sql.Tx) error {
			_, err := tx.ExecContext(ctx, "DELETE FROM "+table+" WHERE id = ?", id)
			return err
		}
	}
	if err := s.mirror.Write(ctx, move.Key{id}, del("users"), del("accounts")); err != nil {
		s.log.Error("delete user", "id", id, "err", err)
		httpError(w, http.StatusInternalServerError, fmt.Errorf("delete user %d: %w", id, err))
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (s *service) getUser(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(w, r)
	if !ok {
		return
	}
	s.respondUser(w, r, id)
}

// respondUser reads a user from the table the switches say is read, and writes it as JSON.
func (s *service) respondUser(w http.ResponseWriter, r *http.Request, id int64) {
	u, err := s.readUser(r.Context(), id)
	switch {
	case errors.Is(err, errNotFound):
		httpError(w, http.StatusNotFound, fmt.Errorf("user %d: %w", id, err))
	case err != nil:
		s.log.Error("read user", "id", id, "err", err)
		httpError(w, http.StatusInternalServerError, fmt.Errorf("read user %d: %w", id, err))
	default:
		writeJSON(w, http.StatusOK, u)
	}
}

func (s *service) readUser(ctx context.Context, id int64) (user, error) {
	u := user{ID: id, Source: "A"}
	query := "SELECT name, email FROM users WHERE id = ?"
	if s.mirror.ReadB() {
		u.Source = "B"
		query = "SELECT full_name, email_lower FROM accounts WHERE id = ?"
	}
	err := s.db.QueryRowContext(ctx, query, id).Scan(&u.Name, &u.Email)
	if err == nil || errors.Is(err, sql.ErrNoRows) {
		// A sample of the reads that got an answer (a row or none) is compared with the other
		// table later, off this request's path.
		s.shadow.Sample(move.Key{id})
	}
	if errors.Is(err, sql.ErrNoRows) {
		return user{}, errNotFound
	}
	return u, err
}

// switchesView is the body of GET /switches.
type switchesView struct {
	Move     string `json:"move"`
	Phase    string `json:"phase"`
	Switches string `json:"switches"` // read A, write A, read B, write B: 1101 in dual-write
	ReadA    bool   `json:"read_a"`
	WriteA   bool   `json:"write_a"`
	ReadB    bool   `json:"read_b"`
	WriteB   bool   `json:"write_b"`
	Version  int64  `json:"version"`
	Epoch    int64  `json:"epoch"`
	Instance string `json:"instance"`
}

func (s *service) getSwitches(w http.ResponseWriter, r *http.Request) {
	v, err := s.switches()
	if err != nil {
		httpError(w, http.StatusInternalServerError, err)
		return
	}
	writeJSON(w, http.StatusOK, v)
}

func (s *service) switches() (switchesView, error) {
	st, err := s.client.State(moveName)
	if err != nil {
		return switchesView{}, err
	}
	sw := st.Switches
	return switchesView{Move: st.Move, Phase: string(st.Phase), Switches: sw.String(),
		ReadA: sw.ReadA, WriteA: sw.WriteA, ReadB: sw.ReadB, WriteB: sw.WriteB,
		Version: st.Version, Epoch: st.Epoch, Instance: s.client.Instance()}, nil
}

// statusView is the body of GET /status: the switches, and what the shadow reads found.
type statusView struct {
	Switches switchesView `json:"switches"`
	Shadow   shadowView   `json:"shadow"`
}

// shadowView is client.ShadowStats for people and scripts. differences is the number to watch:
// it stays 0 while B follows mapping(A).
type shadowView struct {
	Rate         float64       `json:"rate"`
	Sampled      int64         `json:"sampled"`
	Skipped      int64         `json:"skipped"` // sampled while the move did not write both tables
	Dropped      int64         `json:"dropped"` // sampled while the comparison queue was full
	Compared     int64         `json:"compared"`
	Matches      int64         `json:"matches"`
	Absent       int64         `json:"absent"` // in neither table
	Differences  int64         `json:"differences"`
	Mismatches   int64         `json:"mismatches"`
	Missing      int64         `json:"missing"`
	Extra        int64         `json:"extra"`
	NotYetCopied int64         `json:"not_yet_copied"` // missing in B before the backfill reached it
	Settled      int64         `json:"settled"`
	Errors       int64         `json:"errors"`
	Recent       []findingView `json:"recent"`
}

type findingView struct {
	Key     string    `json:"key"`
	Kind    string    `json:"kind"`
	Columns []string  `json:"columns,omitempty"`
	Phase   string    `json:"phase"`
	At      time.Time `json:"at"`
}

func (s *service) getStatus(w http.ResponseWriter, r *http.Request) {
	sw, err := s.switches()
	if err != nil {
		httpError(w, http.StatusInternalServerError, err)
		return
	}
	st := s.shadow.Stats()
	v := shadowView{Rate: st.Rate, Sampled: st.Sampled, Skipped: st.Skipped, Dropped: st.Dropped,
		Compared: st.Compared(), Matches: st.Matches, Absent: st.Absent, Differences: st.Differences(),
		Mismatches: st.Mismatches, Missing: st.Missing, Extra: st.Extra, NotYetCopied: st.NotYetCopied,
		Settled: st.Settled, Errors: st.Errors, Recent: []findingView{}}
	for _, f := range st.Recent {
		v.Recent = append(v.Recent, findingView{Key: f.Key.String(), Kind: string(f.Kind), Columns: f.Columns, Phase: string(f.Phase), At: f.At})
	}
	writeJSON(w, http.StatusOK, statusView{Switches: sw, Shadow: v})
}

func pathID(w http.ResponseWriter, r *http.Request) (int64, bool) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		httpError(w, http.StatusBadRequest, fmt.Errorf("user id %q: want an integer", r.PathValue("id")))
		return 0, false
	}
	return id, true
}

// decodeUser reads {name, email} from a JSON body or a form.
func decodeUser(r *http.Request) (user, error) {
	var u user
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if ct == "application/json" {
		if err := json.NewDecoder(http.MaxBytesReader(nil, r.Body, 1<<20)).Decode(&u); err != nil {
			return user{}, fmt.Errorf("read JSON body: %w", err)
		}
	} else {
		if err := r.ParseForm(); err != nil {
			return user{}, fmt.Errorf("read form: %w", err)
		}
		u.Name, u.Email = r.PostFormValue("name"), r.PostFormValue("email")
	}
	u.Name, u.Email = strings.TrimSpace(u.Name), strings.TrimSpace(u.Email)
	if u.Name == "" || u.Email == "" {
		return user{}, errors.New("name and email are both required (form fields or JSON {\"name\", \"email\"})")
	}
	return u, nil
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func httpError(w http.ResponseWriter, status int, err error) {
	writeJSON(w, status, map[string]string{"error": err.Error()})
}
