#!/usr/bin/env bash
# Makes sure what the integration tests talk to is here: the database servers, Redis and
# Debian's Chromium. Installs or starts only what is missing; prints what it did.
set -u

say() { printf 'test-env: %s\n' "$*"; }

if ! command -v chromium >/dev/null 2>&1; then
  say "installing Debian's chromium for the browser tests"
  (apt-get update -qq && apt-get install -y -qq chromium >/dev/null) || say "could not install chromium"
fi

if ! pg_isready -h 127.0.0.1 -p 5432 -q 2>/dev/null; then
  say "starting PostgreSQL"
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -1)" main start || say "could not start PostgreSQL"
fi

if ! redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1; then
  say "starting Redis"
  redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no || say "could not start Redis"
fi

if ! mariadb-admin -h 127.0.0.1 -P 3306 -uroot ping >/dev/null 2>&1; then
  say "starting MariaDB"
  start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd || say "could not start MariaDB"
  for _ in $(seq 1 30); do mariadb-admin -h 127.0.0.1 -uroot ping >/dev/null 2>&1 && break; sleep 1; done
fi

for _ in $(seq 1 30); do pg_isready -h 127.0.0.1 -q 2>/dev/null && break; sleep 1; done
exit 0
