#!/usr/bin/env bash
# `npm run test:localstack`: the same suite as `npm test`, against LocalStack's DynamoDB instead
# of the DynamoDB Local the test run starts itself. Only the endpoint and the region change:
#   LOCALSTACK_ENDPOINT   default http://localhost:4566 (start LocalStack first: localstack start -d)
#   AWS_REGION            default us-east-1
# Arguments go to vitest, as with npm test (e.g. npm run test:localstack -- test/store).
set -euo pipefail
cd "$(dirname "$0")/.."
endpoint="${LOCALSTACK_ENDPOINT:-http://localhost:4566}"
if ! curl -s -o /dev/null --max-time 5 "$endpoint"; then
  echo "crm-caldav: nothing answers at $endpoint; start LocalStack (localstack start -d) or set LOCALSTACK_ENDPOINT" >&2
  exit 1
fi
# The tests read CALDAV_DYNAMODB_ENDPOINT (test/helpers/global-setup.ts) and sign with any key pair.
export CALDAV_DYNAMODB_ENDPOINT="$endpoint"
export AWS_REGION="${AWS_REGION:-us-east-1}"
export AWS_ACCESS_KEY_ID="${AWS_ACCESS_KEY_ID:-test}" AWS_SECRET_ACCESS_KEY="${AWS_SECRET_ACCESS_KEY:-test}"
echo "crm-caldav: the test suite against DynamoDB at $endpoint ($AWS_REGION)"
exec npm test -- "$@"
