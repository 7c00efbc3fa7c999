#!/bin/sh
# Entrypoint of backend-ci/redis: runs redis-server as the redis user, reachable from outside the container
# (protected mode off, as in the official image), with --requirepass "$REDIS_PASSWORD" when that variable is set.
set -eu

case "${1:-redis-server}" in
  -*|*.conf) set -- redis-server "$@" ;;
esac
[ "$#" -gt 0 ] || set -- redis-server
if [ "$1" != redis-server ]; then
  exec "$@"
fi
shift
# A config file must stay the first argument of redis-server.
conf=""
case "${1:-}" in
  *.conf) conf="$1"; shift ;;
esac
set -- --protected-mode no --dir /data "$@"
if [ -n "${REDIS_PASSWORD:-}" ]; then
  set -- "$@" --requirepass "$REDIS_PASSWORD"
fi
if [ -n "$conf" ]; then
  set -- "$conf" "$@"
fi
exec setpriv --reuid=redis --regid=redis --init-groups redis-server "$@"
