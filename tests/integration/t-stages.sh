#!/usr/bin/env bash
# Readiness stages, reached by the supervisor and read by everyone else: `wait --for
# ssh` returns once sshd answers and not before (after the guest's own line saying
# dropbear starts, and against a host-side knocker that logs every refused try); status --json lists the stages in order with their times; a
# guest without a network times out in `wait --for ssh` naming the prompt it reached;
# `events --follow --json` shows pause, resume and the stages in order; a later
# process (status after the supervisor was killed and the VM adopted, a new
# dashboard) still shows them; a reset restarts them (and the dashboard shows the
# new ones as they come).
. "$(dirname "$0")/lib.sh"
need_guest aarch64
command -v tmux >/dev/null || skip "tmux is not installed"
tmux_setup
export HOME=$T
freeport() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
port=$(freeport)
guest_profile st aarch64 "\"network\": { \"mode\": \"user\" }, \"ready\": { \"probe\": \"test -e /run/qt-ready\" }"
sed -i "s/\"host_key_check\": \"off\" }/\"host_key_check\": \"off\", \"port\": $port }/" "$T/profiles/st.json"
# The guest's own word on when dropbear starts: its initramfs with /etc/init.d/dropbear
# printing a line a second before it runs dropbear (a cpio appended; the later file
# wins). The second is for the host's reader of that line, which a loaded machine can
# hold up for a few hundred ms: an ssh stage before the line is still caught.
python3 - "$GUEST/aarch64/initrd.img" "$T/initrd.img" <<'PY'
import gzip, sys
data = open(sys.argv[1], "rb").read()
if data[:2] == b"\x1f\x8b":
    data = gzip.decompress(data)
data += b"\0" * (-len(data) % 512)
script = (b"#!/bin/sh\necho qt-test: dropbear starting >/dev/console\nsleep 1\n"
          b"/usr/sbin/dropbear -F -E -p 22 -r /etc/dropbear/dropbear_ed25519_host_key "
          b"</dev/null >>/var/log/dropbear.log 2>&1\nsleep 1\n")
out = bytearray(data)
for ino, (name, mode, body) in enumerate([("etc/init.d/dropbear", 0o100755, script),
                                          ("TRAILER!!!", 0, b"")]):
    n = name.encode() + b"\0"
    out += ("070701" + "".join("%08X" % v for v in (1000 + ino, mode, 0, 0, 1, 0, len(body),
                                                      0, 0, 0, 0, len(n), 0))).encode() + n
    out += b"\0" * (-len(out) % 4) + body
    out += b"\0" * (-len(out) % 4)
out += b"\0" * (-len(out) % 512)
open(sys.argv[2], "wb").write(out)
PY
sed -i "s|\"initrd\": \"[^\"]*\"|\"initrd\": \"$T/initrd.img\"|" "$T/profiles/st.json"
stages_json() { qt status "$1" --json | python3 -c 'import json,sys; print(json.dumps(json.load(sys.stdin).get("stages", [])))'; }

# The knocker: what a script would see on the port, each try logged as
# "START END banner|closed|timeout" (epoch seconds), until sshd's banner comes.
cat > "$T/knock.py" <<'PY'
import socket, sys, time
port, out, until = int(sys.argv[1]), open(sys.argv[2], "w", buffering=1), time.time() + 240
closed = False
while time.time() < until:
    t0 = time.time(); how = "closed"
    try:
        s = socket.create_connection(("127.0.0.1", port), timeout=1)
        # Until the guest closed one, a try that hangs is its network not up yet; after,
        # a busy TCG guest's sshd taking seconds over its banner.
        s.settimeout(20 if closed else 1)
        how = "banner" if s.recv(4) == b"SSH-" else "closed"
    except socket.timeout:
        how = "timeout"
    except OSError:
        how = "refused"
    closed = closed or how == "closed"
    out.write("%.3f %.3f %s\n" % (t0, time.time(), how))
    if how == "banner":
        break
    time.sleep(0.02)
PY

