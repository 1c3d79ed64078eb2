#!/usr/bin/env bash
# Smoke test of a deployed (or local) crm-caldav: every DAV method on / and on a deep path,
# with the status each got and, with the AWS CLI configured, the route that matched:
# - HTTP API: ACCESS_LOG_GROUP=<AccessLogGroup output>; the route key from the access log.
# - ALB (frontDoor=alb): ALB_LOG_BUCKET=<AlbAccessLogBucket output>; the listener rule and the
#   function behind its target group, from the load balancer's access logs in S3, which arrive
#   every 5 minutes (ALB_LOG_WAIT seconds to wait for them, 420 by default).
#
#   scripts/smoke-deployed.sh URL USER PASSWORD
#
# Exit status 1 when a method got a 5xx, a 404/405 from the front door instead of the server
# (a route that dropped the method), or no answer at all.
set -euo pipefail

if [ $# -ne 3 ]; then
  echo "usage: $0 URL USER PASSWORD" >&2
  exit 2
fi
base="${1%/}"
user="$2"
pass="$3"
run="$(date +%s)-$$"
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
printf '%-10s %-44s %s\n' METHOD PATH STATUS
request() {
  local method="$1" path="$2" body="${3:-}" type="${4:-application/xml; charset=utf-8}" depth="${5:-0}"
  local headers status id
  headers="$(mktemp)"
  # curl waits for a body after `-X HEAD`; --head is the request without one.
  local verb=(-X "$method")
  [ "$method" = HEAD ] && verb=(--head)
  status="$(curl -sS -o /dev/null -D "$headers" -w '%{http_code}' "${verb[@]}" -A "$agent" -u "${user}:${pass}" \
    -H "Depth: ${depth}" ${body:+-H "Content-Type: ${type}"} ${body:+--data-binary "$body"} "${base}${path}")" || status=000
  id="$(grep -i '^apigw-requestid:' "$headers" | tr -d '\r' | cut -d' ' -f2 || true)"
  rm -f "$headers"
  ids+=("$id")
  printf '%-10s %-44s %s\n' "$method" "$path" "$status"
  # 405 from the server carries Allow; a route that dropped the method answers 404 "Not Found".
  case "$status" in
    000|5??) failed=1 ;;
  esac
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
  here="$(cd "$(dirname "$0")" && pwd)"
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
