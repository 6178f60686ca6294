package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"sync"

	"github.com/tandem-db/tandem/internal/dburl"
)

// secrets are the passwords of the URLs a command opened, which no output may show. It is
// safe for concurrent use: log lines are scrubbed from the goroutines that write them.
type secrets struct {
	mu   sync.Mutex
	list []string
}

// add learns the passwords of raw, a database or store URL (see dburl.Passwords). It is
// called before raw is parsed or opened, so that even an error about raw is scrubbed.
func (s *secrets) add(raw string) {
	pws := dburl.Passwords(raw)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.list = append(s.list, pws...)
}

// scrub removes every password from text meant for output: the forms dburl.Scrub knows, and
// each password learned, wherever it appears (a server may quote it).
func (s *secrets) scrub(text string) string {
	s.mu.Lock()
	list := s.list
	s.mu.Unlock()
	return dburl.Scrub(text, list...)
}

// scrubHandler passes log records on with the message and every attribute's text scrubbed.
type scrubHandler struct {
	h     slog.Handler
	scrub func(string) string
}

func (s scrubHandler) Enabled(ctx context.Context, l slog.Level) bool { return s.h.Enabled(ctx, l) }

func (s scrubHandler) Handle(ctx context.Context, r slog.Record) error {
	out := slog.NewRecord(r.Time, r.Level, s.scrub(r.Message), r.PC)
	r.Attrs(func(a slog.Attr) bool {
		out.AddAttrs(s.attr(a))
		return true
	})
	return s.h.Handle(ctx, out)
}

func (s scrubHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	clean := make([]slog.Attr, len(attrs))
	for i, a := range attrs {
		clean[i] = s.attr(a)
	}
	return scrubHandler{h: s.h.WithAttrs(clean), scrub: s.scrub}
}

func (s scrubHandler) WithGroup(name string) slog.Handler {
	return scrubHandler{h: s.h.WithGroup(name), scrub: s.scrub}
}

// attr scrubs one attribute. Strings and errors are replaced by their scrubbed text; any other
// value only when its text holds something to scrub, so that numbers and times keep their
// kind.
func (s scrubHandler) attr(a slog.Attr) slog.Attr {
	v := a.Value.Resolve()
	switch v.Kind() {
	case slog.KindString:
		return slog.String(a.Key, s.scrub(v.String()))
	case slog.KindGroup:
		group := v.Group()
		clean := make([]any, len(group))
		for i, g := range group {
			clean[i] = s.attr(g)
		}
		return slog.Group(a.Key, clean...)
	case slog.KindAny:
		if err, ok := v.Any().(error); ok {
			return slog.String(a.Key, s.scrub(err.Error()))
		}
		text := fmt.Sprint(v.Any())
		if clean := s.scrub(text); clean != text {
			return slog.String(a.Key, clean)
		}
	}
	return slog.Attr{Key: a.Key, Value: v}
}

// scrubJSON scrubs every string in an encoded JSON document, keys and values, and keeps the
// rest as it is (field order, indentation).
func scrubJSON(doc []byte, scrub func(string) string) []byte {
	var out bytes.Buffer
	for i := 0; i < len(doc); i++ {
		if doc[i] != '"' {
			out.WriteByte(doc[i])
			continue
		}
		end := i + 1
		for end < len(doc) && doc[end] != '"' {
			if doc[end] == '\\' {
				end++
			}
			end++
		}
		if end >= len(doc) {
			out.Write(doc[i:])
			break
		}
		var s string
		if err := json.Unmarshal(doc[i:end+1], &s); err != nil || scrub(s) == s {
			out.Write(doc[i : end+1])
		} else {
			out.Write(encodeString(scrub(s)))
		}
		i = end
	}
	return out.Bytes()
}

// encodeString encodes s as a JSON string the way json.Encoder does.
func encodeString(s string) []byte {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	_ = enc.Encode(s)
	return bytes.TrimSuffix(b.Bytes(), []byte("\n"))
}
