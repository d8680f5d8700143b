#!/usr/bin/env bash
# Runs every test of the solution. Needs the .NET 10 SDK and redis-server (the Redis suites start their own servers on
# free loopback ports); installs redis-server with apt-get when it is missing and this shell may.
set -euo pipefail
cd "$(dirname "$0")"

if ! command -v redis-server >/dev/null 2>&1; then
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    echo "redis-server is missing: installing it with apt-get" >&2
    apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server >/dev/null
    # The tests start their own servers; the packaged service is not needed.
    (service redis-server stop || true) >/dev/null 2>&1
  else
    echo "redis-server is missing: install it (apt-get install redis-server) and run again." >&2
    exit 1
  fi
fi

dotnet test NoDb.sln --nologo "$@"
