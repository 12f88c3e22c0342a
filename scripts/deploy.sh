#!/usr/bin/env bash
# Deploys Nightshift to one stage with SAM, then proves each function runs there:
# build, lint, typecheck, template checks, `sam deploy --config-env <stage>`, and one
# invocation of every function's `live` alias with its smoke event, which changes nothing
# (`nightshift.smokeEvent` in its package.json; see scripts/lib/smokeEvent.ts).
# Fails loudly if any step or invocation fails.
# With --organization, the hub acts on the accounts under the OUs and the spoke template
# (spoke.yaml) goes to them as a service-managed StackSet (scripts/lib/deployOrganization.ts);
# bad options are refused before anything runs, and --dry-run prints what would change.
#   scripts/deploy.sh staging|production [extra sam deploy options]
#   scripts/deploy.sh staging|production --organization --ous ou-…,ou-… [--regions a,b]
#     [--forward-pipeline-events] [--dry-run] [extra sam deploy options]
set -euo pipefail
stage=${1:-}
case "$stage" in
  staging | production) shift ;;
  *) echo "usage: scripts/deploy.sh staging|production [--organization --ous ou-…,ou-… [--regions a,b] [--forward-pipeline-events] [--dry-run]] [sam deploy options]" >&2; exit 2 ;;
esac
organization=false
dry_run=false
for arg in "$@"; do
  case "$arg" in
    --dry-run | --dry-run=*) organization=true; dry_run=true ;;
    --organization | --organization=* | --ous | --ous=* | --regions | --regions=* | --forward-pipeline-events | --forward-pipeline-events=*) organization=true ;;
  esac
done
source "$(dirname "${BASH_SOURCE[0]}")/lib/env.sh"
bash "$NS_ROOT/scripts/setup.sh" >/dev/null
source "$NS_ROOT/scripts/lib/env.sh"
cd "$NS_ROOT"

if $organization; then
  node scripts/lib/deployOrganizationMain.ts check "$stage" "$@"
  if $dry_run; then
    echo "deploy: dry run: the checks and the smoke invocations are left out; nothing is changed"
    exec node scripts/lib/deployOrganizationMain.ts deploy "$stage" "$@"
  fi
fi

echo "deploy: checks"
node scripts/build.ts
biome ci .
tsc -p tsconfig.json
bash scripts/check-template.sh

if $organization; then
  echo "deploy: sam deploy --config-env $stage, then the spoke stack set"
  node scripts/lib/deployOrganizationMain.ts deploy "$stage" "$@"
else
  echo "deploy: sam deploy --config-env $stage"
  sam deploy --config-env "$stage" "$@"
fi

stack=$(sed -n "/^\[$stage.global.parameters\]/,/^\[/s/^stack_name *= *\"\(.*\)\"/\1/p" samconfig.toml)
# The stage's parameter overrides, and the one environment infra-scaler may scale there.
overrides=$(sed -n "/^\[$stage.deploy.parameters\]/,/^\[/s/^parameter_overrides *= *\"\(.*\)\"/\1/p" samconfig.toml)
scaled=$(sed -n 's/.*\bScaledEnvironment=\([^ ]*\).*/\1/p' <<<"$overrides")
scaled=${scaled:-staging}
# Each function's smoke event from its manifest, for this stage: <Function>\t<event JSON>.
smoke=$(node scripts/smoke.ts "$stage" "$scaled")
failed=()
while IFS=$'\t' read -r -u 3 function event; do
  [ -n "$function" ] || continue
  echo "deploy: invoking $function:live in $stack"
  if ! out=$(sam remote invoke "$function" --stack-name "$stack" --event "$event" --parameter Qualifier=live --output json 2>&1) \
    || grep -q '"FunctionError"' <<<"$out"; then
    echo "$out" >&2
    failed+=("$function")
  fi
done 3<<<"$smoke"
if [ ${#failed[@]} -gt 0 ]; then
  echo "deploy: FAILED after deploying to $stack: ${failed[*]} did not run cleanly" >&2
  exit 1
fi
echo "deploy: $stack deployed; every function ran cleanly"
if ! grep -q 'AlarmEmail=' <<<"$overrides $*"; then
  echo "deploy: note: no AlarmEmail is set for $stage, so nobody is subscribed to its alarm topic;" \
    "add AlarmEmail=<address> to its parameter_overrides in samconfig.toml, or subscribe to the topic yourself"
fi
