#!/usr/bin/env bash
# Serve the replica site on a fixed loopback port, crawl it into ./archive.db, show the result.
#
# The first run archives the replica. Every later run (same archive, same address) shows the
# archive's memory: the replica crawled again as the archive last saw it (only what is due is
# fetched: the rest counts as not_due), then the replica as it is a week later (new articles,
# edits, unpublished ones) and the history of an edited article.
set -euo pipefail
VENV=${VENV:-.venv}
BIN="$VENV/bin"
ARTICLES=${DEMO_ARTICLES:-1000}
SEED=${DEMO_SEED:-1}
# One address for every run: the replica's URLs are the archive's keys, so a replica on
# another port would be other articles (each stored again, as an alias of the first).
PORT=${DEMO_PORT:-8765}
# Replica days between two runs of the demo: a week has edits and unpublished articles.
STEP=${DEMO_DAYS:-7}
DB=${ARCHIVE_PATH:-archive.db}
MAX_DAY=300

out=$(mktemp)
err=$(mktemp)
server=""
stop() {
  if [ -n "$server" ]; then
    kill "$server" 2>/dev/null || true
    wait "$server" 2>/dev/null || true
    server=""
  fi
}
trap 'stop; rm -f "$out" "$err"' EXIT

# serve DAY PORT: start the replica as it is on DAY; sets $server and $base, fails if the
# replica could not listen on PORT.
serve() {
  : >"$out"
  "$BIN/python" -m mocksite --port "$2" --articles "$ARTICLES" --seed "$SEED" --day "$1" \
    >"$out" 2>"$err" &
  server=$!
  base=""
  for _ in $(seq 1 200); do
    base=$(head -n 1 "$out")
    [ -n "$base" ] && return 0
    kill -0 "$server" 2>/dev/null || { server=""; return 1; }
    sleep 0.05
  done
  echo "mocksite did not print its address" >&2
  exit 1
}

crawl() {
  local start end ms
  start=$(date +%s%N)
  "$BIN/scrapy" crawl sputnik -a "start=$base" -s "ARCHIVE_PATH=$DB" -s LOG_LEVEL=WARNING
  end=$(date +%s%N)
  ms=$(( (end - start) / 1000000 ))
  printf 'Crawl took %d.%03d s\n\n' $((ms / 1000)) $((ms % 1000))
}

# The finished crawls of this replica the archive holds say which day it last saw: the
# first run crawls day 1, each later one the day it last saw, then STEP days later.
earlier=0
if [ -f "$DB" ]; then
  earlier=$("$BIN/archive" --db "$DB" sql --json -p "start=http://127.0.0.1:$PORT" \
    "SELECT count(*) AS n FROM crawls WHERE status = 'finished'
       AND json_extract(arguments, '\$.start') = :start" |
    "$BIN/python" -c 'import json, sys; print(json.load(sys.stdin)[0]["n"])')
fi
day=$(( 1 + (earlier > 0 ? (earlier - 1) / 2 : 0) * STEP ))
day=$(( day < MAX_DAY ? day : MAX_DAY ))

if ! serve "$day" "$PORT"; then
  tail -n 1 "$err" >&2
  echo "127.0.0.1:$PORT is not free: serving the replica on a free port instead. Its" \
    "articles then have other URLs than in an earlier demo (stored again, as aliases); set" \
    "DEMO_PORT to a free port to keep one address."
  earlier=0
  day=1
  serve 1 0
fi

if [ "$earlier" -eq 0 ]; then
  echo "Replica of Sputnik France with $ARTICLES articles at $base"
  crawl
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
  echo
  echo "Run the demo again: the archive remembers what it has, and the replica moves on."
  exit 0
fi

later=$(( day + STEP < MAX_DAY ? day + STEP : MAX_DAY ))
echo "Replica of Sputnik France with $ARTICLES articles at $base, day $day, as the archive last saw it"
echo "Crawled again, it fetches only what is due: the rest is not_due."
crawl
"$BIN/archive" --db "$DB" crawls --limit 1
echo

stop
serve "$later" "${base##*:}" || { echo "the replica could not listen on $base again" >&2; exit 1; }
echo "The same replica $STEP days later (day $later): new articles, edited ones, unpublished ones"
crawl
"$BIN/archive" --db "$DB" crawls --limit 3
echo

# An article this crawl stored a new version of, one whose title changed first.
edited=$("$BIN/archive" --db "$DB" sql --json \
  "SELECT now.article_id AS id FROM versions AS now
     JOIN versions AS before ON before.article_id = now.article_id
      AND before.number = now.number - 1
    WHERE now.crawl_id = (SELECT max(id) FROM crawls)
    ORDER BY before.title = now.title, length(now.body), now.article_id LIMIT 1" |
  "$BIN/python" -c 'import json, sys; rows = json.load(sys.stdin); print(rows[0]["id"] if rows else "")')
if [ -n "$edited" ]; then
  echo "History of an edited article (archive history $edited):"
  "$BIN/archive" --db "$DB" history "$edited"
fi
