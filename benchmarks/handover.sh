#!/usr/bin/env bash
# The multi-process hand-over benchmark (benchmarks/Handover): N worker processes take one lock in turn for a fixed
# time, on NoDb's Redis backend, NoDb's embedded backend and DistributedLock.Redis, side by side, on a redis-server
# started here (on a free loopback port) and stopped afterwards. Extra arguments go to the program:
#   benchmarks/handover.sh [--seconds 5] [--processes 3,6] [--flows 1] [--locks nodb-redis,nodb-file,dlock-redis] [--out file.md]
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v redis-server >/dev/null 2>&1; then
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server >/dev/null
  else
    echo "redis-server is missing: install it (apt-get install redis-server)." >&2
    exit 1
  fi
fi

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
log=$(mktemp -t nodb-handover-redis.XXXXXX.log)
redis-server --port "$port" --bind 127.0.0.1 --save "" --appendonly no >"$log" 2>&1 &
redis_pid=$!
trap 'kill "$redis_pid" 2>/dev/null || true; rm -f "$log"' EXIT
for _ in $(seq 1 100); do
  redis-cli -p "$port" ping >/dev/null 2>&1 && break
  sleep 0.1
done

dotnet build -c Release benchmarks/Handover -v q -nologo >/dev/null
dotnet artifacts/bin/Handover/release/Handover.dll --redis "127.0.0.1:$port" "$@"