# The binary itself in the background (not the qt function's subshell), so its pid is
# the one to end, also when the test fails.
"$QEMU_TUI" --profiles "$T/profiles" events st --follow --json > "$T/events.jsonl" 2>"$T/events.err" &
events_pid=$!
trap 'kill $events_pid 2>/dev/null || true; tm kill-server 2>/dev/null || true; cleanup' EXIT
python3 "$T/knock.py" "$port" "$T/knock.log" &
knock_pid=$!
qt start st >/dev/null || fail "start"
# The host time the guest's line arrives, read live from the supervisor.
# Then the host time of its "ready" line: it comes within 100 ms of sshd listening.
python3 - "$(rundir st)/serial-live.sock" "$T/dropbear-starts" "$T/guest-ready-at" <<'PY' &
import socket, sys, time
s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1]); buf = b""
until = time.time() + 240
want = [(b"qt-test: dropbear starting", sys.argv[2]), (b"qemu-tui-guest: ready", sys.argv[3])]
while want and time.time() < until:
    data = s.recv(65536)
    if not data:
        break
    buf = buf[-64:] + data
    if want[0][0] in buf:
        open(want[0][1], "w").write("%.3f\n" % time.time())
        buf = buf[buf.index(want[0][0]) + len(want[0][0]):]
        want.pop(0)
PY
qt wait st --for ssh --timeout 240 || fail "wait --for ssh: $(qt status st)"
returned=$(date +%s.%N)
# sshd answers now: a banner, without waiting for the guest. (A busy guest's dropbear
# may still be busy with the sshd children of earlier tries: past five it closes a new
# connection at once, which is not "not listening", so that is tried again.)
python3 - "$port" <<'PY' || fail "wait --for ssh returned, but no banner on port $port"
import socket, sys, time
until = time.time() + 30
while time.time() < until:
    s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=30); s.settimeout(30)
    got = s.recv(4)
    if got == b"SSH-":
        sys.exit(0)
    assert got == b"", got
    time.sleep(0.2)
sys.exit(1)
PY
wait $knock_pid || true
wait_for 60 test -s "$T/dropbear-starts" || fail "the guest never said dropbear starts"
wait_for 60 test -s "$T/guest-ready-at" || fail "the guest never said dropbear listens"
python3 - "$T/knock.log" "$(stages_json st)" "$returned" "$(cat "$T/dropbear-starts")" "$(cat "$T/guest-ready-at")" <<'PY' || fail "ssh stage against the guest and the knocker: $(cat "$T/knock.log" | tail -5)"
import json, sys
tries = [l.split() for l in open(sys.argv[1])]
stages = {s["stage"]: s["at"] for s in json.loads(sys.argv[2])}
returned, starts, listening = float(sys.argv[3]), float(sys.argv[4]), float(sys.argv[5])
ssh = stages["ssh"]
# The guest printed its line before it ran dropbear: sshd listened only after it came.
assert ssh > starts, "the ssh stage came %.3f s before the guest started dropbear" % (starts - ssh)
# Its ready line comes within 100 ms of sshd listening (it polls /proc/net/tcp): a stage
# well before it came before sshd listened. (Slack for the poll and the console's way.)
assert ssh > listening - 0.35, "the ssh stage came %.3f s before the guest's ready line" % (listening - ssh)
# A try QEMU's forward closed at once, begun before the guest listened: nothing
# listened in the guest. One closed after that is dropbear's limit of five
# unauthenticated connections from one address (every host client is 10.0.2.2).
closed = [float(a) for a, b, how in tries if how == "closed"]
late = [c for c in closed if c > ssh and c < listening - 0.35]
assert not late, "sshd refused a try begun %.3f s after the ssh stage, before it listened" % (max(late) - ssh)
assert ssh <= returned, "wait returned before the ssh stage"
print("ssh stage %.3f s after the guest started dropbear, %.3f s after its ready line, %s; "
      "%d tries closed after the stage (dropbear's per-address limit); wait returned %.3f s "
      "after the stage" % (ssh - starts, ssh - listening,
                           "%.3f s after the last refused try" % (ssh - max(closed))
                           if closed else "no try refused",
                           len([c for c in closed if c > ssh]), returned - ssh))
PY
# The guest's own word that dropbear listens (its init script watches /proc/net/tcp).
wait_for 60 guest_ready st || fail "the guest never said dropbear listens"
ok "wait --for ssh returned once sshd answered: after the guest started dropbear, not before its ready line, no try refused after the stage before sshd listened"

