# quiet.sh, sourced by run.sh and beforeafter.sh: run benchmarks only while the rest of
# the machine is quiet, and redo a run during which it was not.
#
# "Others" is the CPU that processes other than the benchmark used, in cores: measured
# from /proc/stat over a few idle seconds before a run, and over the run itself as the
# machine's busy time less the benchmark's own CPU time. uptime's load average is logged
# beside it but not used: our own benchmark, one or two busy threads, is most of it.
#
#   QUIET_MAX      most cores others may use (default 0.3)
#   QUIET_WAIT     seconds to wait for a quiet machine before running anyway (default 600)
#   QUIET_RETRIES  runs redone when others were busy during the run (default 5); the last
#                  is kept all the same, logged "kept (noisy)"
#   QUIET_LOG      file that gets one line per run (default /dev/stderr)

quiet_max=${QUIET_MAX:-0.3}
quiet_wait=${QUIET_WAIT:-600}
quiet_retries=${QUIET_RETRIES:-5}
quiet_log=${QUIET_LOG:-/dev/stderr}
quiet_hz=$(getconf CLK_TCK)

# quiet_ticks prints the machine's busy and total jiffies (user nice system idle iowait
# irq softirq steal).
quiet_ticks() {
	awk '/^cpu /{ idle = $5 + $6; t = 0; for (i = 2; i <= 9; i++) t += $i; print t - idle, t; exit }' /proc/stat
}

# quiet_now prints how many cores others use, sampled over $1 seconds (default 3) in
# which we run nothing.
quiet_now() {
	local b0 t0 b1 t1
	read -r b0 t0 < <(quiet_ticks)
	sleep "${1:-3}"
	read -r b1 t1 < <(quiet_ticks)
	awk -v b="$((b1 - b0))" -v s="${1:-3}" -v hz="$quiet_hz" 'BEGIN { printf "%.2f", b / hz / s }'
}

# quiet_wait_for waits until others use at most $quiet_max cores, or $quiet_wait
# seconds, and prints what they used when it stopped waiting.
quiet_wait_for() {
	local waited=0 now
	while :; do
		now=$(quiet_now 2)
		if awk -v n="$now" -v m="$quiet_max" 'BEGIN { exit !(n <= m) }' || ((waited >= quiet_wait)); then
			echo "$now"
			return
		fi
		sleep 7
		waited=$((waited + 10))
	done
}

# quiet_run LABEL OUT CMD...: runs CMD once the machine is quiet, appending its standard
# output to OUT, and runs it again (up to $quiet_retries times) when others used more
# than $quiet_max cores during the run; a discarded run's output is dropped. It logs each
# attempt: label, others before and during, load average, wall time. It sets quiet_noisy
# to 1 when the run it kept was not quiet, else 0.
quiet_run() {
	local label=$1 out=$2
	shift 2
	local attempt before b0 t0 b1 t1 wall cpu during tmp timing start end
	tmp=$(mktemp)
	timing=$(mktemp)
	for ((attempt = 0; ; attempt++)); do
		before=$(quiet_wait_for)
		read -r b0 t0 < <(quiet_ticks)
		start=$(date +%s.%N)
		{ TIMEFORMAT='%U %S'; time "$@" > "$tmp"; } 2> "$timing"
		end=$(date +%s.%N)
		read -r b1 t1 < <(quiet_ticks)
		cpu=$(tail -n1 "$timing" | awk '{ print $1 + $2 }')
		wall=$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.1f", b - a }')
		during=$(awk -v b="$((b1 - b0))" -v hz="$quiet_hz" -v c="$cpu" -v w="$wall" \
			'BEGIN { o = (b / hz - c) / w; if (o < 0) o = 0; printf "%.2f", o }')
		local verdict=kept
		if ! awk -v n="$during" -v m="$quiet_max" 'BEGIN { exit !(n <= m) }'; then
			verdict='kept (noisy)'
			if ((attempt < quiet_retries)); then
				verdict=redone
			fi
		fi
		printf '%s\tattempt %d\tothers before %s, during %s cores\tload %s\t%ss\t%s\n' \
			"$label" "$attempt" "$before" "$during" "$(cut -d' ' -f1-3 /proc/loadavg)" "$wall" "$verdict" >> "$quiet_log"
		if [[ $verdict != redone ]]; then
			quiet_noisy=0
			[[ $verdict == kept ]] || quiet_noisy=1
			cat "$tmp" >> "$out"
			rm -f "$tmp" "$timing"
			return
		fi
	done
}
