#!/usr/bin/env bash
# Drives the web sample with wrk: builds and starts it on a free loopback port, waits until /healthz says Healthy, replays
# the profile playback (playback.lua: reads, builds in the request, queued build jobs, across a few runs) from several
# connections, then prints requests, errors, latency percentiles and the NoDb metrics scraped from /metrics, and checks
# that nothing was lost: after the jobs have drained, every run's state on disk (read by the app, and again from the files
# by this script once the app has stopped) equals the builds it acknowledged plus the jobs it completed, and the client saw
# no more acknowledgements than that. Exits 0 when there were no errors and nothing was lost, 1 otherwise, 2 on bad usage.
#
#   samples/WebApp/load.sh [--duration 10s] [--connections 8] [--threads 2] [--runs 4] [--redis <configuration> | --redis-server]
#
# Embedded file locks by default; --redis (or NODB_REDIS) selects the Redis backend, --redis-server starts a throwaway
# redis-server on a free loopback port for it. Needs the .NET 10 SDK, wrk and curl (and redis-server for --redis-server),
# installed with apt-get when missing and this shell runs as root.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"

duration=10s
connections=8
threads=2
runs=4
timeout=5s
redis="${NODB_REDIS:-}"
redis_server=false
app=""
keep=false

usage() {
  cat <<EOF
usage: $0 [options]
  --duration <time>       how long wrk replays the playback (wrk's form: 10s, 1m; default $duration)
  --connections <n>       connections kept open (default $connections)
  --threads <n>           wrk threads, at most the connections (default $threads)
  --runs <n>              runs the app serves and the playback spreads over (default $runs)
  --timeout <time>        wrk's per-request timeout, counted as an error (default $timeout)
  --redis <configuration> the Redis backend, a StackExchange.Redis configuration string (default: NODB_REDIS, else embedded)
  --redis-server          the Redis backend, on a redis-server this script starts on a free loopback port (and stops)
  --app <WebApp.dll>      run this build of the app instead of building samples/WebApp (Release)
  --keep                  keep the runs and the app's log (their folder is printed)
EOF
}

while [ $# -gt 0 ]; do
  case "$1" in
    --duration) duration="${2:?--duration needs a value}"; shift 2 ;;
    --connections) connections="${2:?--connections needs a value}"; shift 2 ;;
    --threads) threads="${2:?--threads needs a value}"; shift 2 ;;
    --runs) runs="${2:?--runs needs a value}"; shift 2 ;;
    --timeout) timeout="${2:?--timeout needs a value}"; shift 2 ;;
    --redis) redis="${2:?--redis needs a value}"; shift 2 ;;
    --redis-server) redis_server=true; shift ;;
    --app) app="${2:?--app needs a value}"; shift 2 ;;
    --keep) keep=true; shift ;;
    -h|--help) usage; exit 0 ;;
    *) echo "load.sh: unknown option '$1'" >&2; usage >&2; exit 2 ;;
  esac
done

for n in "$connections" "$threads" "$runs"; do
  if ! [[ "$n" =~ ^[1-9][0-9]*$ ]]; then
    echo "load.sh: '$n' is not a positive whole number" >&2
    exit 2
  fi
done
if [ "$threads" -gt "$connections" ]; then
  echo "load.sh: --threads ($threads) must not exceed --connections ($connections)" >&2
  exit 2
fi

# wrk and curl (and redis-server): Debian's packages, installed when missing and this shell may.
missing=()
command -v wrk >/dev/null 2>&1 || missing+=(wrk)
command -v curl >/dev/null 2>&1 || missing+=(curl)
if [ "$redis_server" = true ]; then
  command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
fi
if [ "${#missing[@]}" -gt 0 ]; then
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    echo "load.sh: ${missing[*]} missing: installing with apt-get" >&2
    apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
    # This script starts its own server; the packaged service is not needed.
    (service redis-server stop || true) >/dev/null 2>&1
  fi
  for tool in "${missing[@]}"; do
    if ! command -v "$tool" >/dev/null 2>&1; then
      echo "load.sh: $tool is missing and could not be installed: run 'apt-get install ${missing[*]}' as root, then again." >&2
      exit 1
    fi
  done
fi

