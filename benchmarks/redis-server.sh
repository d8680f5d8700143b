# Sourced by the benchmark scripts: installs redis-server with apt-get when it is missing (as root), starts one on a free
# loopback port with no persistence, waits until it answers, and stops it when the calling script exits.
# Sets: redis_port.

if ! command -v redis-server >/dev/null 2>&1; then
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server >/dev/null
  else
    echo "redis-server is missing: install it (apt-get install redis-server)." >&2
    exit 1
  fi
fi

redis_port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
redis_log=$(mktemp -t nodb-bench-redis.XXXXXX.log)
redis-server --port "$redis_port" --bind 127.0.0.1 --save "" --appendonly no >"$redis_log" 2>&1 &
redis_pid=$!
trap 'kill "$redis_pid" 2>/dev/null || true; rm -f "$redis_log"' EXIT
for _ in $(seq 1 100); do
  redis-cli -p "$redis_port" ping >/dev/null 2>&1 && break
  sleep 0.1
done
