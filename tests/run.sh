#!/usr/bin/env bash
# The whole test suite: build with ASan+UBSan and -Werror, build the test guests,
# run unit and integration tests (make check), then the unit tests under valgrind and
# the fuzz targets for 30 s each (tests/fuzz/run.sh; QT_SKIP_FUZZ=1 skips them, not under CI).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
QT_RECONFIGURE=1 tests/build.sh --enable-asan --enable-werror
tests/guest/build.sh all
cd build
rc=0
vg_pass=0
vg_fail=0
make -s -j"$(nproc)" check || rc=$?
for t in tests/unit/*.log tests/integration/*.log; do
	[ -f "$t" ] || continue
	case "$(tail -n 1 "${t%.log}.trs" 2>/dev/null)" in *":test-result: FAIL"*|*"ERROR"*) echo "=== $t"; tail -n 60 "$t";; esac
done
# Valgrind wants a build without ASan: a second, plain tree for the unit tests only.
if [ $rc -eq 0 ] && [ "${QT_SKIP_VALGRIND:-}" != 1 ]; then
	mkdir -p "$root/build-valgrind"
	( cd "$root/build-valgrind" && { [ -f Makefile ] || ../configure --quiet; } &&
	  make -s -j"$(nproc)" tests/unit/test_profile tests/unit/test_argv tests/unit/test_qmp tests/unit/test_layout tests/unit/test_theme tests/unit/test_settings tests/unit/test_ssh tests/unit/test_term tests/unit/test_image tests/unit/test_vm tests/unit/test_cmd tests/unit/test_stream tests/unit/test_orphan tests/unit/test_expect )
	for t in "$root"/build-valgrind/tests/unit/test_*; do
		case "$t" in *.c|*.o|*.log|*.trs) continue;; esac
		[ -x "$t" ] || continue
		if CK_FORK=no top_srcdir="$root" valgrind -q --leak-check=full --errors-for-leak-kinds=definite \
			--error-exitcode=99 "$t" > "$t.valgrind.log" 2>&1; then
			echo "PASS: valgrind $(basename "$t")"
			vg_pass=$((vg_pass + 1))
		else
			echo "FAIL: valgrind $(basename "$t") (see $t.valgrind.log)"; tail -n 40 "$t.valgrind.log"; rc=1
			vg_fail=$((vg_fail + 1))
		fi
	done
fi
# The libFuzzer targets, a short fixed time each, in their own clang tree (build-fuzz/);
# one test per target in the closing line.
fz_pass=0
fz_fail=0
if [ "${QT_SKIP_FUZZ:-}" = 1 ] && [ "${CI:-}" = true ]; then
	echo "QT_SKIP_FUZZ=1 is ignored under CI=true"
fi
if [ "${QT_SKIP_FUZZ:-}" != 1 ] || [ "${CI:-}" = true ]; then
	fz_results=$root/build-fuzz/fuzz-out/results
	rm -f "$fz_results"
	fz_rc=0
	"$root/tests/fuzz/run.sh" "${QT_FUZZ_SECONDS:-30}" || fz_rc=$?
	fz_pass=$(grep -c '^PASS' "$fz_results" 2>/dev/null || true)
	fz_fail=$(grep -c '^FAIL' "$fz_results" 2>/dev/null || true)
	fz_pass=${fz_pass:-0} fz_fail=${fz_fail:-0}
	# A failure with no failed target (the build) is one failed test.
	[ "$fz_rc" -eq 0 ] || { rc=1; [ "$fz_fail" -gt 0 ] || fz_fail=1; }
fi
# One closing line in the plain form, counted from automake's results.
count() { cat tests/*/*.trs 2>/dev/null | grep -cE "^:test-result: ($1)" || true; }
pass=$(( $(count PASS) + vg_pass + fz_pass ))
fail=$(( $(count 'FAIL|ERROR|XPASS') + vg_fail + fz_fail ))
skip=$(count SKIP)
if [ "${CI:-}" = true ] && [ "$skip" -gt 0 ]; then
	echo "skipped tests are failures under CI=true:"; grep -l '^:test-result: SKIP' tests/*/*.trs
	rc=1
fi
echo "tests: $pass passed, $fail failed, $skip skipped"
[ "$fail" -eq 0 ] || rc=1
exit $rc