work="$(mktemp -d "${TMPDIR:-/tmp}/nodb-webapp-load.XXXXXX")"
pid=""
redis_pid=""
app_exit=""
stop_app() { # SIGTERM: the host stops gracefully; SIGKILL after 10 s. Sets app_exit to the app's exit status.
  if [ -n "$pid" ]; then
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 100); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.1
    done
    kill -KILL "$pid" 2>/dev/null || true
    app_exit=0
    wait "$pid" 2>/dev/null || app_exit=$?
  fi
  pid=""
}
cleanup() {
  stop_app
  if [ -n "$redis_pid" ]; then
    kill -TERM "$redis_pid" 2>/dev/null || true
    wait "$redis_pid" 2>/dev/null || true
  fi
  if [ "$keep" = true ]; then
    echo "kept           $work" >&2
  else
    rm -rf "$work"
  fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

fail() {
  echo "load.sh: $*" >&2
  if [ -f "$work/app.log" ]; then
    echo "--- the app's log (last 40 lines) ---" >&2
    tail -n 40 "$work/app.log" >&2
  fi
  exit 1
}

if [ -z "$app" ]; then
  echo "building       samples/WebApp (Release)" >&2
  dotnet build "$repo/samples/WebApp/WebApp.csproj" -c Release --nologo -v q -clp:ErrorsOnly >"$work/build.log" 2>&1 \
    || { cat "$work/build.log" >&2; fail "the build failed"; }
  app="$repo/artifacts/bin/WebApp/release/WebApp.dll"
fi
[ -f "$app" ] || fail "no app at $app"

# A throwaway redis-server on a random port below the kernel's ephemeral range (so that it never takes a port the OS is
# handing out for port 0, as other test servers ask for), tried again elsewhere if another process has it.
if [ "$redis_server" = true ]; then
  read -r ephemeral_low _ </proc/sys/net/ipv4/ip_local_port_range 2>/dev/null || ephemeral_low=32768
  [ "$ephemeral_low" -gt 11024 ] || ephemeral_low=32768
  for _ in $(seq 20); do
    port=$((10000 + RANDOM % (ephemeral_low - 10000)))
    redis-server --bind 127.0.0.1 --port "$port" --save "" --appendonly no --dir "$work" >"$work/redis.log" 2>&1 &
    redis_pid=$!
    for _ in $(seq 100); do
      grep -q "Ready to accept connections" "$work/redis.log" && break
      kill -0 "$redis_pid" 2>/dev/null || break
      sleep 0.05
    done
    if kill -0 "$redis_pid" 2>/dev/null && grep -q "Ready to accept connections" "$work/redis.log"; then
      redis="127.0.0.1:$port"
      break
    fi
    kill -KILL "$redis_pid" 2>/dev/null || true
    wait "$redis_pid" 2>/dev/null || true
    redis_pid=""
  done
  [ -n "$redis_pid" ] || { cat "$work/redis.log" >&2; fail "could not start redis-server on a free port"; }
fi

if [ -n "$redis" ]; then
  endpoint="${redis%%,*}"  # no options, no password
  backend="Redis (${endpoint##*@})"
else
  backend="embedded (OS file locks)"
fi

# Port 0: the OS picks a free port; the app writes the address it got to a file once it serves. Its temp folder (where the
# health check keeps its probe run) is inside this script's, so nothing is left behind.
mkdir -p "$work/tmp"
TMPDIR="$work/tmp" dotnet "$app" --urls "http://127.0.0.1:0" --NoDb:Redis="$redis" \
  --WebApp:RunsRoot="$work/runs" --WebApp:Runs="$runs" --WebApp:AddressFile="$work/address" \
  >"$work/app.log" 2>&1 &
pid=$!

url=""
health=""
for _ in $(seq 600); do
  kill -0 "$pid" 2>/dev/null || fail "the app exited before it was healthy"
  if [ -z "$url" ] && [ -s "$work/address" ]; then
    url="$(head -n 1 "$work/address")"
  fi
  if [ -n "$url" ]; then
    health="$(curl -s --max-time 5 "$url/healthz" || true)"
    [ "$health" = "Healthy" ] && break
  fi
  sleep 0.1
done
[ "$health" = "Healthy" ] || fail "the app was not healthy within 60 s (last answer: '${health:-none}')"

echo "NoDb web sample: $duration of the profile playback, $connections connections, $threads threads, $runs runs"
echo "backend        $backend"
echo "app            $url (pid $pid)"

wrk --threads "$threads" --connections "$connections" --duration "$duration" --timeout "$timeout" \
  --script "$here/playback.lua" "$url" -- "$runs" >"$work/wrk.txt" 2>&1 || { cat "$work/wrk.txt" >&2; fail "wrk failed"; }

# The numbers playback.lua printed: "playback <what> <name> <value> <name> <value> …".
lua_value() {
  awk -v what="$1" -v name="$2" '$1 == "playback" && $2 == what { for (i = 3; i < NF; i += 2) if ($i == name) { print $(i + 1); exit } }' "$work/wrk.txt"
}
requests="$(lua_value totals requests)"
duration_us="$(lua_value totals duration_us)"
[ -n "$requests" ] && [ -n "$duration_us" ] || { cat "$work/wrk.txt" >&2; fail "wrk printed no playback summary"; }
reads="$(lua_value acknowledged reads)"
builds="$(lua_value acknowledged builds)"
jobs="$(lua_value acknowledged jobs)"
other="$(lua_value acknowledged other)"
connect_errors="$(lua_value errors connect)"
read_errors="$(lua_value errors read)"
write_errors="$(lua_value errors write)"
timeouts="$(lua_value errors timeout)"
non2xx="$(lua_value errors non2xx)"
last_status="$(lua_value errors last_status)"
errors=$((connect_errors + read_errors + write_errors + timeouts + non2xx))

# The app's ledger: first occurrence of a member (the totals come first in /stats and /verify).
json_value() { grep -o "\"$1\":[a-z0-9]*" "$2" | head -n 1 | cut -d: -f2; }

# The jobs still queued drain; builds still in flight (a request wrk gave up on at the end) finish.
idle=""
for _ in $(seq 600); do
  curl -s --max-time 5 "$url/stats" >"$work/stats.json" || true
  idle="$(json_value idle "$work/stats.json")"
  [ "$idle" = "true" ] && break
  kill -0 "$pid" 2>/dev/null || fail "the app exited during the load"
  sleep 0.1
done
[ "$idle" = "true" ] || fail "the queued jobs did not drain within 60 s: $(cat "$work/stats.json")"

verify_status="$(curl -s --max-time 30 -o "$work/verify.json" -w '%{http_code}' "$url/verify" || true)"
curl -s --max-time 10 "$url/metrics" >"$work/metrics.txt" || fail "could not scrape $url/metrics"

built="$(json_value buildsAcknowledged "$work/verify.json")"
enqueued="$(json_value jobsEnqueued "$work/verify.json")"
completed="$(json_value jobsCompleted "$work/verify.json")"
jobs_failed="$(json_value jobsFailed "$work/verify.json")"
builds_failed="$(json_value buildsFailed "$work/verify.json")"
verdict="$(grep -o '"verdict":"[^"]*"' "$work/verify.json" | head -n 1 | cut -d'"' -f4)"
[ -n "$built" ] && [ -n "$completed" ] || fail "/verify answered $verify_status: $(cat "$work/verify.json")"

# The app stops (the trap would stop it too); then the files are read by this script, without the app.
stop_app

disk_builds=0
disk_jobs=0
for i in $(seq "$runs"); do
  doc="$work/runs/run-$i/climate.nodb"
  [ -f "$doc" ] || fail "$doc is missing"
  b="$(grep -oE '"BuildCount": *[0-9]+' "$doc" | grep -oE '[0-9]+$' || true)"
  j="$(grep -oE '"JobsCompleted": *[0-9]+' "$doc" | grep -oE '[0-9]+$' || true)"
  [ -n "$b" ] && [ -n "$j" ] || fail "$doc has no BuildCount or JobsCompleted: $(cat "$doc")"
  disk_builds=$((disk_builds + b))
  disk_jobs=$((disk_jobs + j))
done

# The NoDb instruments, summed over documents: "name{labels} value" lines of the Prometheus text format.
prom_sum() { # metric, label, value → the sum of the series with that label value (0 when none)
  awk -v metric="$1" -v label="$2" -v want="$3" '
    index($0, metric "{") == 1 || $1 == metric {
      if (label != "" && index($0, label "=\"" want "\"") == 0) next
      s += $NF
    }
    END { printf "%.0f", s }' "$work/metrics.txt"
}
prom_mean_ms() { # histogram, outcome label value ("" for none) → mean in ms
  awk -v h="$1" -v want="$2" '
    function wanted() { return want == "" || index($0, "nodb_outcome=\"" want "\"") > 0 }
    index($0, h "_sum{") == 1 && wanted() { s += $NF }
    index($0, h "_count{") == 1 && wanted() { c += $NF }
    END { if (c > 0) printf "%.3f", s / c * 1000; else printf "-" }' "$work/metrics.txt"
}
prom_quantile_ms() { # histogram, outcome label value ("" for none), quantile → the upper bound of its bucket, in ms
  awk -v h="$1" -v want="$2" -v q="$3" '
    function wanted() { return want == "" || index($0, "nodb_outcome=\"" want "\"") > 0 }
    index($0, h "_bucket{") == 1 && wanted() {
      match($0, /le="[^"]*"/); le = substr($0, RSTART + 4, RLENGTH - 5)
      if (!(le in cum)) order[n++] = le
      cum[le] += $NF
    }
    END {
      total = (n > 0) ? cum[order[n - 1]] : 0
      if (total == 0) { printf "-"; exit }
      for (i = 0; i < n; i++) if (cum[order[i]] >= q * total) {
        if (order[i] == "+Inf") printf "> %g ms", order[i - 1] * 1000; else printf "<= %g ms", order[i] * 1000
        exit
      }
    }' "$work/metrics.txt"
}

seconds="$(awk -v us="$duration_us" 'BEGIN { printf "%.1f", us / 1e6 }')"
rate="$(awk -v r="$requests" -v us="$duration_us" 'BEGIN { printf "%.1f", (us > 0) ? r / (us / 1e6) : 0 }')"
ms() { awk -v us="$(lua_value latency_us "$1")" 'BEGIN { printf "%.2f", us / 1000 }'; }

echo
echo "requests       $requests in $seconds s ($rate/s): $reads reads, $builds builds, $jobs job enqueues acknowledged"
echo "errors         $errors (connect $connect_errors, read $read_errors, write $write_errors, timeout $timeouts, non-2xx $non2xx)"
echo "latency        p50 $(ms p50) ms   p90 $(ms p90) ms   p99 $(ms p99) ms   max $(ms max) ms"
echo "jobs           $enqueued enqueued, $completed completed, $jobs_failed failed"
echo "NoDb metrics   (scraped from /metrics; percentiles are histogram bucket bounds)"
wait_hist=nodb_lock_wait_duration_seconds
line="  lock wait    "
for outcome in acquired timeout busy cancelled refused; do
  count="$(prom_sum "${wait_hist}_count" nodb_outcome "$outcome")"
  if [ "$outcome" = acquired ] || [ "$count" != 0 ]; then
    line="$line $outcome $count"
    [ "$count" != 0 ] && line="$line (mean $(prom_mean_ms $wait_hist "$outcome") ms, p50 $(prom_quantile_ms $wait_hist "$outcome" 0.5), p90 $(prom_quantile_ms $wait_hist "$outcome" 0.9), p99 $(prom_quantile_ms $wait_hist "$outcome" 0.99))"
    line="$line;"
  fi
done
echo "${line%;}"
hold_hist=nodb_lock_hold_duration_seconds
echo "  lock hold     $(prom_sum "${hold_hist}_count" "" "") (mean $(prom_mean_ms $hold_hist "") ms, p99 $(prom_quantile_ms $hold_hist "" 0.99))"
commit_hist=nodb_commit_duration_seconds
commits_written="$(prom_sum "${commit_hist}_count" nodb_outcome written)"
echo "  commits       written $commits_written (mean $(prom_mean_ms $commit_hist written) ms, p99 $(prom_quantile_ms $commit_hist written 0.99)), unchanged $(prom_sum "${commit_hist}_count" nodb_outcome unchanged), refused $(prom_sum "${commit_hist}_count" nodb_outcome refused), failed $(prom_sum "${commit_hist}_count" nodb_outcome failed)"
locks_held="$(prom_sum nodb_locks_held "" "")"
echo "  locks held    $locks_held now (idle: every scope was closed)"
lookups=nodb_instance_lookups_total
echo "  lookups       hit $(prom_sum $lookups nodb_result hit), refreshed $(prom_sum $lookups nodb_result refreshed), loaded $(prom_sum $lookups nodb_result loaded), missing $(prom_sum $lookups nodb_result missing)"
lost=nodb_lock_lost_total
locks_lost="$(prom_sum $lost "" "")"
echo "  locks lost    $locks_lost (expired $(prom_sum $lost nodb_reason expired), cleared $(prom_sum $lost nodb_reason cleared), forced $(prom_sum $lost nodb_reason forced), fenced $(prom_sum $lost nodb_reason fenced), unreachable $(prom_sum $lost nodb_reason unreachable))"
if [ -n "$redis" ]; then
  cache=nodb_cache_reads_total
  echo "  cache reads   hit $(prom_sum $cache nodb_result hit), miss $(prom_sum $cache nodb_result miss), stale $(prom_sum $cache nodb_result stale), corrupt $(prom_sum $cache nodb_result corrupt)"
fi

# Nothing lost: the app's check (/verify, while it ran), the files (read here after it stopped), the client's count.
problems=()
[ "$errors" -eq 0 ] || problems+=("$errors errors (last non-2xx status: $last_status)")
[ "$other" -eq 0 ] || problems+=("$other 2xx answers named no playback step")
[ "$jobs_failed" -eq 0 ] || problems+=("$jobs_failed jobs failed")
[ "$builds_failed" -eq 0 ] || problems+=("$builds_failed builds were not acknowledged (errors or requests cut off at the end)")
[ "$verify_status" = 200 ] || problems+=("/verify answered $verify_status: $verdict")
[ "$completed" -eq "$enqueued" ] || problems+=("$enqueued jobs enqueued but $completed completed")
[ "$disk_builds" -eq $((built + completed)) ] \
  || problems+=("on disk BuildCount adds up to $disk_builds, not $built acknowledged builds + $completed completed jobs = $((built + completed))")
[ "$disk_jobs" -eq "$completed" ] || problems+=("on disk JobsCompleted adds up to $disk_jobs, not the $completed completed jobs")
# The client saw at most what the app acknowledged; the difference is what was in flight when wrk stopped.
unseen=$(((built - builds) + (enqueued - jobs)))
[ "$builds" -le "$built" ] || problems+=("the client saw $builds builds acknowledged, the app counted $built")
[ "$jobs" -le "$enqueued" ] || problems+=("the client saw $jobs jobs accepted, the app counted $enqueued")
[ "$unseen" -le "$connections" ] || problems+=("the app acknowledged $unseen more changes than the client saw, more than the $connections requests that can be in flight")
[ "$commits_written" -gt 0 ] || problems+=("/metrics shows no written commit")
[ "$locks_held" -eq 0 ] || problems+=("/metrics shows $locks_held lock scopes still open while the app was idle")
[ "$app_exit" = 0 ] || problems+=("the app exited with status $app_exit when asked to stop")
# Errors the app logged (ASP.NET Core's console format starts them with "fail:" or "crit:"): a failed job, a refused write.
logged_errors="$(grep -cE '^(fail|crit):' "$work/app.log" || true)"
if [ "$logged_errors" -gt 0 ]; then
  problems+=("the app logged $logged_errors errors: $(grep -m 3 -A 1 -E '^(fail|crit):' "$work/app.log" | tr -s ' \n' ' ')")
fi

echo "final state    BuildCount on disk $disk_builds = $built acknowledged builds + $completed completed jobs; JobsCompleted $disk_jobs; the client saw $builds + $jobs ($unseen in flight at the end)"
if [ "${#problems[@]}" -eq 0 ]; then
  echo "verdict        OK: no errors, nothing lost"
  exit 0
fi
for p in "${problems[@]}"; do
  echo "problem        $p"
done
echo "verdict        FAILED"
exit 1
