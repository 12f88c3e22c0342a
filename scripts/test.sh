#!/usr/bin/env bash
# The whole test suite, as CI runs it: setup (installs only what is missing), lint,
# typecheck, build, unit and integration tests (the integration tests start their own
# emulated AWS account), the template checks, then the demo (one night on an emulated
# account, which checks itself). Every step runs; the suite fails if
# any step failed.
set -uo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib/env.sh"
bash "$NS_ROOT/scripts/setup.sh" || exit 1
source "$NS_ROOT/scripts/lib/env.sh"
cd "$NS_ROOT"

failed=()
step() {
  local name=$1
  shift
  printf '\n== %s\n' "$name"
  "$@" || failed+=("$name")
}

results="$NS_ROOT/coverage/vitest-results.json"
mkdir -p "$(dirname "$results")"
rm -f "$results"

step lint biome ci .
step typecheck tsc -p tsconfig.json
step build node scripts/build.ts
step tests vitest run --coverage --reporter=default --reporter=json --outputFile.json="$results"
step template bash scripts/check-template.sh
step demo node scripts/demo.ts

printf '\n'
if [ -f "$results" ]; then
  node -e '
    const r = JSON.parse(require("node:fs").readFileSync(process.argv[1], "utf8"));
    console.log(`${r.numPassedTests} passed, ${r.numFailedTests} failed`);
  ' "$results"
fi
if [ ${#failed[@]} -gt 0 ]; then
  echo "test: failed steps: ${failed[*]}" >&2
  exit 1
fi
echo "test: all steps passed"
