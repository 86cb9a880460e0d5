#!/usr/bin/env bash
# `qemu-tui console NAME --send/--expect/--script` against the aarch64 test guest booted
# with qt_login=1 (a getty with a password on the serial console): a script logs in,
# runs a command and checks its output; a wrong expectation fails with the last lines
# seen; output from before a send (or from before attaching) never meets an expect.
. "$(dirname "$0")/lib.sh"
need_guest aarch64
guest_profile login aarch64 '"append": "console=ttyAMA0 quiet qt_login=1"'
log() { tr -d '\r' < "$(rundir login)/serial.log"; }
login_prompt() { log | grep -q 'login: *$'; }

# Usage errors before anything is attached.
out=$(qt console login --send 'a\q' --expect x 2>&1; echo "rc=$?")
grep -qF 'unknown escape \q' <<<"$out" && grep -q 'rc=2$' <<<"$out" || fail "bad escape: $out"
out=$(qt console login --expect 'a(' 2>&1; echo "rc=$?")
grep -qF 'step 1, --expect: bad regular expression "a("' <<<"$out" && grep -q 'rc=2$' <<<"$out" ||
	fail "bad regex: $out"
printf 'expect login:\nsned root\\n\n' > "$T/bad.script"
out=$(qt console login --script "$T/bad.script" 2>&1; echo "rc=$?")
grep -qF "$T/bad.script:2: unknown step \"sned\" (send, expect or timeout)" <<<"$out" &&
	grep -q 'rc=2$' <<<"$out" || fail "bad script: $out"
out=$(qt console login --timeout 3 2>&1; echo "rc=$?")
grep -qF -- '--timeout is for --expect and --script' <<<"$out" || fail "--timeout alone: $out"
ok "usage errors: a bad escape, a bad regex, a bad script line, --timeout alone (exit 2)"

qt start login >/dev/null || fail "start"
wait_for 240 login_prompt || fail "no login prompt on the console: $(log | tail -5)"

# The prompt came before we attached: it does not count (no history).
t0=$SECONDS
out=$(qt console login --expect 'login:' --timeout 3 2>&1 >/dev/null; echo "rc=$?")
grep -q 'rc=1$' <<<"$out" || fail "an expect met by the history: $out"
grep -qF 'qemu-tui: login: no match within 3 s while waiting for /login:/ (step 1, --expect)' <<<"$out" ||
	fail "timeout message: $out"
[ $((SECONDS - t0)) -ge 3 ] || fail "gave up before its timeout"
ok "output from before attaching never meets an expect (timed out, exit 1)"

cat > "$T/login.script" <<'SCRIPT'
# Log in on the serial getty (busybox), then run one command.
timeout 60
send \r
expect login:
send root\n
expect Password:
send qemu-tui\n
expect # $

	# the echo of the command line never has 42 in it
send echo $((6*7))\n
expect ^42$
SCRIPT
qt console login --script "$T/login.script" > "$T/out" 2> "$T/err" ||
	fail "the login script failed: $(cat "$T/err"); stdout: $(cat -v "$T/out")"
tr -d '\r' < "$T/out" | grep -qx '42' || fail "no 42 in the transcript: $(cat -v "$T/out")"
[ ! -s "$T/err" ] || fail "stderr after success: $(cat "$T/err")"
log | grep -qx '42' || fail "no 42 in serial.log"
ok "a script logs in (login:, root, Password:, qemu-tui), runs echo \$((6*7)) and sees 42 (exit 0)"

# A wrong expectation: exit 1 and the last lines seen, control sequences stripped.
out=$(qt console login --send 'echo $((6*7))\n' --expect '^43$' --timeout 3 2>&1 >/dev/null; echo "rc=$?")
grep -q 'rc=1$' <<<"$out" || fail "a wrong expectation did not fail: $out"
grep -qF 'no match within 3 s while waiting for /^43$/ (step 2, --expect); the last lines seen:' <<<"$out" ||
	fail "no verdict: $out"
grep -qx '  | 42' <<<"$out" || fail "the last lines do not show 42: $out"
grep -qx '  | qtguest:~# ' <<<"$out" || fail "the prompt is not shown plainly: $(cat -v <<<"$out")"
grep -q $'\033' <<<"$out" && fail "control sequences in the last lines: $(cat -v <<<"$out")"
ok "a wrong expectation exits 1 and shows the last lines seen, plain"

# Output from before a send does not count for the expect after it: mark-2 was printed,
# the second expect (after a send of an empty line) must wait for new output and time out.
out=$(qt console login --send 'echo mark-$((1+1))\n' --expect '^mark-2$' --send '\n' \
	--expect '^mark-2$' --timeout 3 2>&1 >/dev/null; echo "rc=$?")
grep -q 'rc=1$' <<<"$out" || fail "old output met an expect after a send: $out"
grep -qF 'waiting for /^mark-2$/ (step 4, --expect)' <<<"$out" || fail "failed at the wrong step: $out"
# ... and the same expect is met when the guest prints it again after the send.
qt console login --send 'echo mark-$((1+1))\n' --expect '^mark-2$' \
	--send 'sleep 1; echo mark-$((1+1))\n' --expect '^mark-2$' --timeout 30 >/dev/null 2>"$T/err" ||
	fail "new output after the send was not seen: $(cat "$T/err")"
ok "output from before a send never meets the next expect; new output after it does"

# A script on stdin, and a send without a newline: the text waits on the shell's line.
printf 'send echo par\ntimeout 30\nexpect par$\nsend tial\\n\nexpect ^partial$\n' |
	qt console login --script - >/dev/null 2>"$T/err" || fail "stdin script: $(cat "$T/err")"
ok "--script - reads stdin; a send without \\n leaves the line open"
