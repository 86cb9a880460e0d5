#!/usr/bin/env bash
# The test harness itself (lib.sh): a bare `wait` in a test returns when the test's own
# background jobs end, not at the watchdog's limit; and a test that hangs fails at
# QT_TEST_LIMIT with what was running, instead of holding the suite until CI's end.
. "$(dirname "$0")/lib.sh"

sleep 0.2 &
s=$SECONDS
wait
[ $((SECONDS - s)) -le 5 ] || fail "a bare wait took $((SECONDS - s)) s: it waited for the watchdog"
ok "a bare wait returns with the test's own jobs"

# A test that never ends, with a 2 s limit: it must fail, saying why, within seconds.
cat > "$T/t-hangs.sh" <<HANG
. "$(dirname "$0")/lib.sh"
echo hanging
# A grandchild holds the substitution's pipe: killing the children is not enough.
out=\$(sleep 654321; echo done)
ok "not reached"
HANG
s=$SECONDS
rc=0
QT_TEST_LIMIT=2 timeout 60 bash "$T/t-hangs.sh" > "$T/hang.out" 2>&1 || rc=$?
took=$((SECONDS - s))
[ "$rc" = 1 ] || fail "a hung test exited $rc after $took s: $(cat "$T/hang.out")"
[ "$took" -le 30 ] || fail "a hung test with a 2 s limit ran $took s"
grep -q 'still running after 2 s (QT_TEST_LIMIT)' "$T/hang.out" ||
	fail "the watchdog did not say what ran: $(cat "$T/hang.out")"
grep -q 'FAIL: timed out after 2 s' "$T/hang.out" || fail "no FAIL line: $(cat "$T/hang.out")"
grep -q 'not reached' "$T/hang.out" && fail "the hung test went on"
wait_for 10 sh -c '! pgrep -f "sleep 65432[1]"' || fail "the hung test's sleep was left running"
ok "a hung test fails at QT_TEST_LIMIT in ${took} s and says what was running"
