#!/usr/bin/env bash
# Failed starts leave nothing behind; broken profiles never hide the others; many clients at once.
. "$(dirname "$0")/lib.sh"
need_guest aarch64
guest_profile good aarch64
guest_profile bad aarch64 '"extra_args": ["-device", "no-such-device-xyz"]'
cat > "$T/profiles/typo.json" <<'JSON'
{ "name": "typo", "arch": "aarch64", "memroy": "1G" }
JSON

out=$(qt list) || fail "list failed with a broken profile present"
echo "$out"
grep -q '^good .*stopped' <<<"$out" || fail "good profile not listed"
grep -q '^typo .*broken' <<<"$out" || fail "broken profile not listed as broken"
grep -q 'typo.json.*memroy.*memory' <<<"$out" || fail "no reason with file and field for typo"
ok "a broken profile is listed with its reason; the others stay usable"

if out=$(qt start typo 2>&1); then fail "started a broken profile"; fi
grep -q 'typo.json' <<<"$out" || fail "start of broken profile: $out"
ok "starting a broken profile names the file and the field"

if out=$(qt start bad 2>&1); then fail "bad start succeeded"; fi
echo "$out"
grep -q 'no-such-device-xyz' <<<"$out" || fail "qemu.log tail not shown: $out"
for f in qmp.sock serial.sock qemu-qmp.sock qemu-serial.sock qemu.pid supervisor.pid; do
	[ ! -e "$(rundir bad)/$f" ] || fail "failed start left $f"
done
ok "a failed start shows the tail of qemu.log and leaves no socket or pid file"

# The same name, fixed with --set-free means: drop extra_args by rewriting, then start works.
guest_profile bad aarch64
qt start bad >/dev/null || fail "start after a failed start"
ok "the next start after a failure works"

if out=$(qt --set memory=lots start good 2>&1); then fail "--set accepted a bad size"; fi
grep -q 'memory' <<<"$out" || fail "--set error does not name the field: $out"
qt --set memory=300M --set smp=2 start good >/dev/null || fail "--set start"
qt status good | grep -q 'vcpus *2' || fail "--set smp=2 not applied: $(qt status good)"
ok "--set overrides memory and smp on start"

# Hold the QMP and serial sockets open like a dashboard would, then use the CLI beside it.
python3 - "$(rundir good)" <<'PY' &
import socket, sys, time, json
d = sys.argv[1]
q = socket.socket(socket.AF_UNIX); q.connect(d + "/qmp.sock")
s = socket.socket(socket.AF_UNIX); s.connect(d + "/serial.sock")
f = q.makefile("rwb")
json.loads(f.readline())
f.write(b'{"execute":"qmp_capabilities","id":"a"}\r\n'); f.flush()
assert json.loads(f.readline())["id"] == "a"
time.sleep(20)
PY
holder=$!
sleep 1
state_is good running || fail "status blocked while another client holds QMP"
qt pause good >/dev/null && state_is good paused || fail "pause while another client holds QMP"
qt resume good >/dev/null
# Two event listeners see the same STOP event.
python3 - "$(rundir good)" <<'PY' || fail "two QMP clients did not both get the STOP event"
import socket, sys, json, subprocess, os
d = sys.argv[1]
def client():
    q = socket.socket(socket.AF_UNIX); q.connect(d + "/qmp.sock"); f = q.makefile("rwb")
    json.loads(f.readline())
    f.write(b'{"execute":"qmp_capabilities"}\r\n'); f.flush(); json.loads(f.readline())
    return q, f
a, fa = client(); b, fb = client()
fa.write(b'{"execute":"stop","id":7}\r\n'); fa.flush()
seen_a = [json.loads(fa.readline()) for _ in range(2)]
assert any(m.get("event") == "STOP" for m in seen_a), seen_a
assert any(m.get("id") == 7 and "return" in m for m in seen_a), seen_a
m = json.loads(fb.readline())
assert m.get("event") == "STOP", m
fa.write(b'{"execute":"cont"}\r\n'); fa.flush()
PY
kill $holder 2>/dev/null || true
ok "the CLI works while another client holds the sockets; events reach every client"
grep -q '"event":"STOP"' "$(rundir good)/events.log" || fail "events.log has no STOP"
ok "QMP events are kept in events.log"

qt stop good --force >/dev/null; qt stop bad --force >/dev/null

# Leftovers of a run the machine forgot (a reboot): pid files naming unrelated live
# processes and dead sockets. They must not look like a running VM or block a start.
guest_profile stale aarch64
mkdir -p "$(rundir stale)" && chmod 700 "$(rundir stale)"
echo $$ > "$(rundir stale)/qemu.pid"
echo $$ > "$(rundir stale)/supervisor.pid"
python3 -c 'import socket,sys; s=socket.socket(socket.AF_UNIX); s.bind(sys.argv[1])' "$(rundir stale)/qmp.sock"
state_is stale stopped || fail "stale pid files look like a running VM: $(qt status stale)"
qt start stale >/dev/null || fail "stale files blocked the start"
state_is stale running || fail "not running after start over stale files"
qt stop stale --force >/dev/null
ok "stale pid files and sockets from a forgotten run neither fake a VM nor block a start"
echo "PASS: t-failures"
