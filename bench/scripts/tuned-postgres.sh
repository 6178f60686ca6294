#!/bin/bash
# tuned-postgres.sh start|stop: a throw-away PostgreSQL cluster with the settings a production
# server is usually given (shared_buffers a quarter of RAM up to 4GB, 64MB of WAL buffers, 8GB
# of WAL between checkpoints), for benchmarks that the stock Debian settings (128MB of shared
# buffers, 4MB of WAL buffers, 1GB max_wal_size) would measure on a toy-sized server.
#
#   bench/scripts/tuned-postgres.sh start    # prints the export line for the tests
#   eval "$(bench/scripts/tuned-postgres.sh start)"
#   go test ./move -run '^$' -bench 'BenchmarkBackfill$' -benchtime 5x -rows 2000000
#   bench/scripts/tuned-postgres.sh stop
#
# It runs the machine's PostgreSQL binaries (as the postgres user when run by root) on
# $TUNED_PG_PORT (default 5433), with its data in $TUNED_PG_DIR (default /tmp/tandem-tuned-pg).
set -euo pipefail
port=${TUNED_PG_PORT:-5433}
dir=${TUNED_PG_DIR:-/tmp/tandem-tuned-pg}
bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
if [ -z "$bin" ]; then
	echo "tuned-postgres: no PostgreSQL binaries under /usr/lib/postgresql: install postgresql" >&2
	exit 1
fi
as_pg() {
	if [ "$(id -u)" = 0 ]; then su postgres -c "$*"; else bash -c "$*"; fi
}
case "${1:-}" in
start)
	mem_mb=$(awk '/MemTotal/ {print int($2/1024)}' /proc/meminfo)
	sb=$((mem_mb / 4)); [ "$sb" -gt 4096 ] && sb=4096
	if [ ! -d "$dir/data" ]; then
		mkdir -p "$dir"
		[ "$(id -u)" = 0 ] && chown postgres "$dir"
		as_pg "$bin/initdb -D $dir/data -A trust -U postgres" >/dev/null
	fi
	as_pg "$bin/pg_ctl -D $dir/data -l $dir/log -w -o \"-p $port -k $dir -c listen_addresses=127.0.0.1 -c shared_buffers=${sb}MB -c wal_buffers=64MB -c max_wal_size=8GB -c checkpoint_timeout=30min\" start" >&2
	echo "export TANDEM_TEST_POSTGRES='postgres://postgres@127.0.0.1:$port/postgres?sslmode=disable'"
	;;
stop)
	as_pg "$bin/pg_ctl -D $dir/data -m fast stop" >&2
	rm -rf "$dir"
	;;
*)
	echo "usage: $0 start|stop" >&2
	exit 2
	;;
esac
