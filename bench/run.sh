#!/usr/bin/env bash
# run.sh measures everything bench/README.md reports, on this machine, in one go:
# the accessor benchmarks (benchstat over -count runs), the chart, and the generator
# benchmarks. Results go to bench/results/.
#
#   bench/run.sh            # full: -count=10, 7 runs of each command
#   COUNT=1 RUNS=1 bench/run.sh   # a quick pass
set -euo pipefail
cd "$(dirname "$0")"
count=${COUNT:-10}
benchtime=${BENCHTIME:-0.5s}
runs=${RUNS:-7}
mkdir -p results
bin=$(mktemp -d)
trap 'rm -rf "$bin"' EXIT

{
	echo "go: $(go version)"
	echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //') ($(nproc) cores)"
	echo "date: $(date -u +%Y-%m-%d)"
} > results/machine.txt
cat results/machine.txt

echo "== accessors: go test -bench, count=$count" >&2
go test -run '^$' -bench . -benchmem -benchtime "$benchtime" -count "$count" ./accessors | tee results/accessors.txt
go test -run '^$' -bench Parallel -benchmem -benchtime "$benchtime" -count "$count" -cpu 1 ./accessors > results/accessors-cpu1.txt
go tool benchstat results/accessors.txt > results/accessors-benchstat.txt
go tool benchstat -col /approach results/accessors.txt > results/accessors-by-approach.txt || true
go build -gcflags=-m ./accessors 2> results/inlining.txt || true
go run ./chart < results/accessors.txt > accessors.svg

echo "== generator: $runs runs of each command" >&2
go build -o "$bin/singletongen" github.com/singletongen/singletongen/cmd/singletongen
go build -o "$bin/stringer" golang.org/x/tools/cmd/stringer
go build -o "$bin/loadfloor" ./internal/loadfloor
go run ./genbench -runs "$runs" -bin "$bin" | tee results/generator.md
