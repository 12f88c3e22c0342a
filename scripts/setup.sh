#!/usr/bin/env bash
# Installs everything the project needs into the project's own folders, and only what is
# missing: the pinned pnpm, Node.js 24 (when the machine's Node.js is another major), the
# workspace's packages, the Python tools (each in its own virtual environment, from a
# pinned requirements file) and libfaketime. A second run finds everything in place and
# takes about a second. It never touches the system Node.js or Python.
# Nothing it installs runs an install script of its own: npm installs Node.js and pnpm
# with --ignore-scripts, pnpm installs the workspace with --ignore-scripts, and pip
# installs only files whose SHA-256 hashes the requirements files list (docs/supply-chain.md).
#   scripts/setup.sh        everything
#   scripts/setup.sh node   only Node.js, pnpm and the workspace packages (enough for
#                           lint, typecheck, build and unit tests)
set -euo pipefail
stage=${1:-all}
source "$(dirname "${BASH_SOURCE[0]}")/lib/env.sh"

say() { printf 'setup: %s\n' "$*"; }
fail() { printf 'setup: error: %s\n' "$*" >&2; exit 1; }
# The pinned versions of a requirements file (name==version, sorted): a venv is rebuilt
# when they change, not for new comments or hashes of the same versions.
pins_of() {
  grep -oE '^[A-Za-z0-9][A-Za-z0-9._-]*(\[[^]]*\])?==[^ ;\]+' "$1" | sed 's/\[[^]]*\]//' \
    | tr 'A-Z_.' 'a-z--' | sort | sha256sum | cut -c1-16
}
stamp_matches() { [ -f "$NS_TOOLS/stamps/$1" ] && [ "$(cat "$NS_TOOLS/stamps/$1")" = "$2" ]; }
write_stamp() { mkdir -p "$NS_TOOLS/stamps"; printf '%s' "$2" >"$NS_TOOLS/stamps/$1"; }

command -v node >/dev/null || fail "Node.js is missing: install Node.js (any version from 18) with npm."
command -v npm >/dev/null || fail "npm is missing: install npm alongside Node.js."
mkdir -p "$NS_TOOLS/bin"

# --- Node.js 24 -------------------------------------------------------------------
# env.sh put the project-local Node.js first on PATH when it is installed.
current_major=$(node -p 'process.versions.node.split(".")[0]')
if [ "$current_major" = "$NS_NODE_MAJOR" ]; then
  say "node $(node --version) ($([ -x "$NS_LOCAL_NODE_BIN/node" ] && echo project-local || echo system))"
else
  [ -n "$NS_NODE_PACKAGE" ] || fail "no Node.js $NS_NODE_MAJOR package for $(uname -s)-$(uname -m): install Node.js $NS_NODE_MAJOR yourself."
  say "node $(node --version) on PATH; installing Node.js $NS_NODE_VERSION into .tools/node (npm package $NS_NODE_PACKAGE)"
  rm -rf "$NS_TOOLS/node"
  npm install --prefix "$NS_TOOLS/node" --ignore-scripts --save-exact --no-audit --no-fund --loglevel=error \
    "$NS_NODE_PACKAGE@$NS_NODE_VERSION" >/dev/null \
    || fail "could not install $NS_NODE_PACKAGE@$NS_NODE_VERSION from the npm registry."
  "$NS_LOCAL_NODE_BIN/node" --version >/dev/null || fail "the installed Node.js does not run: $NS_LOCAL_NODE_BIN/node"
  PATH="$NS_LOCAL_NODE_BIN:$PATH"
fi

# --- pnpm -------------------------------------------------------------------------
pnpm_bin="$NS_TOOLS/pnpm/node_modules/.bin/pnpm"
if [ -x "$pnpm_bin" ] && [ "$("$pnpm_bin" --version 2>/dev/null)" = "$NS_PNPM_VERSION" ]; then
  say "pnpm $NS_PNPM_VERSION"
else
  say "installing pnpm $NS_PNPM_VERSION into .tools/pnpm"
  rm -rf "$NS_TOOLS/pnpm"
  # Without its install script pnpm runs its native binary (an optional dependency of the
  # package) through a small Node.js launcher instead of copying it over its bin.
  npm install --prefix "$NS_TOOLS/pnpm" --ignore-scripts --save-exact --no-audit --no-fund --loglevel=error \
    "pnpm@$NS_PNPM_VERSION" >/dev/null || fail "could not install pnpm@$NS_PNPM_VERSION from the npm registry."
fi

