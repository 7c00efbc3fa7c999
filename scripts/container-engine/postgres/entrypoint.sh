#!/bin/sh
# Entrypoint of backend-ci/postgres: initialises PGDATA on first start (superuser POSTGRES_USER, default postgres,
# with POSTGRES_PASSWORD; database POSTGRES_DB, default the user's name), then runs the server as the postgres user,
# listening on every address with password (scram-sha-256) authentication for TCP clients. POSTGRES_INITDB_ARGS and
# POSTGRES_HOST_AUTH_METHOD work as in the official image.
set -eu

case "${1:-postgres}" in
  -*) set -- postgres "$@" ;;
esac
[ "$#" -gt 0 ] || set -- postgres
if [ "$1" != postgres ]; then
  exec "$@"
fi

as_postgres() { setpriv --reuid=postgres --regid=postgres --init-groups "$@"; }

user="${POSTGRES_USER:-postgres}"
db="${POSTGRES_DB:-$user}"
auth="${POSTGRES_HOST_AUTH_METHOD:-scram-sha-256}"

mkdir -p "$PGDATA" /var/run/postgresql
chown postgres:postgres "$PGDATA" /var/run/postgresql
chmod 700 "$PGDATA"

if [ ! -s "$PGDATA/PG_VERSION" ]; then
  if [ -z "${POSTGRES_PASSWORD:-}" ] && [ "$auth" != trust ]; then
    echo "backend-ci/postgres: POSTGRES_PASSWORD is not set. Pass -e POSTGRES_PASSWORD=... (or POSTGRES_HOST_AUTH_METHOD=trust to allow connections without a password)." >&2
    exit 1
  fi
  pwfile="$(mktemp)"
  printf '%s\n' "${POSTGRES_PASSWORD:-}" > "$pwfile"
  chown postgres "$pwfile"
  as_postgres initdb --username="$user" --pwfile="$pwfile" --encoding=UTF8 --locale=C.UTF-8 \
    --auth-local=trust --auth-host="$auth" ${POSTGRES_INITDB_ARGS:-} -D "$PGDATA" >/dev/null
  rm -f "$pwfile"
  printf 'host all all all %s\n' "$auth" >> "$PGDATA/pg_hba.conf"
  if [ "$db" != postgres ]; then
    # Single-user mode runs as the bootstrap superuser: no temporary server, so the "ready" log line appears once.
    # Without fsync: a fresh throwaway cluster (sync it yourself if the data must survive a host crash).
    printf 'CREATE DATABASE "%s";\n' "$(printf '%s' "$db" | sed 's/"/""/g')" \
      | as_postgres postgres --single -D "$PGDATA" -c fsync=off -c log_min_messages=warning -j postgres >/dev/null
  fi
  echo "backend-ci/postgres: initialised $PGDATA (user $user, database $db)"
fi

shift
exec setpriv --reuid=postgres --regid=postgres --init-groups postgres -D "$PGDATA" -c listen_addresses='*' "$@"
