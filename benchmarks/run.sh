#!/usr/bin/env bash
# Runs the whole benchmark suite in a short job, side by side with the alternatives, on a redis-server started here
# (on a free loopback port) and stopped afterwards. Results: BenchmarkDotNet.Artifacts/results/*.md, copied to
# docs/benchmarks/results/. Pass extra BenchmarkDotNet arguments after the script (e.g. --filter '*Commit*').
set -euo pipefail
cd "$(dirname "$0")/.."

source benchmarks/redis-server.sh

filter=("--filter" "*")
[ "$#" -gt 0 ] && filter=()
NODB_BENCH_REDIS="127.0.0.1:$redis_port" dotnet run -c Release --project benchmarks/NoDb.Benchmarks -- \
  --job short --exporters github "${filter[@]}" "$@"

mkdir -p docs/benchmarks/results
cp BenchmarkDotNet.Artifacts/results/*-report-github.md docs/benchmarks/results/ 2>/dev/null || true
echo "Results copied to docs/benchmarks/results/"