qt wait st --for ready --timeout 240 || fail "wait --for ready: $(qt status st); $(tail -5 "$(rundir st)/qemu.log")"
python3 - "$(stages_json st)" <<'PY' || fail "stages in status --json: $(stages_json st)"
import json, sys
st = json.loads(sys.argv[1])
names = [s["stage"] for s in st]
for want in ("started", "console", "prompt", "ssh", "ssh-command", "ready"):
    assert want in names, want + " missing"
times = [s["at"] for s in st]
assert times == sorted(times), "not in the order reached"
at = {s["stage"]: s["at"] for s in st}
chain = [at[n] for n in ("started", "console", "ssh", "ssh-command", "ready")]
assert chain == sorted(chain), "a stage before the one it needs"
assert at["started"] > 1e9, "times are not epoch seconds"
PY
qt status st | grep -q '^  stages     started [0-9:]*, .*ready +' || fail "status text: $(qt status st)"
qt list | grep -q '^st  *running, ready ' || fail "list: $(qt list)"
ok "status --json lists started, console, prompt, ssh, ssh-command, ready with times, in order; list says running, ready"

qt pause st >/dev/null || fail "pause"
qt resume st >/dev/null || fail "resume"
wait_for 30 grep -q '"event":"RESUME"' "$T/events.jsonl" || fail "events: no RESUME: $(cat "$T/events.jsonl" "$T/events.err")"
python3 - "$T/events.jsonl" <<'PY' || fail "events --follow --json: $(cat "$T/events.jsonl")"
import json, sys
ev = [json.loads(l) for l in open(sys.argv[1])]
assert all(e["vm"] == "st" and isinstance(e["time"], float) for e in ev)
stages = [e["stage"] for e in ev if e["kind"] == "stage"]
want = ["started", "console", "prompt", "ssh", "ssh-command", "ready"]
assert sorted(stages, key=want.index) == sorted(want, key=want.index) and len(stages) == 6, stages
pos = lambda s: stages.index(s)
assert pos("started") < pos("console") < pos("ssh") < pos("ssh-command") < pos("ready"), stages
qmp = [e["event"] for e in ev if e["kind"] == "qmp"]
i = len(ev) - 1 - [e.get("event") for e in reversed(ev)].index("STOP")
later = [e.get("event") for e in ev[i:]]
assert "RESUME" in later, "no RESUME after the STOP"
states = [e["state"] for e in ev if e["kind"] == "state"]
assert "paused" in states and states[-1] == "running", states
PY
ok "events --follow --json: the stages in order, then STOP (paused) and RESUME (running)"

# Kept in the run directory: a supervisor killed and the VM adopted keeps them as they were.
before=$(stages_json st)
kill -9 "$(cat "$(rundir st)/supervisor.pid")"
wait_for 10 state_is st orphaned || fail "not orphaned"
[ "$(stages_json st)" = "$before" ] || fail "an orphan's status lost its stages"
qt start st >/dev/null || fail "adopt"
[ "$(stages_json st)" = "$before" ] || fail "the adopting supervisor changed the stages: $(stages_json st)"
tm new-session -d -s qt -x 160 -y 30 "$QEMU_TUI --profiles $T/profiles"
see "running, ready" 20 || fail "a new dashboard does not show the stage"
see "ready +" 20 || fail "the details pane has no Stages row"
ok "status after the supervisor was killed and the VM adopted shows the same stages; so does a new dashboard"

# A reset restarts the stages: started kept, the rest reached again, a "restarted"
# STAGE line in events.log, and `wait --for ssh` right after `reset` waits for the
# rebooted guest's sshd (after its second "dropbear starting" line). The dashboard
# open since before shows the new STAGE lines as they come.
python3 - "$(rundir st)/serial-live.sock" "$T/dropbear-restarts" <<'PY' &
import socket, sys, time
s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1]); buf = b""
open(sys.argv[2] + ".listening", "w").close()
until = time.time() + 240
while time.time() < until:
    data = s.recv(65536)
    if not data:
        break
    buf = buf[-64:] + data
    if b"qt-test: dropbear starting" in buf:
        open(sys.argv[2], "w").write("%.3f\n" % time.time())
        break
