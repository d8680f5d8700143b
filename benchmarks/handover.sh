#!/usr/bin/env bash
# The multi-process hand-over benchmark (benchmarks/Handover): N worker processes take one lock in turn for a fixed
# time, on NoDb's Redis backend, NoDb's embedded backend and DistributedLock.Redis, side by side, on a redis-server
# started here (on a free loopback port) and stopped afterwards. Extra arguments go to the program:
#   benchmarks/handover.sh [--seconds 5] [--processes 3,6] [--flows 1] [--locks nodb-redis,nodb-file,dlock-redis] [--out file.md]
set -euo pipefail
cd "$(dirname "$0")/.."

source benchmarks/redis-server.sh

dotnet build -c Release benchmarks/Handover -v q -nologo >/dev/null
dotnet artifacts/bin/Handover/release/Handover.dll --redis "127.0.0.1:$redis_port" "$@"
