#!/usr/bin/env bash
# beforeafter.sh compares the accessors benchmarks of two test binaries, built from two
# versions of the code, in one run: it alternates them (before, after, before, ...), one
# -count each time, each run only while the rest of the machine is quiet (quiet.sh), and
# keeps a round only when both of its runs were: a round in which either stayed noisy
# after quiet.sh's retries is dropped and run again. It writes the raw results to
# results/before.txt and results/after.txt, the log of every run to
# results/before-after-load.txt, and benchstat's comparison with that log to
# results/before-after.txt.
#
#   go test -c -o /tmp/after.test ./accessors
#   bench/beforeafter.sh /tmp/before.test /tmp/after.test   # ROUNDS=8 clean rounds
#   APPEND=1 ROUNDS=2 bench/beforeafter.sh ...              # two more, added to the results
#
# The "before" of bench/README.md is the code before the shared runtime (2c5796a):
#   git -C .. worktree add --detach /tmp/bench-before 2c5796a
#   (cd /tmp/bench-before/bench && go test -c -o /tmp/before.test ./accessors)
#   git -C .. worktree remove /tmp/bench-before
set -euo pipefail
cd "$(dirname "$0")"
before=$1
after=$2
rounds=${ROUNDS:-8}
benchtime=${BENCHTIME:-0.5s}
bench=${BENCH:-'^Benchmark(NoArg|NoArgErr|StringArg|Context|Keyed|FirstCall|Thundering)$'}
mkdir -p results
export QUIET_LOG=$PWD/results/before-after-load.txt
if [[ ${APPEND:-} != 1 ]]; then
	: > results/before.txt
	: > results/after.txt
	: > "$QUIET_LOG"
fi
# shellcheck source=quiet.sh
source ./quiet.sh
args=(-test.run '^$' -test.bench "$bench" -test.benchmem -test.benchtime "$benchtime" -test.count 1)
b=$(mktemp)
a=$(mktemp)
trap 'rm -f "$b" "$a"' EXIT
kept=0
for ((i = 1; kept < rounds && i <= 3 * rounds; i++)); do
	echo "== round $i: $kept of $rounds kept so far" >&2
	: > "$b"
	: > "$a"
	quiet_run "before" "$b" "$before" "${args[@]}"
	noisy=$quiet_noisy
	quiet_run "after" "$a" "$after" "${args[@]}"
	if ((noisy || quiet_noisy)); then
		echo "round dropped: a run was noisy" >> "$QUIET_LOG"
		continue
	fi
	cat "$b" >> results/before.txt
	cat "$a" >> results/after.txt
	kept=$((kept + 1))
	echo "round kept" >> "$QUIET_LOG"
done
{
	echo "# bench/beforeafter.sh: rounds of one run each, alternating, -benchtime $benchtime"
	echo "# before: $before ($(date -u -r "$before" '+%Y-%m-%d %H:%M UTC'))"
	echo "# after:  $after ($(date -u -r "$after" '+%Y-%m-%d %H:%M UTC'))"
	echo "# $(go version), $(nproc) cores, $(date -u +%Y-%m-%d)"
	echo
	go tool benchstat before=results/before.txt after=results/after.txt
	echo
	echo "# Every run, as quiet.sh logged it (others: cores that other processes used)."
	cat "$QUIET_LOG"
} > results/before-after.txt
cat results/before-after.txt
