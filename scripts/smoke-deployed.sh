#!/usr/bin/env bash
# Smoke test of a deployed (or local) crm-caldav, the first thing to run after `cdk deploy`:
# every WebDAV method on / , the calendar and an event path, as a throwaway user the script
# creates first and deletes at the end (its calendar goes with it; no real user is touched),
# then one verdict line per method. With the AWS CLI configured it also prints the route that
# matched each request:
# - HTTP API: ACCESS_LOG_GROUP=<AccessLogGroup output>; the route key from the access log.
# - ALB (frontDoor=alb): ALB_LOG_BUCKET=<AlbAccessLogBucket output>; the listener rule and the
#   function behind its target group, from the load balancer's access logs in S3, which arrive
#   every 5 minutes (ALB_LOG_WAIT seconds to wait for them, 420 by default).
#
#   scripts/smoke-deployed.sh URL
#
# The user is made and removed with the project's CLI (`crm-caldav user add/delete`), given
# SMOKE_CLI_FLAGS: `--aws` by default (AWS credentials, and USERS_TABLE, EVENTS_TABLE, ... from
# the stack's outputs in the environment, docs/aws-deploy.md); e.g. `--data-dir ./data` locally.
#
# Exit status 1 when a method got a 5xx, was refused by the front door (a route that dropped the
# method: switch to frontDoor=alb, docs/api-gateway-routes.md), or got no answer at all.
set -euo pipefail

if [ $# -ne 1 ]; then
  echo "usage: $0 URL   (SMOKE_CLI_FLAGS: how the CLI reaches the users, --aws by default)" >&2
  exit 2
fi
base="${1%/}"
here="$(cd "$(dirname "$0")" && pwd)"
run="$(date +%s)-$$"
cli() {
  # shellcheck disable=SC2086
  node "$here/../bin/crm-caldav.mjs" "$@" ${SMOKE_CLI_FLAGS---aws}
}
user="smoke-${run}@smoke.invalid"
pass="$(cli user add "$user" --name 'crm-caldav smoke test' | awk '/^App password/ { getline; print $1; exit }')"
if [ -z "$pass" ]; then
  echo "could not create the throwaway user $user (SMOKE_CLI_FLAGS=${SMOKE_CLI_FLAGS---aws})" >&2
  exit 2
fi
cleanup() {
  cli user delete "$user" --yes >/dev/null 2>&1 || echo "warning: could not delete the throwaway user $user; delete it with crm-caldav user delete $user --yes" >&2
}
trap cleanup EXIT
echo "Throwaway user $user (deleted at the end)"
echo

name="smoke-${run}.ics"
# Every request carries it, so the access logs' lines of this run can be told apart.
agent="crm-caldav-smoke/${run}"
started="$(date -u +%s)"
deep="/calendars/${user}/crm/${name}"
stamp="$(date -u +%Y%m%dT%H%M%SZ)"
ics=$'BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//crm-caldav//smoke//EN\r\nBEGIN:VEVENT\r\nUID:'"${name%.ics}"$'\r\nDTSTAMP:'"$stamp"$'\r\nDTSTART:'"$stamp"$'\r\nDURATION:PT15M\r\nSUMMARY:smoke test\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n'
propfind='<?xml version="1.0"?><d:propfind xmlns:d="DAV:"><d:prop><d:current-user-principal/><d:resourcetype/></d:prop></d:propfind>'
proppatch='<?xml version="1.0"?><d:propertyupdate xmlns:d="DAV:"><d:set><d:prop><d:displayname>smoke</d:displayname></d:prop></d:set></d:propertyupdate>'
report='<?xml version="1.0"?><d:sync-collection xmlns:d="DAV:"><d:sync-token/><d:sync-level>1</d:sync-level><d:prop><d:getetag/></d:prop></d:sync-collection>'

failed=0
ids=()
declare -A statuses=() refused=() broken=()
methods=(OPTIONS PROPFIND REPORT PROPPATCH MKCALENDAR GET HEAD PUT DELETE)
printf '%-10s %-60s %s\n' METHOD PATH STATUS
request() {
  local method="$1" path="$2" body="${3:-}" type="${4:-application/xml; charset=utf-8}" depth="${5:-0}"
  local headers answer status id
  headers="$(mktemp)"
  answer="$(mktemp)"
  # curl waits for a body after `-X HEAD`; --head is the request without one.
  local verb=(-X "$method")
  [ "$method" = HEAD ] && verb=(--head)
  status="$(curl -sS -o "$answer" -D "$headers" -w '%{http_code}' "${verb[@]}" -A "$agent" -u "${user}:${pass}" \
    -H "Depth: ${depth}" ${body:+-H "Content-Type: ${type}"} ${body:+--data-binary "$body"} "${base}${path}")" || status=000
  id="$(grep -i '^apigw-requestid:' "$headers" | tr -d '\r' | cut -d' ' -f2 || true)"
  ids+=("$id")
  printf '%-10s %-60s %s\n' "$method" "$path" "$status"
  statuses[$method]="${statuses[$method]:-}${statuses[$method]:+, }${status} on ${path}"
  # A route that dropped the method: API Gateway's own JSON "Not Found" (or a bare 403/404 from a
  # load balancer), never the server's answer, which is DAV XML or plain text.
  if [[ "$status" =~ ^(403|404|405)$ ]] && grep -q '"message"' "$answer" 2>/dev/null; then
    refused[$method]=1
    failed=1
  fi
  case "$status" in
    000|5??) broken[$method]=1; failed=1 ;;
  esac
  rm -f "$headers" "$answer"
}

