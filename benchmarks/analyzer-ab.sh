#!/usr/bin/env bash
# Compares two builds of the analyzer on the 4,000-line file of AnalyzerBenchmarks, alternately in one process:
#   benchmarks/analyzer-ab.sh <old NoDb.Analyzers.dll> <new NoDb.Analyzers.dll> [rounds]
# Build the old one first, e.g. from a worktree of the older commit: dotnet build -c Release src/NoDb.Analyzers.
# Run it twice with the two paths swapped, and once with one build against itself for the noise floor.
set -euo pipefail
cd "$(dirname "$0")/.."
dotnet run -c Release --project benchmarks/AnalyzerAb -- "$@"
