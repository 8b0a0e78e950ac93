# Sourced by .ci/run (and usable by hand: `. .ci/postgres.sh`): install Debian's PostgreSQL
# if needed, start a throw-away server on 127.0.0.1 in a temporary directory, create a
# database and export its URL as SAYSO_TEST_PG. `sayso_pg_stop` stops it and removes it.
# The store tests run against SQLite always and against this server when SAYSO_TEST_PG is set.

sayso_pg_start() {
  if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || [ "${SAYSO_PG_INSTALL:-1}" = 1 ]; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
      echo "postgres: apt-get install -y postgresql" >&2
      { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql; } >&2 \
        || echo "postgres: apt-get failed; using whatever is installed" >&2
    fi
  fi
  local bin
  bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
  if [ -z "$bin" ] || [ ! -x "$bin/initdb" ]; then
    echo "postgres: no PostgreSQL server found (apt-get install postgresql)" >&2
    return 1
  fi
  local as=()
  if [ "$(id -u)" = 0 ]; then as=(runuser -u postgres --); fi
  SAYSO_PG_DIR=$(mktemp -d /tmp/sayso-pg.XXXXXX)
  [ "$(id -u)" = 0 ] && chown postgres: "$SAYSO_PG_DIR"
  SAYSO_PG_PORT=${SAYSO_PG_PORT:-$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')}
  "${as[@]}" "$bin/initdb" -D "$SAYSO_PG_DIR/data" -U postgres -A trust -E UTF8 --no-locale >"$SAYSO_PG_DIR/initdb.log" 2>&1 \
    || { cat "$SAYSO_PG_DIR/initdb.log" >&2; return 1; }
  "${as[@]}" "$bin/pg_ctl" -D "$SAYSO_PG_DIR/data" -l "$SAYSO_PG_DIR/server.log" -w -t 60 \
    -o "-p $SAYSO_PG_PORT -k $SAYSO_PG_DIR -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200" start >&2 \
    || { cat "$SAYSO_PG_DIR/server.log" >&2; return 1; }
  "${as[@]}" "$bin/psql" -h 127.0.0.1 -p "$SAYSO_PG_PORT" -U postgres -qc "CREATE DATABASE sayso_test" >&2 || return 1
  SAYSO_PG_BIN=$bin
  export SAYSO_PG_DIR SAYSO_PG_BIN SAYSO_PG_PORT
  export SAYSO_TEST_PG="postgresql://postgres@127.0.0.1:$SAYSO_PG_PORT/sayso_test"
  echo "postgres: $("$bin/postgres" --version) running at $SAYSO_TEST_PG" >&2
}

sayso_pg_stop() {
  [ -n "${SAYSO_PG_DIR:-}" ] || return 0
  local as=()
  if [ "$(id -u)" = 0 ]; then as=(runuser -u postgres --); fi
  "${as[@]}" "$SAYSO_PG_BIN/pg_ctl" -D "$SAYSO_PG_DIR/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$SAYSO_PG_DIR"
}
