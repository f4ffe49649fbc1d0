#!/usr/bin/env bash
# Serve the replica site on a free loopback port, crawl it into ./archive.db, show the result.
set -euo pipefail
VENV=${VENV:-.venv}
BIN="$VENV/bin"
ARTICLES=${DEMO_ARTICLES:-1000}
SEED=${DEMO_SEED:-1}
DB=${ARCHIVE_PATH:-archive.db}

out=$(mktemp)
"$BIN/python" -m mocksite --port 0 --articles "$ARTICLES" --seed "$SEED" >"$out" &
server=$!
trap 'kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; rm -f "$out"' EXIT

for _ in $(seq 1 200); do
  base=$(head -n 1 "$out")
  [ -n "$base" ] && break
  kill -0 "$server" 2>/dev/null || { echo "mocksite did not start" >&2; exit 1; }
  sleep 0.05
done
[ -n "${base:-}" ] || { echo "mocksite did not print its address" >&2; exit 1; }
echo "Replica of Sputnik France with $ARTICLES articles at $base"

start=$(date +%s%N)
"$BIN/scrapy" crawl sputnik -a "start=$base" -s "ARCHIVE_PATH=$DB" -s LOG_LEVEL=WARNING
end=$(date +%s%N)
ms=$(( (end - start) / 1000000 ))
printf 'Crawl took %d.%03d s\n\n' $((ms / 1000)) $((ms % 1000))

"$BIN/archive" --db "$DB" crawls --limit 3
echo
"$BIN/python" - "$DB" <<'PY'
import sys
from archive import Archive
with Archive(sys.argv[1], readonly=True) as archive:
    counts = archive.counts()
print("Rows in the archive: " + ", ".join(f"{t} {n}" for t, n in counts.items() if not t.startswith("dedupe")))
PY
echo
seed_path=$("$BIN/python" -c "from mocksite.site import Site; s = Site($ARTICLES, $SEED); print(s.article(s.seed_index)['url_path'])")
echo "The seed article as archived:"
"$BIN/archive" --db "$DB" show "$base$seed_path"
