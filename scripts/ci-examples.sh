#!/usr/bin/env bash
# The examples against the package as published: `npm pack` once, one scratch project that installs the tarball
# (better-sqlite3 builds natively: the slow part, done once) with both examples' tools, then examples/vitest and
# examples/playwright run there. A broken exports map, a file missing from `files`, or a dependency that only
# exists in this repository fails here. Also checks that the installed CLI starts and serves the front door.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/ledgerite-examples-XXXXXX")
server_pid=""
cleanup () {
  if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

echo "-- pack"
tarball=$(npm pack --silent --pack-destination "$work" | tail -n1)
echo "$tarball: $(tar tzf "$work/$tarball" | wc -l) files"
if tar tzf "$work/$tarball" | grep -qE '^package/(src|test|examples)/'; then
  echo "the tarball ships sources or tests" >&2; exit 1
fi

echo "-- one install for both examples"
mkdir -p "$work/project"
cp -R examples/vitest examples/playwright "$work/project/"
# The examples' own package.json name ledgerite from the registry; here both resolve it from the parent folder's
# node_modules, where the tarball is installed with the tools each example declares (same versions).
vitest_v=$(node -p "require('./examples/vitest/package.json').devDependencies.vitest")
vite_v=$(node -p "require('./examples/vitest/package.json').devDependencies.vite")
pw_v=$(node -p "require('./examples/playwright/package.json').devDependencies['playwright-core']")
cd "$work/project"
cat > package.json <<JSON
{ "name": "ledgerite-examples", "private": true, "type": "module" }
JSON
rm -f vitest/package.json playwright/package.json
npm install --no-audit --no-fund --loglevel=error "../$tarball" "vitest@$vitest_v" "vite@$vite_v" "playwright-core@$pw_v"
if [ -e node_modules/tsx ] || [ -e node_modules/typescript ]; then
  echo "installing ledgerite brought TypeScript tooling with it" >&2; exit 1
fi

echo "-- the installed CLI"
eval "$(DATABASE_URL=sqlite:./data/cli.db npx --no-install ledgerite clients create --name ci --redirect-uri https://ci.test/cb --env)"
test -n "$CLIENT_ID" && test -n "$CLIENT_SECRET"
port=$(node -e "const s=require('net').createServer().listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})")
# The bin itself (not through npx), so the recorded pid is the server's and `kill` stops it.
PORT=$port DATABASE_URL=sqlite:./data/cli.db LOG_LEVEL=error ./node_modules/.bin/ledgerite start &
server_pid=$!
for _ in $(seq 1 120); do curl -fs "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break; sleep 0.5; done
# Bodies are read whole before matching: `curl | grep -q` fails under pipefail when grep stops reading early.
front=$(curl -fs "http://127.0.0.1:$port/")
grep -q '<h1>Ledgerite is running</h1>' <<<"$front"
token=$(curl -fs "http://127.0.0.1:$port/connect/token" -d grant_type=client_credentials -d "client_id=$CLIENT_ID" \
  -d "client_secret=$CLIENT_SECRET" -d scope=data)
grep -q access_token <<<"$token"
kill "$server_pid"; wait "$server_pid" 2>/dev/null || true; server_pid=""
echo "served the front door and a token"

echo "-- examples/vitest: type check against the installed declarations (NodeNext), then run"
(cd vitest && node "$repo/node_modules/typescript/bin/tsc" -p tsconfig.json)
(cd vitest && NO_COLOR=1 ../node_modules/.bin/vitest run --testTimeout=60000 --hookTimeout=60000)
echo "-- examples/playwright"
(cd playwright && node --test --test-reporter=spec journey.test.mjs)
cd "$repo"
