#!/usr/bin/env bash
# Bad and edge inputs to the real commands (issue 17): for each, the documented exit code, at most
# one line on stderr, no stack trace, and no temporary file left behind. Pipes closed early,
# unwritable and missing paths, a read-only and a full file system (a tiny tmpfs, skipped with a
# message when `mount -t tmpfs` is not allowed), signals, kill -9, merges with gaps.
#
#   bash scenarios/cli/edge-inputs.sh        (from the repository root; scenarios/cli/edge-inputs.test.ts runs it)
#
# Prints one line per case ("ok" or "FAIL") and exits 1 if any case failed.
set -u
cd "$(dirname "$0")/../.." || exit 2

WORK=$(mktemp -d /tmp/raftsim-edge-XXXXXX)
MNT="$WORK/mnt"
mounted=""
cleanup() {
  [ -n "$mounted" ] && umount "$MNT" 2>/dev/null
  rm -rf "$WORK"
}
trap cleanup EXIT

NODE=(node --single-threaded-gc --import tsx)
SIM=("${NODE[@]}" scenarios/cli/sim.ts)
export NO_COLOR=1
failures=0
cases=0

# Temporary files of processes that no longer run: leftovers (a running process may own others).
leftovers() {
  local dir name pid
  for dir in "$@"; do
    [ -d "$dir" ] || continue
    for name in "$dir"/.*.raftsim-*.tmp "$dir"/*.jsonl.[0-9]*.tmp "$dir"/*.html.[0-9]*.tmp; do
      [ -e "$name" ] || continue
      pid=$(basename "$name" | sed -nE 's/.*\.raftsim-([0-9]+)-[0-9]+\.tmp$/\1/p; s/.*\.([0-9]+)\.tmp$/\1/p' | head -1)
      if [ -z "$pid" ] || ! kill -0 "$pid" 2>/dev/null; then echo "$name"; fi
    done
  done
}

# report NAME EXPECTED CODE ERRFILE: judges one finished case.
report() {
  local name=$1 expected=$2 code=$3 err=$4 problems="" lines left
  cases=$((cases + 1))
  lines=$(grep -c '' "$err")
  [ "$code" = "$expected" ] || problems="$problems exit $code, expected $expected;"
  [ "$lines" -le 1 ] || problems="$problems $lines lines on stderr;"
  if grep -qE '^ +at |Error: |node:internal' "$err"; then problems="$problems a stack trace;"; fi
  left=$(leftovers "$WORK" "$WORK/out" "$MNT" reports/runs / /tmp | tr '\n' ' ')
  [ -z "$left" ] || problems="$problems temporary files left: $left;"
  if [ -z "$problems" ]; then
    printf 'ok    %-58s exit %-3s %s\n' "$name" "$code" "$(head -c 150 "$err")"
  else
    failures=$((failures + 1))
    printf 'FAIL  %-58s%s stderr: %s\n' "$name" "$problems" "$(head -c 300 "$err" | tr '\n' '|')"
  fi
}

# check NAME EXPECTED COMMAND: queues COMMAND (bash; with pipefail a pipeline's code is its last
# failing command's: head never fails, so it is the CLI's); run_checks runs the queue, JOBS at a time.
names=()
expects=()
commands=()
check() {
  names+=("$1")
  expects+=("$2")
  commands+=("$3")
}
JOBS=${RAFTSIM_EDGE_JOBS:-3}
run_checks() {
  local i
  for i in "${!commands[@]}"; do
    (timeout 120 bash -c "set -o pipefail; ${commands[$i]}" >"$WORK/case-$i.out" 2>"$WORK/case-$i.err"; echo $? >"$WORK/case-$i.code") &
    while [ "$(jobs -rp | wc -l)" -ge "$JOBS" ]; do wait -n; done
  done
  wait
  for i in "${!commands[@]}"; do report "${names[$i]}" "${expects[$i]}" "$(cat "$WORK/case-$i.code")" "$WORK/case-$i.err"; done
  names=()
  expects=()
  commands=()
}
# once NAME EXPECTED COMMAND: runs one case now.
once() {
  check "$@"
  run_checks
}

q() { printf '%q ' "$@"; }
S=$(q "${SIM[@]}")
R=$(q "${NODE[@]}" scenarios/cli/report.ts)
P=$(q "${NODE[@]}" scenarios/cli/replay.ts)
B=$(q "${NODE[@]}" scenarios/cli/bench.ts)
C=$(q "${NODE[@]}" scenarios/cli/check.ts)

mkdir -p "$WORK/out"
# Fixtures: a passing trace, a failing one, a diverging copy, sweep results with a gap.
"${SIM[@]}" --seed 7 --time 1s --trace "$WORK/pass.trace.jsonl" >/dev/null 2>&1 &
"${SIM[@]}" --seed 2 --bug commitindex-regress --time 1s --trace "$WORK/fail.trace.jsonl" >/dev/null 2>&1 &
"${SIM[@]}" --seeds 1..3 --time 1s --json >"$WORK/a.ndjson" 2>/dev/null &
"${SIM[@]}" --seeds 5..6 --time 1s --json >"$WORK/b.ndjson" 2>/dev/null &
wait
sed '1s/"seed":"7"/"seed":"8"/' "$WORK/pass.trace.jsonl" >"$WORK/diverge.trace.jsonl"
: >"$WORK/empty.ndjson"

# A closed stdout ends the program quietly with exit 0.
check 'sweep --json | head -1'                    0 "$S --seeds 1..200 --time 1s --json | head -1"
check 'single run | head -1'                      0 "$S --seed 42 --time 1s | head -1"
check 'merge | head -1'                           0 "$S merge $WORK/a.ndjson | head -1"
check 'replay --print | head -1'                  0 "$P $WORK/pass.trace.jsonl --print --at end | head -1"
check 'report --help | head -1'                   0 "$R --help | head -1"
check 'sim --list-bugs | head -1'                 0 "$S --list-bugs | head -1"
check 'stdout on /dev/full: exit 2, one line'     2 "$S --seed 1 --time 1s >/dev/full"
# Output paths: checked before the run, exit 2 with one line.
check '--history-out /proc/h.jsonl'               2 "$S --seed 42 --history-out /proc/h.jsonl"
check '--trace on a folder'                       2 "$S --seed 42 --trace /tmp"
check '--trace under /proc (no folder there)'     2 "$S --seed 42 --trace /proc/nope/t.trace.jsonl"
check '--history-out /dev/null (not a file)'      2 "$S --seed 42 --time 1s --history-out /dev/null"
check 'report --out /tmp (a folder)'              2 "$R $WORK/pass.trace.jsonl --out /tmp"
check 'report --out under /proc'                  2 "$R $WORK/pass.trace.jsonl --out /proc/r.html"
check '--trace into a missing folder: made'       0 "$S --seed 3 --time 1s --trace $WORK/out/new/deeper/t.trace.jsonl"
# Values.
check '--seed -5 (negative seed)'                 0 "$S --seed -5 --time 1s"
check '--time -1s: range error'                   2 "$S --time -1s"
check '--clients -1: range error'                 2 "$S --clients -1"
check '--seed without a value'                    2 "$S --seed"
check '--nodes 10'                                2 "$S --nodes 10"
check '--seeds 1..3 --trace x'                    2 "$S --seeds 1..3 --trace $WORK/x.jsonl"
# Replays.
check '--replay of a passing trace'               0 "$S --replay $WORK/pass.trace.jsonl"
check '--replay reproduces a failure'             1 "$S --replay $WORK/fail.trace.jsonl"
check '--replay that diverges: exit 5'            5 "$S --replay $WORK/diverge.trace.jsonl"
check '--replay with --schedule'                  2 "$S --replay $WORK/pass.trace.jsonl --schedule $WORK/s.json"
check 'replay without a terminal or --print'      2 "$P $WORK/pass.trace.jsonl"
check 'report of a file that is not a trace'      2 "$R $WORK/a.ndjson"
check 'bench --help'                              0 "$B --help"
check 'check of a missing history'                2 "$C $WORK/missing.jsonl"
# Merges.
check 'merge of one complete sweep'               0 "$S merge $WORK/a.ndjson"
check 'merge with a gap (seed 4)'                 2 "$S merge $WORK/a.ndjson $WORK/b.ndjson"
check 'merge of a file given twice'               2 "$S merge $WORK/a.ndjson $WORK/a.ndjson"
check 'merge of an empty file'                    2 "$S merge $WORK/empty.ndjson"
check 'merge --seeds 1..6 missing 4'              2 "$S merge --seeds 1..6 $WORK/a.ndjson $WORK/b.ndjson"
check 'merge of a missing file'                   2 "$S merge $WORK/none.ndjson"
run_checks

# Signals: a single run stopped by SIGINT or SIGTERM says where it was, removes its temporary
# trace and exits 130 or 143. kill -9 cannot be caught: the next write in that folder removes it.
signal_case() {
  local name=$1 signal=$2 expected=$3 trace=$4 code i
  "${SIM[@]}" --seed 42 --time 1h --trace "$trace" >"$WORK/stdout" 2>"$WORK/stderr" &
  local pid=$!
  for i in $(seq 1 200); do
    if ls -a "$(dirname "$trace")" | grep -q "raftsim-$pid-"; then break; fi
    sleep 0.1
  done
  sleep 0.5
  kill -s "$signal" "$pid"
  wait "$pid"
  code=$?
  report "$name" "$expected" "$code" "$WORK/stderr"
}
signal_case 'Ctrl-C (SIGINT) on a single run'          INT 130 "$WORK/int.trace.jsonl"
grep -qE '^interrupted \(SIGINT\) (during the run at simulated|before the run finished)' "$WORK/stderr" || { failures=$((failures + 1)); echo 'FAIL  the interrupted run does not say where it was'; }
signal_case 'SIGTERM on a single run'                  TERM 143 "$WORK/term.trace.jsonl"
# kill -9: the temporary trace stays until the next run writes beside it.
"${SIM[@]}" --seed 42 --time 1h --trace "$WORK/killed.trace.jsonl" >/dev/null 2>&1 &
pid=$!
for i in $(seq 1 200); do ls -a "$WORK" | grep -q "raftsim-$pid-" && break; sleep 0.1; done
kill -9 "$pid"; wait "$pid" 2>/dev/null
[ -n "$(leftovers "$WORK")" ] || echo 'note: kill -9 came before the trace file was made'
once 'after kill -9, the next run there cleans up'   0 "$S --seed 3 --time 1s --trace $WORK/next.trace.jsonl"

# A read-only and a full file system: a tmpfs of 64 KB.
mkdir -p "$MNT"
if mount -t tmpfs -o size=64k tmpfs "$MNT" 2>/dev/null; then
  mounted=yes
  # Full: a filler takes every block; a new file still gets an inode, so the write itself fails.
  dd if=/dev/zero of="$MNT/filler" bs=4k >/dev/null 2>&1
  once 'full disk: --trace'          2 "$S --seed 9 --time 1s --trace $MNT/t.trace.jsonl"
  once 'full disk: report'                         2 "$R $WORK/pass.trace.jsonl --out $MNT/r.html"
  once 'full disk: --history-out'                  2 "$S --seed 9 --time 1s --history-out $MNT/h.jsonl"
  mount -o remount,ro "$MNT" 2>/dev/null
  once 'read-only file system: --trace'            2 "$S --seed 9 --time 1s --trace $MNT/ro.trace.jsonl"
else
  echo "skipped: the full and read-only file system cases (mount -t tmpfs is not allowed here)"
fi

echo "$cases cases, $failures failed"
[ "$failures" -eq 0 ]
