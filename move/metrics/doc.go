// Package metrics exports the phase and backfill progress of online table moves in the
// Prometheus text exposition format (Exporter), served over net/http or appended to a page of
// other metrics. It is apart from the engine (package move) so that programs that do not serve
// metrics, the applications that link client among them, do not link net/http.
package metrics