# --- workspace packages -----------------------------------------------------------
lock_hash=$(cd "$NS_ROOT" && { node --version; echo "$NS_PNPM_VERSION"; cat pnpm-lock.yaml pnpm-workspace.yaml \
  package.json $(ls packages/*/package.json functions/*/package.json 2>/dev/null); } | sha256sum | cut -c1-16)
if [ -d "$NS_ROOT/node_modules" ] && stamp_matches pnpm-install "$lock_hash"; then
  say "workspace packages up to date"
else
  say "installing workspace packages (pnpm install --frozen-lockfile --ignore-scripts)"
  (cd "$NS_ROOT" && pnpm install --frozen-lockfile --ignore-scripts --reporter=append-only --config.confirmModulesPurge=false) \
    || fail "pnpm install failed (see above)."
  write_stamp pnpm-install "$lock_hash"
fi

[ "$stage" = node ] && exit 0

# --- Python tools -----------------------------------------------------------------
command -v python3 >/dev/null || fail "Python 3 is missing: install python3 (3.9 or later) with its venv module."
python3 -c 'import venv, ensurepip' 2>/dev/null \
  || fail "Python's venv module is missing: install it (on Debian or Ubuntu: apt-get install python3-venv)."

# moto, the SAM CLI and checkov pin conflicting versions of boto3, so each gets a venv.
install_venv() {
  local name=$1 requirements="$NS_ROOT/requirements/$1.txt" venv="$NS_VENVS/$1"
  shift
  local want
  want=$(pins_of "$requirements")
  if [ -x "$venv/bin/python" ] && stamp_matches "venv-$name" "$want"; then
    say "python tools: $name"
  else
    say "installing python tools: $name (requirements/$name.txt)"
    rm -rf "$venv"
    python3 -m venv "$venv" || fail "could not create a virtual environment in .venv/$name."
    # Exactly the files the requirements file lists (it holds every dependency), each
    # matching one of its hashes, and only wheels: no package's setup code runs. Then
    # pip check confirms that nothing a package depends on is missing.
    "$venv/bin/pip" install --quiet --disable-pip-version-check --require-hashes --only-binary :all: \
      --no-deps -r "$requirements" \
      || fail "pip could not install requirements/$name.txt."
    "$venv/bin/pip" check --disable-pip-version-check >/dev/null \
      || fail "requirements/$name.txt misses a dependency: $("$venv/bin/pip" check --disable-pip-version-check | head -3)"
    write_stamp "venv-$name" "$want"
  fi
  # Linked by the venv's real path: a copy of the repository whose .venv and .tools are
  # links to these (a test's scratch copy) must not point them into itself.
  local real
  real=$(cd "$venv" && pwd -P)
  for tool in "$@"; do
    ln -sf "$real/bin/$tool" "$NS_TOOLS/bin/$tool"
  done
}
install_venv moto moto_server
install_venv sam sam cfn-lint
install_venv checkov checkov

# --- libfaketime (the emulator's clock) --------------------------------------------
find_faketime() {
  local dir
  for dir in /usr/lib/x86_64-linux-gnu/faketime /usr/lib/aarch64-linux-gnu/faketime /usr/lib/faketime /usr/local/lib/faketime; do
    [ -f "$dir/libfaketimeMT.so.1" ] && { echo "$dir/libfaketimeMT.so.1"; return 0; }
  done
  return 1
}
if lib=$(find_faketime); then
  say "libfaketime: $lib"
else
  apt_log="$NS_TOOLS/apt-faketime.log"
  if command -v apt-get >/dev/null && [ "$(id -u)" = 0 ]; then
    say "installing Debian package faketime (log: .tools/apt-faketime.log)"
    (export DEBIAN_FRONTEND=noninteractive; apt-get update -qq && apt-get install -y -qq faketime) >"$apt_log" 2>&1 \
      || fail "apt-get install faketime failed; see .tools/apt-faketime.log."
  elif command -v apt-get >/dev/null && command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
    say "installing Debian package faketime with sudo (log: .tools/apt-faketime.log)"
    (sudo DEBIAN_FRONTEND=noninteractive apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq faketime) \
      >"$apt_log" 2>&1 || fail "apt-get install faketime failed; see .tools/apt-faketime.log."
  fi
  lib=$(find_faketime) || fail "libfaketime is missing and cannot be installed by this user: install the package 'faketime' (Debian or Ubuntu: sudo apt-get install faketime) and run again."
  say "libfaketime: $lib"
fi
printf '%s\n' "$lib" >"$NS_TOOLS/faketime-lib"
