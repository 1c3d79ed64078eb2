#!/usr/bin/env bash
# Smoke test of a deployed (or local) crm-caldav: every DAV method on / and on a deep path,
# with the status each got and, on an HTTP API deployment, the route that matched (read from the
# access log when ACCESS_LOG_GROUP is set to the stack's AccessLogGroup output and the AWS CLI
# is configured).
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
name="smoke-$(date +%s)-$$.ics"
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
  status="$(curl -sS -o /dev/null -D "$headers" -w '%{http_code}' "${verb[@]}" -u "${user}:${pass}" \
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
exit "$failed"