for path in / "/calendars/${user}/crm/"; do
  request OPTIONS "$path"
  request PROPFIND "$path" "$propfind"
  request REPORT "$path" "$report" 'application/xml; charset=utf-8' 1
  request PROPPATCH "$path" "$proppatch"
  request MKCALENDAR "$path"
  request GET "$path"
  request HEAD "$path"
done
request PUT "$deep" "$ics" 'text/calendar; charset=utf-8'
request GET "$deep"
request HEAD "$deep"
request PROPFIND "$deep" "$propfind"
request DELETE "$deep"
request PROPFIND /.well-known/caldav "$propfind"

echo
echo "Verdicts (one per method):"
for method in "${methods[@]}"; do
  word=ok why=""
  if [ -n "${refused[$method]:-}" ]; then
    word=REFUSED why=" -- the front door dropped it: redeploy with -c frontDoor=alb (docs/api-gateway-routes.md)"
  elif [ -n "${broken[$method]:-}" ]; then
    word=FAILED why=" -- a 5xx or no answer: see the function's log"
  elif [ -z "${statuses[$method]:-}" ]; then
    word=UNSENT
  fi
  printf 'verdict %-10s %-7s %s%s\n' "$method" "$word" "${statuses[$method]:-}" "$why"
done

if [ -n "${ACCESS_LOG_GROUP:-}" ] && command -v aws >/dev/null; then
  echo
  echo "Routes matched (access log ${ACCESS_LOG_GROUP}; entries may take a minute to arrive):"
  sleep 20
  for id in "${ids[@]}"; do
    [ -n "$id" ] || continue
    aws logs filter-log-events --log-group-name "$ACCESS_LOG_GROUP" --filter-pattern "\"$id\"" \
      --query 'events[0].message' --output text 2>/dev/null |
      sed -n 's/.*"method":"\([^"]*\)".*"routeKey":"\([^"]*\)".*"path":"\([^"]*\)".*"status":"\([^"]*\)".*/\1 \3 -> \2 (\4)/p'
  done
fi

if [ -n "${ALB_LOG_BUCKET:-}" ] && command -v aws >/dev/null; then
  echo
  echo "Routes matched (load balancer access logs in s3://${ALB_LOG_BUCKET}; they arrive every 5 minutes):"

  logs="$(mktemp -d)"
  deadline=$((started + ${ALB_LOG_WAIT:-420}))
  lines=""
  while :; do
    # Only the objects written since the run started: the bucket keeps 30 days of logs.
    aws s3api list-objects-v2 --bucket "$ALB_LOG_BUCKET" --prefix AWSLogs/ \
      --query "Contents[?LastModified>=\`$(date -u -d "@$started" +%Y-%m-%dT%H:%M:%S)\`].Key" --output text 2>/dev/null |
      tr '\t' '\n' | grep '\.log\.gz$' | while read -r key; do
        [ -f "$logs/$(basename "$key")" ] || aws s3 cp --quiet "s3://${ALB_LOG_BUCKET}/${key}" "$logs/" || true
      done
    lines="$(cat "$logs"/*.log.gz 2>/dev/null | gzip -dc 2>/dev/null | awk -v AGENT="$agent" -f "$here/alb-log-routes.awk" || true)"
    [ "$(printf '%s' "$lines" | grep -c . || true)" -ge "${#ids[@]}" ] && break
    [ "$(date -u +%s)" -ge "$deadline" ] && break
    sleep 30
  done
  declare -A function_of=()
  printf '%s\n' "$lines" | while IFS=$'\t' read -r method path group rule status; do
    [ -n "$method" ] || continue
    # The function a target group forwards to: its one registered target.
    if [ -z "${function_of[$group]:-}" ]; then
      function_of[$group]="$(aws elbv2 describe-target-health --target-group-arn "$group" \
        --query 'TargetHealthDescriptions[0].Target.Id' --output text 2>/dev/null | sed 's/.*:function://')"
    fi
    printf '%s %s -> rule %s, %s (%s)\n' "$method" "$path" "$([ "$rule" = 0 ] && echo default || echo "$rule")" "${function_of[$group]:-${group##*targetgroup/}}" "$status"
  done
  rm -rf "$logs"
fi
exit "$failed"
