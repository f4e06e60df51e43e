#!/usr/bin/env bash
# The robustness scripts in their short form, for .ci/run (which starts PostgreSQL and Redis first):
# a crash test on SQLite and on PostgreSQL (about 2 s of load, one SIGKILL, restart, nothing acknowledged lost),
# then two processes on one PostgreSQL and Redis, then storage faults (PostgreSQL backends terminated under load and
# while idle; Redis stopped and started again). Each is bounded in time; any loss, exit or 500 fails the build.
set -euo pipefail
cd "$(dirname "$0")/.."

# A webhook or transactions request claimed by the killed worker waits out its claim (30 s) before the restarted
# server takes it over, so the crash test allows up to 50 s for completion and delivery after the restart.
echo "-- crash test, SQLite"
timeout 150 node --import tsx scripts/crash-test.ts --db sqlite --load-ms 2000 --loops 8 --delivery-timeout-ms 50000
echo "-- crash test, PostgreSQL"
timeout 150 node --import tsx scripts/crash-test.ts --db postgres --load-ms 2000 --loops 8 --delivery-timeout-ms 50000
echo "-- two processes, PostgreSQL + Redis"
timeout 150 node --import tsx scripts/two-process.ts --connections 12 --delivery-timeout-ms 30000
echo "-- faults: PostgreSQL backends terminated under load and while idle"
timeout 150 node --import tsx scripts/fault-test.ts --scenario postgres --load-ms 3000 --loops 8
echo "-- faults: Redis killed and started again"
timeout 150 node --import tsx scripts/fault-test.ts --scenario redis
