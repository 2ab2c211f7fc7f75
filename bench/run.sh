#!/usr/bin/env bash
# run.sh measures everything bench/README.md reports, on this machine, in one go:
# the accessor benchmarks (benchstat over -count runs), the chart, and the generator
# benchmarks. Results go to bench/results/.
#
#   bench/run.sh            # full: -count=10, 7 runs of each command
#   COUNT=1 RUNS=1 bench/run.sh   # a quick pass
#
# The accessor benchmarks run one -count at a time, each only while the rest of the
# machine is quiet, and again if it was not (quiet.sh; QUIET_MAX, QUIET_WAIT and
# QUIET_RETRIES tune it). results/load.txt logs every run.
set -euo pipefail
cd "$(dirname "$0")"
count=${COUNT:-10}
benchtime=${BENCHTIME:-0.5s}
runs=${RUNS:-7}
mkdir -p results
bin=$(mktemp -d)
trap 'rm -rf "$bin"' EXIT
export QUIET_LOG=$PWD/results/load.txt
: > "$QUIET_LOG"
# shellcheck source=quiet.sh
source ./quiet.sh

{
	echo "go: $(go version)"
	echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //') ($(nproc) cores)"
	echo "date: $(date -u +%Y-%m-%d)"
} > results/machine.txt
cat results/machine.txt

echo "== accessors: go test -bench, count=$count" >&2
go test -c -o "$bin/accessors.test" ./accessors
: > results/accessors.txt
: > results/accessors-cpu1.txt
# One benchmark function at a time, so that a run redone for noise is short.
mapfile -t benchmarks < <("$bin/accessors.test" -test.list '^Benchmark')
for ((i = 1; i <= count; i++)); do
	echo "== accessors: round $i of $count" >&2
	for name in "${benchmarks[@]}"; do
		quiet_run "$name $i" results/accessors.txt \
			"$bin/accessors.test" -test.run '^$' -test.bench "^$name\$" -test.benchmem -test.benchtime "$benchtime" -test.count 1
		if [[ $name == *Parallel ]]; then
			quiet_run "$name -cpu 1 $i" results/accessors-cpu1.txt \
				"$bin/accessors.test" -test.run '^$' -test.bench "^$name\$" -test.benchmem -test.benchtime "$benchtime" -test.count 1 -test.cpu 1
		fi
	done
done
go tool benchstat results/accessors.txt > results/accessors-benchstat.txt
go tool benchstat -col /approach results/accessors.txt > results/accessors-by-approach.txt || true
{
	go build -gcflags=-m ./accessors 2>&1
	echo "# Call sites in the benchmarks that the compiler inlined (go test -c -gcflags=-m):"
	go test -c -o /dev/null -gcflags=-m ./accessors 2>&1 | grep '_test.go:.*inlining call to Get\|_test.go:.*inlining call to (\*.*Manager).Get$'
} > results/inlining.txt || true
go run ./chart < results/accessors.txt > accessors.svg

echo "== generator: $runs runs of each command" >&2
go build -o "$bin/singletongen" github.com/singletongen/singletongen/cmd/singletongen
go build -o "$bin/stringer" golang.org/x/tools/cmd/stringer
go build -o "$bin/loadfloor" ./internal/loadfloor
go build -o "$bin/genbench" ./genbench
: > results/generator.md
quiet_retries=1 # a run of genbench takes minutes: redo it once at most
quiet_run "generator" results/generator.md "$bin/genbench" -runs "$runs" -bin "$bin"
cat results/generator.md
