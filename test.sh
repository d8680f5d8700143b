#!/usr/bin/env bash
# Runs every test of the solution. Needs only the .NET 10 SDK: the embedded backend has no server to start.
set -euo pipefail
cd "$(dirname "$0")"
dotnet test NoDb.sln --nologo "$@"
