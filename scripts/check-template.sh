#!/usr/bin/env bash
# Static checks of template.yaml and spoke.yaml: that both are what scripts/template.ts makes
# of their sources, cfn-lint, `sam validate --lint` (the hub's), checkov with no failed check
# (a skip carries its reason in the template), and `sam build` of the built bundles. Runs
# every check, then fails if any failed.
set -uo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib/env.sh"
cd "$NS_ROOT"

failed=()
run() {
  local name=$1
  shift
  echo "template: $name"
  "$@" || failed+=("$name")
}
run "up to date" node scripts/template.ts --check
run cfn-lint cfn-lint --non-zero-exit-code warning template.yaml
run "sam validate --lint" sam validate --lint --template-file template.yaml --region us-east-1
run checkov checkov --quiet --compact --framework cloudformation --file template.yaml --skip-download
# The spoke: plain CloudFormation, rolled out by StackSets to every account.
run "spoke cfn-lint" cfn-lint --non-zero-exit-code warning spoke.yaml
run "spoke checkov" checkov --quiet --compact --framework cloudformation --file spoke.yaml --skip-download
build_dir=$(mktemp -d)
run "sam build" sam build --parallel --template-file template.yaml --build-dir "$build_dir"
rm -rf "$build_dir"

if [ ${#failed[@]} -gt 0 ]; then
  echo "template: failed: ${failed[*]}" >&2
  exit 1
fi
echo "template: all checks passed"
