# Shared by the scripts in this folder: paths and tool installation.
# Sourced, not run.

set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# Builds live outside the checkout so every clone (and CI) reuses them.
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/jhe-target}"
# cargo-leptos sets this when it compiles; setting it for plain cargo too
# stops the two from rebuilding the Leptos crates back and forth.
export LEPTOS_OUTPUT_NAME=jhe
export PATH="$ROOT/end2end/node_modules/.bin:$HOME/.cargo/bin:$PATH"
JHE_BIN="$CARGO_TARGET_DIR/release/jhe"
SITE_ROOT="$ROOT/target/site"

say() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else
    echo "error: '$*' needs root; run it yourself or install sudo" >&2; return 1; fi
}

apt_install() {
  say "installing $* (Debian packages)"
  as_root apt-get update -qq
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq "$@" >/dev/null
}

# A prebuilt copy of a build tool, when this machine has one; see ensure_build_tools.
prebuilt() {
  local candidate
  for candidate in "${JHE_PREBUILT_TOOLS:-}" "$ROOT/../shared/tools/bin"; do
    if [ -n "$candidate" ] && [ -x "$candidate/$1" ]; then echo "$candidate/$1"; return 0; fi
  done
  return 1
}

# The wasm target, cargo-leptos 0.3.10, wasm-bindgen-cli 0.2.130 (matching the
# pinned crate) and the npm packages (wasm-opt from binaryen 132, Playwright).
ensure_build_tools() {
  if ! rustup target list --installed 2>/dev/null | grep -q '^wasm32-unknown-unknown$'; then
    say "adding the wasm32-unknown-unknown target"
    rustup target add wasm32-unknown-unknown
  fi
  mkdir -p "$HOME/.cargo/bin"
  if ! cargo leptos --version 2>/dev/null | grep -q '0\.3\.10'; then
    if tool="$(prebuilt cargo-leptos)"; then
      cp "$tool" "$HOME/.cargo/bin/cargo-leptos"
    else
      say "installing cargo-leptos 0.3.10 (about 25 minutes, once)"
      cargo install cargo-leptos@0.3.10 --locked --features no_downloads
    fi
  fi
  if ! wasm-bindgen --version 2>/dev/null | grep -q '0\.2\.130'; then
    if tool="$(prebuilt wasm-bindgen)"; then
      cp "$tool" "$HOME/.cargo/bin/wasm-bindgen"
    else
      say "installing wasm-bindgen-cli 0.2.130 (about 4 minutes, once)"
      # Not --locked: its lock file names a crate version the registry lacks.
      cargo install wasm-bindgen-cli --version 0.2.130
    fi
  fi
  if [ ! -x "$ROOT/end2end/node_modules/.bin/wasm-opt" ] || [ ! -d "$ROOT/end2end/node_modules/@playwright/test" ] \
    || [ ! -d "$ROOT/end2end/node_modules/@axe-core/playwright" ]; then
    say "installing npm packages in end2end/"
    (cd "$ROOT/end2end" && npm ci --no-audit --no-fund --loglevel=error)
  fi
}

# The release server binary and the console bundle in target/site.
build_release() {
  say "building jhe (release)"
  # Precompressed: the bundle is served as brotli or gzip, as the browser takes.
  (cd "$ROOT" && cargo leptos build --release --precompress)
}

# Echoes the URL of a reachable PostgreSQL server (JHE_TEST_DATABASE_URL, or
# a local one, started or installed when none is running).
ensure_postgres() {
  if [ -n "${JHE_TEST_DATABASE_URL:-}" ]; then echo "$JHE_TEST_DATABASE_URL"; return; fi
  if ! command -v pg_isready >/dev/null || ! command -v pg_ctlcluster >/dev/null; then
    apt_install postgresql
  fi
  if ! pg_isready -q -h 127.0.0.1 -p 5432; then
    local version
    version="$(ls /etc/postgresql | sort -n | tail -n 1)"
    if [ -z "$version" ]; then echo "error: no PostgreSQL cluster found in /etc/postgresql" >&2; return 1; fi
    say "starting PostgreSQL $version"
    # Its messages go to stderr: stdout is the URL this function answers.
    as_root pg_ctlcluster "$version" main start >&2
    for _ in $(seq 1 60); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 0.5; done
  fi
  # The local test role: the cluster's superuser with a known password.
  as_root su postgres -c "psql -q -c \"ALTER USER postgres PASSWORD 'postgres'\"" >/dev/null
  echo "postgres://postgres:postgres@127.0.0.1:5432/postgres"
}

# Drops and creates afresh the PostgreSQL database a postgres:// URL names
# (connecting to the same server's `postgres` database to do it).
fresh_postgres_database() {
  local url="$1" name="${1##*/}"
  command -v psql >/dev/null || apt_install postgresql-client
  psql -q "${url%/*}/postgres" -c "DROP DATABASE IF EXISTS \"$name\" WITH (FORCE)" -c "CREATE DATABASE \"$name\""
}
