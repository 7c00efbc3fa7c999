#!/usr/bin/env bash
# Installs everything backend-ci's tests and its main job need on a fresh Debian 12 machine with Node 20:
# Debian packages (redis-server: no npm package ships a runnable Redis) and the npm packages of the repository
# and of the bundled sample service. Safe to run again: it skips what is already there.
set -euo pipefail
cd "$(dirname "$0")/.."

need_apt=()
command -v redis-server >/dev/null 2>&1 || need_apt+=(redis-server)
if [ "${#need_apt[@]}" -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "setup: missing Debian packages: ${need_apt[*]}; run as root or install them: sudo apt-get install -y ${need_apt[*]}" >&2
    exit 1
  fi
  echo "setup: installing Debian packages: ${need_apt[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_apt[@]}" >/dev/null
fi

echo "setup: npm ci (repository)"
npm ci --no-audit --no-fund --loglevel=error
if [ -f sample-service/package-lock.json ]; then
  echo "setup: npm ci (sample-service)"
  npm ci --prefix sample-service --no-audit --no-fund --loglevel=error
fi
echo "setup: done"