PY
wait_for 10 test -e "$T/dropbear-restarts.listening" || fail "no serial listener"
reset_at=$(date +%s.%N)
qt reset st >/dev/null || fail "reset"
qt wait st --for ssh --timeout 240 || fail "wait --for ssh after reset: $(qt status st)"
returned=$(date +%s.%N)
wait_for 60 test -s "$T/dropbear-restarts" || fail "the guest never said dropbear starts again"
python3 - "$before" "$(stages_json st)" "$reset_at" "$returned" "$(cat "$T/dropbear-restarts")" \
    "$(cat "$(rundir st)/stages")" <<'PY' || fail "stages after reset: $(stages_json st); $(cat "$(rundir st)/stages")"
import json, sys
old = {s["stage"]: s["at"] for s in json.loads(sys.argv[1])}
new = {s["stage"]: s["at"] for s in json.loads(sys.argv[2])}
reset_at, returned, starts = map(float, sys.argv[3:6])
assert new["started"] == old["started"], "started changed"
assert new["ssh"] > starts, "the ssh stage came before the rebooted guest started dropbear"
assert returned > starts, "wait returned %.3f s before the guest started dropbear again" % (starts - returned)
for n in ("console", "ssh"):
    assert new[n] > reset_at, n + " is the one from before the reset"
assert "restarted " in sys.argv[6], sys.argv[6]
assert reset_at < new.get("restarted", 0) < new["ssh"], "status --json: no restarted between the reset and ssh"
print("after reset: ssh stage %.3f s after the guest's second \"dropbear starting\"; "
      "wait returned %.3f s after the stage" % (new["ssh"] - starts, returned - new["ssh"]))
PY
qt status st | grep -q '^  stages     started [0-9:]*, restarted +[0-9.]* s, ' ||
    fail "status text after a reset: no restarted: $(qt status st)"
# One reset, one restart (QEMU may send RESET before or after its answer to system_reset).
[ "$(grep -c '"stage":"restarted"' "$(rundir st)/events.log")" = 1 ] ||
    fail "not one restarted line in events.log: $(grep STAGE "$(rundir st)/events.log")"
wait_for 30 grep -q '"stage":"restarted"' "$T/events.jsonl" || fail "events --follow: no restarted"
# The dashboard: STAGE lines after the reset, as they come (stage=ssh later than the reset).
python3 - "$reset_at" <<'PY' > "$T/reset-hms"
import sys, time
print(time.strftime("%H:%M:%S", time.localtime(float(sys.argv[1]))))
PY
dash_stage_after() {  # a "STAGE stage=$1" line timed at or after the reset
	screen | python3 -c '
import re, sys
t = open(sys.argv[2]).read().strip()
hits = re.findall(r"(\d\d:\d\d:\d\d)\.\d{3} STAGE +stage=%s\b" % re.escape(sys.argv[1]), sys.stdin.read())
sys.exit(0 if any(h >= t for h in hits) else 1)' "$1" "$T/reset-hms"
}
see "stage=restarted" 30 || fail "the dashboard does not show the restart"
wait_for 30 dash_stage_after ssh || fail "the dashboard does not show the new ssh stage: $(screen)"
see "started, restarted +" 30 || fail "the details' Stages row does not show the restart: $(screen)"
ok "reset: started kept, the stages restarted (stages file, status, events.log, events --follow, the dashboard live), wait --for ssh waited for the rebooted guest's sshd"
tm kill-server
qt stop st >/dev/null
kill $events_pid 2>/dev/null || true

# No network: the console gets its prompt, sshd never answers.
guest_profile nonet aarch64 "\"network\": { \"mode\": \"none\" }"
qt start nonet >/dev/null || fail "start nonet"
qt wait nonet --for prompt --timeout 240 || fail "wait --for prompt: $(qt status nonet)"
out=$(qt wait nonet --for ssh --timeout 20 2>&1) && fail "wait --for ssh returned 0 without a network"
grep -q "timed out after 20 s; reached: prompt (started, console, prompt)" <<<"$out" || fail "wait said: $out"
ok "no network: wait --for ssh times out after 20 s naming the prompt it reached"
qt stop nonet >/dev/null
