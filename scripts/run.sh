#!/usr/bin/env bash
# Runs a command with the project's toolchain first on PATH, setting it up first if needed:
# Node.js, pnpm and the packages by default; everything (the Python tools and libfaketime
# too) when NS_SETUP=all, for commands that need the emulator or the template tools.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib/env.sh"
bash "$NS_ROOT/scripts/setup.sh" "${NS_SETUP:-node}" >/dev/null
source "$NS_ROOT/scripts/lib/env.sh"
cd "$NS_ROOT"
exec "$@"
