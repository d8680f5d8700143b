#!/usr/bin/env bash
# Runs the whole benchmark suite in a short job, side by side with the alternatives, on a redis-server started here
# (on a free loopback port) and stopped afterwards. Results: BenchmarkDotNet.Artifacts/results/*.md, copied to
# docs/benchmarks/results/. Pass extra BenchmarkDotNet arguments after the script (e.g. --filter '*Commit*').
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
redis-server --port "$port" --bind 127.0.0.1 --save "" --appendonly no >/tmp/nodb-bench-redis.log 2>&1 &
redis_pid=$!
trap 'kill "$redis_pid" 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do
  redis-cli -p "$port" ping >/dev/null 2>&1 && break
  sleep 0.1
done

filter=("--filter" "*")
[ "$#" -gt 0 ] && filter=()
NODB_BENCH_REDIS="127.0.0.1:$port" dotnet run -c Release --project benchmarks/NoDb.Benchmarks -- \
  --job short --exporters github "${filter[@]}" "$@"

mkdir -p docs/benchmarks/results
cp BenchmarkDotNet.Artifacts/results/*-report-github.md docs/benchmarks/results/ 2>/dev/null || true
echo "Results copied to docs/benchmarks/results/"
