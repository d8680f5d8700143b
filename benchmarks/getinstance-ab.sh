#!/usr/bin/env bash
# A cached Climate.GetInstance against a ConcurrentDictionary lookup, in alternating chunks of one process, without and
# with a listener on the NoDb meter (the figure docs/benchmarks.md quotes for that target):
#   benchmarks/getinstance-ab.sh [rounds]      (default 400 rounds of 1,000,000 calls each way)
set -euo pipefail
cd "$(dirname "$0")/.."
dotnet run -c Release --project benchmarks/GetInstanceAb -- "$@"
