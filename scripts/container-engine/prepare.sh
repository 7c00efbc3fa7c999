#!/usr/bin/env bash
# Prepares a Docker-compatible container engine on a Debian 12 machine that has no Docker engine and no reachable
# image registry, so the `containers` service provider (testcontainers) can run real Postgres and Redis containers:
#   1. installs podman + runc (+ debootstrap, uidmap, fuse-overlayfs, slirp4netns, passt) from Debian if missing;
#   2. uses scripts/container-engine/containers.conf through CONTAINERS_CONF (nothing under /etc is changed);
#   3. starts podman's Docker-compatible API on a unix socket in the state dir and waits until it answers /_ping;
#   4. builds local images from Debian packages, cached: a debootstrap rootfs tarball (kept in the cache dir),
#      the base image imported from it, and backend-ci/postgres:15 and backend-ci/redis:7 (rebuilt only when their
#      Containerfile or entrypoint changes);
#   5. prints the environment to use as `export` lines on stdout (also written to $STATE_DIR/env), e.g.
#        eval "$(scripts/container-engine/prepare.sh)"
# Progress and the time of each step go to stderr. Safe to run again: what is already there is reused.
#
# Usage: prepare.sh [up|stop|clean|status|env]
#   up      (default) everything above
#   stop    stops the API service started by `up` (containers it started are not touched)
#   clean   force-removes every container the containers provider labelled (dev.backend-ci.provider=containers),
#           e.g. after a run was killed with SIGKILL before it could remove its own (Ryuk is off, see below)
#   status  exit 0 when the API socket answers, 1 otherwise
#   env     prints the export lines of a prepared engine
# Environment:
#   BACKEND_CI_ENGINE_DIR    state dir (socket, pid, logs, env file); default <repo>/.backend-ci/container-engine
#   BACKEND_CI_ENGINE_CACHE  cache dir for the rootfs tarball; default ${XDG_CACHE_HOME:-$HOME/.cache}/backend-ci
#   DEBIAN_MIRROR            mirror for debootstrap; default: the Debian mirror this machine's apt already uses
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
state_dir="${BACKEND_CI_ENGINE_DIR:-$repo/.backend-ci/container-engine}"
cache_dir="${BACKEND_CI_ENGINE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/backend-ci}"
# The Debian mirror apt is configured with (deb822 sources first, then the one-line format).
apt_mirror() {
  local f
  for f in /etc/apt/sources.list.d/*.sources; do
    [ -f "$f" ] || continue
    awk '/^URIs:/ {u=$2} /^Suites:/ && / bookworm( |$)/ && u != "" {print u; exit}' "$f" | grep . && return 0
  done
  [ -f /etc/apt/sources.list ] && awk '$1 == "deb" && $3 == "bookworm" {print $2; exit}' /etc/apt/sources.list | grep . && return 0
  return 1
}
mirror="${DEBIAN_MIRROR:-$(apt_mirror || true)}"
socket="$state_dir/podman.sock"
pid_file="$state_dir/podman-service.pid"
env_file="$state_dir/env"
timings_file="$state_dir/timings.log"
rootfs_tar="$cache_dir/debian-bookworm-minbase.tar"
base_image="localhost/backend-ci/debian-base:bookworm"
postgres_image="localhost/backend-ci/postgres:15"
redis_image="localhost/backend-ci/redis:7"
recipe_label="dev.backend-ci.recipe"
export CONTAINERS_CONF="$here/containers.conf"

log() { printf 'prepare: %s\n' "$*" >&2; }
die() { printf 'prepare: error: %s\n' "$*" >&2; exit 1; }
now() { date +%s.%N; }
# timed NAME COMMAND...: runs COMMAND, then logs and records how long it took.
timed() {
  local name="$1" start end secs
  shift
  start="$(now)"
  "$@"
  end="$(now)"
  secs="$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.2f", b - a }')"
  log "$name: ${secs}s"
  printf '%s\t%s\t%s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$name" "$secs" >> "$timings_file"
}

ping_socket() { [ -S "$socket" ] && curl -sf --max-time 2 --unix-socket "$socket" http://d/_ping >/dev/null 2>&1; }

print_env() {
  cat <<EOF
export DOCKER_HOST=unix://$socket
export TESTCONTAINERS_RYUK_DISABLED=true
export BACKEND_CI_POSTGRES_IMAGE=${postgres_image#localhost/}
export BACKEND_CI_REDIS_IMAGE=${redis_image#localhost/}
EOF
}

require_root() {
  [ "$(id -u)" -eq 0 ] || die "$1 needs root (rootful podman, apt-get, debootstrap). Run: sudo $0"
}

install_packages() {
  local missing=() pkg bin
  for pair in podman:podman runc:runc debootstrap:debootstrap newuidmap:uidmap fuse-overlayfs:fuse-overlayfs \
    slirp4netns:slirp4netns passt:passt curl:curl; do
    bin="${pair%%:*}" pkg="${pair#*:}"
    command -v "$bin" >/dev/null 2>&1 || missing+=("$pkg")
  done
  if [ "${#missing[@]}" -eq 0 ]; then
    log "packages: already installed"
    return
  fi
  require_root "installing ${missing[*]}"
  log "packages: installing ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

start_service() {
  if ping_socket; then
    log "engine: API already answering on $socket"
    return
  fi
  require_root "starting the podman API service"
  rm -f "$socket"
  setsid nohup podman system service --time=0 "unix://$socket" >"$state_dir/service.log" 2>&1 </dev/null &
  echo $! > "$pid_file"
  local deadline=$((SECONDS + 30))
  until ping_socket; do
    if ! kill -0 "$(cat "$pid_file")" 2>/dev/null; then
      die "podman system service exited; its log ($state_dir/service.log) ends with: $(tail -n 5 "$state_dir/service.log")"
    fi
    [ "$SECONDS" -lt "$deadline" ] || die "podman API did not answer on $socket within 30 s; see $state_dir/service.log"
    sleep 0.1
  done
  log "engine: API answering on $socket (pid $(cat "$pid_file"))"
}

image_exists() { podman image exists "$1"; }
image_label() { podman image inspect --format "{{ index .Labels \"$recipe_label\" }}" "$1" 2>/dev/null || true; }
recipe_hash() { cat "$here/containers.conf" "$1"/* | sha256sum | cut -c1-16; }

make_rootfs() {
  local tmp
  [ -n "$mirror" ] || die "no Debian bookworm mirror found in /etc/apt/sources.list(.d); set DEBIAN_MIRROR to one"
  tmp="$(mktemp -d "$cache_dir/rootfs.XXXXXX")"
  if ! debootstrap --variant=minbase bookworm "$tmp" "$mirror" >"$state_dir/debootstrap.log" 2>&1; then
    rm -rf "$tmp"
    die "debootstrap failed; $state_dir/debootstrap.log ends with: $(tail -n 5 "$state_dir/debootstrap.log")"
  fi
  rm -rf "$tmp"/var/cache/apt/archives/*.deb "$tmp"/var/lib/apt/lists/*
  tar -C "$tmp" -cf "$rootfs_tar.partial" .
  mv "$rootfs_tar.partial" "$rootfs_tar"
  rm -rf "$tmp"
}

import_base() { podman import --quiet --change 'CMD ["/bin/bash"]' "$rootfs_tar" "$base_image" >/dev/null; }

build_image() {
  local image="$1" dir="$2" hash="$3"
  podman build --quiet --pull=never --network=host --layers --label "$recipe_label=$hash" \
    -t "$image" -f "$dir/Containerfile" "$dir" >"$state_dir/build-$(basename "$dir").log" 2>&1 \
    || die "building $image failed; $state_dir/build-$(basename "$dir").log ends with: $(tail -n 5 "$state_dir/build-$(basename "$dir").log")"
}

ensure_image() {
  local image="$1" dir="$2" hash
  hash="$(recipe_hash "$dir")"
  if image_exists "$image" && [ "$(image_label "$image")" = "$hash" ]; then
    log "image $image: up to date"
    return
  fi
  require_root "building $image"
  if ! image_exists "$base_image"; then
    if [ ! -s "$rootfs_tar" ]; then
      timed "debootstrap (bookworm minbase)" make_rootfs
    else
      log "rootfs: reusing $rootfs_tar"
    fi
    timed "import base image" import_base
  fi
  timed "build $image" build_image "$image" "$dir" "$hash"
  # The image this build replaced, now untagged.
  podman image prune -f --filter "label=$recipe_label" >/dev/null 2>&1 || true
}

stop_service() {
  if [ -f "$pid_file" ]; then
    local pid
    pid="$(cat "$pid_file")"
    if kill -0 "$pid" 2>/dev/null && tr '\0' ' ' < "/proc/$pid/cmdline" | grep -q 'system service'; then
      kill "$pid"
      for _ in $(seq 1 100); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.05
      done
      kill -0 "$pid" 2>/dev/null && kill -9 "$pid"
      log "engine: stopped API service (pid $pid)"
    else
      log "engine: API service (pid $pid) is not running"
    fi
    rm -f "$pid_file"
  else
    log "engine: no API service started by prepare.sh"
  fi
  rm -f "$socket"
}

main() {
  local cmd="${1:-up}"
  mkdir -p "$state_dir"
  case "$cmd" in
    up)
      mkdir -p "$cache_dir"
      local total_start
      total_start="$(now)"
      timed "install packages" install_packages
      timed "engine socket up" start_service
      ensure_image "$postgres_image" "$here/postgres"
      ensure_image "$redis_image" "$here/redis"
      print_env > "$env_file"
      log "total: $(awk -v a="$total_start" -v b="$(now)" 'BEGIN { printf "%.2f", b - a }')s; environment written to $env_file"
      print_env
      ;;
    stop) stop_service ;;
    clean)
      local ids
      ids="$(podman ps -aq --filter label=dev.backend-ci.provider=containers)"
      if [ -n "$ids" ]; then
        # shellcheck disable=SC2086
        podman rm -f -t 0 $ids >/dev/null
        log "removed $(printf '%s\n' "$ids" | wc -l) container(s)"
      else
        log "no backend-ci containers"
      fi
      ;;
    status) ping_socket ;;
    env) print_env ;;
    *) die "unknown command '$cmd' (use up, stop, clean, status or env)" ;;
  esac
}

main "$@"
