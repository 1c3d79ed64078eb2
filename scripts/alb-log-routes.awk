# Reads Application Load Balancer access log lines (docs: "Access logs for your Application Load
# Balancer", space-separated, some fields quoted) and prints, tab-separated, for each request
# whose user agent contains AGENT: method, path, target group ARN, matched rule priority (0 is
# the default action), ELB status. Plain POSIX awk: Debian's default awk is mawk, without FPAT.
#
#   zcat *.log.gz | awk -v AGENT=crm-caldav-smoke/123 -f scripts/alb-log-routes.awk
function fields(line, out,    n, i, c, value) {
  n = 0
  i = 1
  while (i <= length(line)) {
    c = substr(line, i, 1)
    if (c == " ") { i++; continue }
    value = ""
    if (c == "\"") {
      i++
      while (i <= length(line) && substr(line, i, 1) != "\"") { value = value substr(line, i, 1); i++ }
      i++
    } else {
      while (i <= length(line) && substr(line, i, 1) != " ") { value = value substr(line, i, 1); i++ }
    }
    out[++n] = value
  }
  return n
}
{
  if (fields($0, f) < 21) next
  if (AGENT != "" && index(f[14], AGENT) == 0) next
  split(f[13], request, " ")
  path = request[2]
  sub(/^[a-z]+:\/\/[^\/]*/, "", path)
  printf "%s\t%s\t%s\t%s\t%s\n", request[1], path, f[17], f[21], f[9]
}
