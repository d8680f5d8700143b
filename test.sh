#!/usr/bin/env bash
# Runs every test of the solution. Needs the .NET 10 SDK, redis-server and redis-sentinel (the Redis suites start their
# own servers on free loopback ports) and wrk (the web sample's load test, samples/WebApp/load.sh); installs them with
# apt-get when they are missing and this shell may.
set -euo pipefail
cd "$(dirname "$0")"

# redis-sentinel (Debian's package) is needed by the failover tests; it is installed the same way.
missing=()
command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
command -v redis-sentinel >/dev/null 2>&1 || missing+=(redis-sentinel)
command -v wrk >/dev/null 2>&1 || missing+=(wrk)
command -v curl >/dev/null 2>&1 || missing+=(curl)
if [ "${#missing[@]}" -gt 0 ]; then
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    echo "${missing[*]} missing: installing with apt-get" >&2
    apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
    # The tests start their own servers; the packaged services are not needed.
    (service redis-server stop || true) >/dev/null 2>&1
    (service redis-sentinel stop || true) >/dev/null 2>&1
  else
    echo "${missing[*]} missing: install (apt-get install ${missing[*]}) and run again." >&2
    exit 1
  fi
fi

dotnet test NoDb.sln --nologo "$@"
