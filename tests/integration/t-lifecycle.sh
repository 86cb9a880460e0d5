#!/usr/bin/env bash
# The VM lifecycle against a real QEMU running the real aarch64 test guest.
. "$(dirname "$0")/lib.sh"
need_guest aarch64
guest_profile arm aarch64 '"smp": 1'

out=$(qt start arm) || fail "start: $out"
grep -q "arm started" <<<"$out" || fail "start said: $out"
ok "start returns once QMP answers"

st=$(qt status arm)
echo "$st"
grep -q '^arm: running' <<<"$st" || fail "status after start"
grep -q 'accel *tcg' <<<"$st" || fail "status shows no accelerator"
grep -q 'vcpus *1' <<<"$st" || fail "status shows no vCPU count"
grep -q 'qmp *running, QEMU 7' <<<"$st" || fail "status has no QMP facts"
grep -q 'forward *tcp 127.0.0.1:[0-9]* -> guest 22 (ssh)' <<<"$st" || fail "no ssh forward"
grep -Eq 'host *cpu [0-9.]+%, rss [0-9.]+ MiB' <<<"$st" || fail "no host cpu/rss"
ok "status shows state, accel, vcpus, QMP, forwards, cpu/rss"

qt start arm | grep -q "already running" || fail "second start did not say it runs"
ok "starting a running VM says so"

wait_for 240 guest_ready arm || fail "guest never printed ready: $(tail -5 "$(rundir arm)/serial.log")"
ok "guest booted to its shell (serial.log)"

qt pause arm >/dev/null
state_is arm paused || fail "not paused: $(qt status arm)"
qt resume arm >/dev/null
state_is arm running || fail "not running after resume"
ok "pause -> paused, resume -> running"

# Another qemu-tui process between steps finds the same VM: every call above was one.
out=$(qt stop arm --timeout 30) || fail "stop: $out"
echo "$out"
grep -q "arm stopped by powerdown" <<<"$out" || fail "stop was not a clean powerdown: $out"
grep -q 'qemu-tui-guest: powering off' "$(rundir arm)/serial.log" || fail "guest did not see the power button"
state_is arm stopped || fail "state after stop: $(qt status arm)"
ok "stop ends the VM by ACPI powerdown"

for f in qmp.sock serial.sock qemu-qmp.sock qemu-serial.sock qemu.pid supervisor.pid; do
	[ ! -e "$(rundir arm)/$f" ] || fail "stale $f after stop"
done
ok "no stale sockets or pid files after stop"

# A stop while the guest still boots: the first press of the power button comes before
# its kernel and acpid can take it; the stop presses it again, and the guest still gets
# its clean shutdown rather than the quit at the end of the grace period.
qt start arm >/dev/null || fail "start again"
out=$(qt stop arm --timeout 200) || fail "stop while booting: $out"
echo "$out"
grep -q "ACPI powerdown sent again" <<<"$out" || fail "the power button was not pressed again: $out"
grep -q "arm stopped by powerdown" <<<"$out" ||
	fail "a stop while booting was not a clean powerdown: $out
the guest's console, last lines:
$(tail -n 40 "$(rundir arm)/serial.log" 2>/dev/null)"
grep -q 'qemu-tui-guest: powering off' "$(rundir arm)/serial.log" || fail "guest did not see the power button"
ok "a stop while the guest boots presses the power button again until it shuts down"

qt start arm >/dev/null || fail "restart"
pid=$(json_field arm pid)
kill -9 "$pid"
wait_for 10 state_is arm crashed || fail "not crashed after kill -9: $(qt status arm)"
qt status arm | grep -q 'crashed (signal 9)' || fail "crash reason missing: $(qt status arm)"
ok "kill -9 of QEMU -> crashed (signal 9)"

qt start arm >/dev/null || fail "start after crash"
state_is arm running || fail "not running after restart"
ok "a new start works after a crash"

# Two VMs at once, each with its own forwarded port.
guest_profile arm2 aarch64
qt start arm2 >/dev/null || fail "start arm2"
state_is arm running && state_is arm2 running || fail "two VMs not both running"
p1=$(qt status arm --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["forwards"][0]["host_port"])')
p2=$(qt status arm2 --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["forwards"][0]["host_port"])')
[ "$p1" != "$p2" ] || fail "both VMs got ssh port $p1"
qt list | grep -E '^arm2? ' | grep -c running | grep -q 2 || fail "list: $(qt list)"
ok "two VMs run at once with their own ports"

qt stop arm --force | grep -q "stopped by quit" || fail "force stop"
qt stop arm2 --force >/dev/null
state_is arm stopped && state_is arm2 stopped || fail "not stopped"
ok "--force stops by QMP quit"

qt clean arm | grep -q removed || fail "clean"
[ ! -d "$(rundir arm)" ] || fail "clean left the run dir"
ok "clean removes the run directory"
echo "PASS: t-lifecycle"
