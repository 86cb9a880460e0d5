#!/usr/bin/env bash
# qemu-tui doctor: each check's failing case made for real, each with its fix line.
. "$(dirname "$0")/lib.sh"
need_guest aarch64
command -v qemu-img >/dev/null || skip "qemu-img is not installed"

out=$(qt doctor) || fail "doctor: $out"
echo "$out"
grep -q "^ok   qemu-img  *qemu-img version" <<<"$out" || fail "no qemu-img line"
grep -q "^ok   qemu-system-aarch64 *QEMU emulator version" <<<"$out" || fail "no qemu-system-aarch64"
qt doctor --json | python3 -c 'import json,sys; a=json.load(sys.stdin); assert any(c["check"]=="qemu-img" and c["level"]=="ok" for c in a)' ||
	fail "--json"
ok "doctor lists the QEMU binaries with their versions (text and --json)"

# No QEMU in PATH.
mkdir "$T/bin"
ln -s "$(command -v qemu-img)" "$T/bin/qemu-img"
guest_profile vm aarch64
out=$(PATH=$T/bin "$QEMU_TUI" --profiles "$T/profiles" doctor vm) && fail "doctor vm passed without QEMU"
grep -q "^FAIL qemu-system-aarch64 *not found in PATH" <<<"$out" || fail "said: $out"
grep -q "fix: sudo apt-get install qemu-system-arm" <<<"$out" || fail "no fix: $out"
grep -q "something blocks its start" <<<"$out" || fail "no verdict: $out"
ok "no QEMU in PATH: FAIL with the package to install, exit 1"

# A missing kernel, a missing tap, a busy ssh port.
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
python3 -c "import socket,time; s=socket.socket(); s.bind(('127.0.0.1',$port)); s.listen(); time.sleep(60)" &
holder=$!
wait_for 10 python3 -c "import socket; socket.create_connection(('127.0.0.1', $port))" || fail "listener"
cat > "$T/profiles/bad.json" <<JSON
{ "name": "bad", "arch": "aarch64", "accel": "tcg", "kernel": "$T/nosuch-vmlinuz",
  "ssh": { "port": $port } }
JSON
cat > "$T/profiles/tapless.json" <<JSON
{ "name": "tapless", "arch": "aarch64", "accel": "tcg",
  "network": { "mode": "tap", "ifname": "qtnosuch0" } }
JSON
out=$(qt doctor bad) && fail "doctor bad passed"
kill $holder
echo "$out"
grep -q "^FAIL kernel .*nosuch-vmlinuz: No such file or directory" <<<"$out" || fail "kernel: $out"
grep -q "^FAIL ssh port .*port 127.0.0.1:$port is busy: python3 (pid $holder) holds it" <<<"$out" ||
	fail "busy port: $out"
out=$(qt doctor tapless) && fail "doctor tapless passed"
grep -q "^FAIL tap  *qtnosuch0 does not exist" <<<"$out" || fail "tap: $out"
grep -q "fix: sudo qemu-tui net up tapless" <<<"$out" || fail "tap fix: $out"
ok "a missing kernel, a busy port (with its holder) and a missing tap, each with its fix"

# A disk another QEMU holds.
qemu-img create -q -f qcow2 "$T/disk.qcow2" 64M
guest_profile holder aarch64 "\"drives\": [ { \"file\": \"$T/disk.qcow2\", \"format\": \"qcow2\", \"if\": \"virtio\" } ]"
guest_profile other aarch64 "\"drives\": [ { \"file\": \"$T/disk.qcow2\", \"format\": \"qcow2\", \"if\": \"virtio\" } ]"
qt start holder >/dev/null || fail "start holder"
out=$(qt doctor other) && fail "doctor other passed while holder runs"
grep -q "^FAIL disk lock .*disk.qcow2 is open in another QEMU" <<<"$out" || fail "lock: $out"
qt stop holder --force >/dev/null
qt doctor other >/dev/null || fail "doctor other after the holder stopped: $(qt doctor other)"
ok "a disk another running VM holds: FAIL; free once it stops"

# A run directory base writable by others.
chmod 777 "$QEMU_TUI_RUNDIR"
out=$(qt doctor) && true
chmod 700 "$QEMU_TUI_RUNDIR"
grep -q "^FAIL run directory .*is writable by others (mode 777)" <<<"$out" || fail "run dir: $out"
ok "a run directory writable by others: FAIL with what to remove"
