#!/usr/bin/env bash
# Runs a command with the project's toolchain first on PATH, setting it up first if needed.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib/env.sh"
bash "$NS_ROOT/scripts/setup.sh" >/dev/null
source "$NS_ROOT/scripts/lib/env.sh"
cd "$NS_ROOT"
exec "$@"
