#!/usr/bin/env bash
# End-to-end tests of the front end in headless Chromium, run by .ci/run after
# `cargo test --workspace` (which builds the debug binary used here). Installs
# what is missing from the project's own files: Debian's chromium, and the npm
# packages pinned in web/package-lock.json. churnlens itself never downloads.
#
# Checks, in order: the committed bundles web/dist/report.js and
# web/dist/dashboard.{js,css,html} are what the sources build to; the demo's
# report (en) and a zh report of the same workspace open offline and draw
# every chart; the dashboard, served by `churnlens serve` on a demo workspace,
# works for an admin, an analyst and a viewer (web/e2e/dashboard.e2e.mjs).
# E2E_SCREENSHOTS=DIR keeps the screenshots (docs/ holds the README's).
set -euo pipefail
cd "$(dirname "$0")/.."
# A CJK font, so the zh report's screenshot shows Chinese rather than empty boxes.
if ! command -v chromium >/dev/null || ! fc-list | grep -qi wqy; then
  echo "e2e: installing chromium and a CJK font (apt)"
  SUDO=$([ "$(id -u)" = 0 ] && echo "" || echo sudo)
  $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium fonts-wqy-microhei >/dev/null
fi
if [ ! -d node_modules/playwright-core ] || [ ! -d node_modules/echarts ]; then
  npm ci --no-audit --no-fund
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# The committed bundle must be what the sources build to.
npx tsc --noEmit
npx esbuild src/report.ts --bundle --minify --format=iife --target=es2019 --legal-comments=eof --charset=utf8 --log-level=warning --outfile="$tmp/report.js"
if ! cmp -s "$tmp/report.js" dist/report.js; then
  echo "e2e: web/dist/report.js is not what web/src builds to; run 'npm run build' in web/ and commit it" >&2
  exit 1
fi
echo "ok   web/dist/report.js matches web/src"
npx esbuild src/dashboard.ts --bundle --minify --format=iife --target=es2019 --legal-comments=eof --charset=utf8 --log-level=warning --outfile="$tmp/dashboard.js"
npx esbuild src/dashboard.css --bundle --minify --charset=utf8 --log-level=warning --outfile="$tmp/dashboard.css"
cp src/dashboard.html "$tmp/dashboard.html"
for file in dashboard.js dashboard.css dashboard.html; do
  if ! cmp -s "$tmp/$file" "dist/$file"; then
    echo "e2e: web/dist/$file is not what web/src builds to; run 'npm run build' in web/ and commit it" >&2
    exit 1
  fi
done
echo "ok   web/dist/dashboard.{js,css,html} match web/src"

bin="${CHURNLENS_BIN:-${CARGO_TARGET_DIR:-$HOME/.cache/churnlens/target}/debug/churnlens}"
"$bin" demo -w "$tmp/ws" --customers 2000 --lang en >/dev/null
"$bin" report -w "$tmp/ws" --lang zh --tz Asia/Shanghai -o "$tmp/report-zh.html" >/dev/null
node e2e/report.e2e.mjs "${E2E_SCREENSHOTS:-$tmp/shots}" en="$tmp/ws/report.html" zh="$tmp/report-zh.html"
node e2e/dashboard.e2e.mjs "${E2E_SCREENSHOTS:-$tmp/shots}" "$bin"
