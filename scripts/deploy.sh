#!/usr/bin/env bash
# Deploys Nightshift to one stage with SAM, then proves each function runs there:
# build, lint, typecheck, template checks, `sam deploy --config-env <stage>`, and one
# invocation of every function's `live` alias with an event that changes nothing (dry runs,
# an idle check, a log-subscription control message, a pipeline state that is not notified).
# Fails loudly if any step or invocation fails.
#   scripts/deploy.sh staging|production [extra sam deploy options]
set -euo pipefail
stage=${1:-}
case "$stage" in
  staging | production) shift ;;
  *) echo "usage: scripts/deploy.sh staging|production [sam deploy options]" >&2; exit 2 ;;
esac
source "$(dirname "${BASH_SOURCE[0]}")/lib/env.sh"
bash "$NS_ROOT/scripts/setup.sh" >/dev/null
source "$NS_ROOT/scripts/lib/env.sh"
cd "$NS_ROOT"

echo "deploy: checks"
node scripts/build.ts
biome ci .
tsc -p tsconfig.json
bash scripts/check-template.sh

echo "deploy: sam deploy --config-env $stage"
sam deploy --config-env "$stage" "$@"

stack=$(sed -n "/^\[$stage.global.parameters\]/,/^\[/s/^stack_name *= *\"\(.*\)\"/\1/p" samconfig.toml)
# The stage's parameter overrides, and the one environment infra-scaler may scale there.
overrides=$(sed -n "/^\[$stage.deploy.parameters\]/,/^\[/s/^parameter_overrides *= *\"\(.*\)\"/\1/p" samconfig.toml)
scaled=$(sed -n 's/.*\bScaledEnvironment=\([^ ]*\).*/\1/p' <<<"$overrides")
scaled=${scaled:-staging}
control=$(node -e '
  const { gzipSync } = require("node:zlib");
  const payload = { messageType: "CONTROL_MESSAGE", owner: "CloudwatchLogs", logGroup: "", logStream: "",
    subscriptionFilters: [], logEvents: [{ id: "", timestamp: Date.now(), message: "CWL CONTROL MESSAGE: Checking health of destination Lambda function." }] };
  console.log(JSON.stringify({ awslogs: { data: gzipSync(JSON.stringify(payload)).toString("base64") } }));')
pipeline_started=$(node -e '
  const event = require("./functions/deploy-notifier/events/pipeline-succeeded.json");
  event.detail.state = "STARTED"; event.time = new Date().toISOString();
  console.log(JSON.stringify(event));')
declare -A events=(
  [SnapshotCleanupFunction]='{"dryRun": true}'
  [BackupManagerFunction]="{\"backup_type\": \"all\", \"environment\": \"$stage\", \"dryRun\": true}"
  [InfraScalerFunction]="{\"action\": \"check\", \"environment\": \"$scaled\"}"
  [LogProcessorFunction]="$control"
  [DeployNotifierFunction]="$pipeline_started"
)
failed=()
for function in "${!events[@]}"; do
  echo "deploy: invoking $function:live in $stack"
  if ! out=$(sam remote invoke "$function" --stack-name "$stack" --event "${events[$function]}" --parameter Qualifier=live --output json 2>&1) \
    || grep -q '"FunctionError"' <<<"$out"; then
    echo "$out" >&2
    failed+=("$function")
  fi
done
if [ ${#failed[@]} -gt 0 ]; then
  echo "deploy: FAILED after deploying to $stack: ${failed[*]} did not run cleanly" >&2
  exit 1
fi
echo "deploy: $stack deployed; every function ran cleanly"
if ! grep -q 'AlarmEmail=' <<<"$overrides $*"; then
  echo "deploy: note: no AlarmEmail is set for $stage, so nobody is subscribed to its alarm topic;" \
    "add AlarmEmail=<address> to its parameter_overrides in samconfig.toml, or subscribe to the topic yourself"
fi
