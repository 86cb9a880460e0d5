#!/usr/bin/env bash
# Build the libFuzzer targets in build-fuzz/ (CC=clang --enable-fuzz, configured once)
# and run each for SECONDS (default 30) on its seed corpus, QT_FUZZ_JOBS (default 2)
# at a time. One line per target with its exec count; any crash, leak, sanitizer
# report or timeout (-timeout=10) fails the run with the input's path and the
# report's tail. New inputs go to build-fuzz/fuzz-out/corpus/NAME (kept between
# runs, so a long run continues where the last one stopped), results to
# build-fuzz/fuzz-out/results ("PASS NAME" / "FAIL NAME", for tests/run.sh).
#
#   tests/fuzz/run.sh                 # every target, 30 s each (the suite's step)
#   tests/fuzz/run.sh 1800            # the long run
#   tests/fuzz/run.sh 600 term qmp    # some targets
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
secs=${1:-30}
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(qmp profile settings theme term)
jobs=${QT_FUZZ_JOBS:-2}
case "$secs" in ''|*[!0-9]*) echo "usage: tests/fuzz/run.sh [SECONDS] [TARGET...]" >&2; exit 2;; esac

cd "$root"
[ -x configure ] && [ configure -nt configure.ac ] && [ configure -nt Makefile.am ] || autoreconf -fi >/dev/null
mkdir -p build-fuzz
cd build-fuzz
[ -f Makefile ] || CC=clang ../configure --quiet --enable-fuzz
make -s -j"$(nproc)" $(printf 'tests/fuzz/fuzz_%s ' "${targets[@]}")

out=$PWD/fuzz-out
mkdir -p "$out/artifacts"
: > "$out/results"
# UBSan reports are crashes too (the tree is built with -fno-sanitize-recover;
# this covers a hand-configured one).
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}

run_one() {
	local name=$1 log=$out/$1.log max_len=4096 rc=0 execs input first
	[ "$name" = qmp ] && max_len=8192
	mkdir -p "$out/corpus/$name"
	# timeout(1) only as a last resort: libFuzzer stops itself after secs.
	timeout -k 10 $((secs + 120)) "tests/fuzz/fuzz_$name" -max_total_time="$secs" \
		-timeout=10 -max_len=$max_len -rss_limit_mb=2048 -print_final_stats=1 \
		-artifact_prefix="$out/artifacts/$name-" \
		"$out/corpus/$name" "$root/tests/fuzz/corpus/$name" > "$log" 2>&1 || rc=$?
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
	[ -n "$execs" ] || execs=$(grep -oE '^#[0-9]+' "$log" | tail -n 1 | tr -d '#')
	if [ $rc -eq 0 ] && ! grep -qE '^(==[0-9]+==ERROR|SUMMARY: )' "$log"; then
		echo "PASS: fuzz $name: ${execs:-0} execs in ${secs} s"
		echo "PASS $name" >> "$out/results"
	else
		input=$(sed -n 's/.*Test unit written to //p' "$log" | tail -n 1)
		echo "FAIL: fuzz $name (exit $rc after ${execs:-?} execs): input ${input:-none written}; log $log"
		# The report from a little before its first line (what the target
		# printed before it aborted), cut after 60 lines.
		first=$(grep -nE 'ERROR|runtime error|ALARM|deadly signal|out-of-memory' "$log" | head -n 1 | cut -d: -f1)
		first=${first:-1}
		tail -n +$((first > 5 ? first - 5 : 1)) "$log" | grep -v '^#[0-9]' | head -n 60 | sed "s/^/  $name| /"
		echo "FAIL $name" >> "$out/results"
	fi
}

running=0
for name in "${targets[@]}"; do
	[ -x "tests/fuzz/fuzz_$name" ] || { echo "no fuzz target $name" >&2; exit 2; }
	if [ $running -ge "$jobs" ]; then
		wait -n || true
		running=$((running - 1))
	fi
	run_one "$name" &
	running=$((running + 1))
done
wait
! grep -q '^FAIL' "$out/results"
