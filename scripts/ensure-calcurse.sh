#!/usr/bin/env bash
# Debian's calcurse (calcurse-caldav) and python3-httplib2 for the calcurse interop test
# (test/interop/calcurse.test.ts). Optional: where they cannot be installed (no root, no apt),
# the test is skipped and this says so; it never fails the run.
set -uo pipefail
PY=/usr/bin/python3
if command -v calcurse-caldav >/dev/null 2>&1 && [ -x "$PY" ] && "$PY" -c 'import httplib2' 2>/dev/null; then exit 0; fi
if [ "$(id -u)" -eq 0 ]; then SUDO=(); elif sudo -n true 2>/dev/null; then SUDO=(sudo -n); else
  echo "calcurse or python3-httplib2 is missing and this user cannot install them: the calcurse interop test is skipped." >&2
  exit 0
fi
echo "Installing Debian's calcurse and python3-httplib2 for the calcurse interop test…" >&2
{ "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq && "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq calcurse python3-httplib2; } >&2 \
  || echo "Could not install calcurse: the calcurse interop test is skipped." >&2
exit 0
