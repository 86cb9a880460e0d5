#!/usr/bin/env bash
# A neighbour must not reach your VMs. Without $XDG_RUNTIME_DIR run directories fall
# back to /tmp/qemu-tui-UID/; another user who makes that first, with fake sockets and
# pid files, must get nothing: every command refuses it with a clear error, and no
# signal ever reaches a process that is not this VM's QEMU. Two real users (useradd).
. "$(dirname "$0")/lib.sh"
[ "$(id -u)" = 0 ] || skip "needs root to add the test users"
command -v useradd >/dev/null && command -v runuser >/dev/null || skip "no useradd/runuser"
for u in qtvictim qtattacker; do
	id "$u" >/dev/null 2>&1 || useradd -M -d /nonexistent -s /usr/sbin/nologin "$u" ||
		fail "useradd $u"
done
vuid=$(id -u qtvictim)
base=/tmp/qemu-tui-$vuid
rm -rf "$base"
chmod 711 "$T"
V=$T/victim
install -d -o qtvictim -m 700 "$V" "$V/profiles" "$V/asan"
cat > "$V/profiles/vm.json" <<JSON
{ "name": "vm", "arch": "x86_64", "accel": "tcg", "network": { "mode": "none" } }
JSON
chown qtvictim "$V/profiles/vm.json"
# As the victim, with no XDG_RUNTIME_DIR and none of the tests' run dir.
as_victim() {
	runuser -u qtvictim -- env -u XDG_RUNTIME_DIR -u QEMU_TUI_RUNDIR HOME="$V" \
		ASAN_OPTIONS="log_path=$V/asan/asan" UBSAN_OPTIONS="log_path=$V/asan/ubsan" \
		"$QEMU_TUI" --profiles "$V/profiles" "$@"
}
# A process of the victim's that a fake pid file names.
runuser -u qtvictim -- sleep 300 &
victim_pid=$!
wait_for 5 pgrep -u qtvictim -x sleep || fail "victim's sleep"
victim_pid=$(pgrep -u qtvictim -x sleep | head -n 1)

# The attacker squats the base with a fake running VM.
runuser -u qtattacker -- sh -c "umask 0; mkdir -p $base/vm && echo $victim_pid > $base/vm/qemu.pid &&
	echo $victim_pid > $base/vm/supervisor.pid && : > $base/vm/qmp.sock && : > $base/vm/serial.sock"
out=$(as_victim list 2>&1) && true
echo "$out"
grep -q "$base belongs to uid $(id -u qtattacker), not to you" <<<"$out" ||
	fail "list did not refuse the squatted base"
grep -q "running" <<<"$out" && fail "list shows the fake VM running"
ok "list refuses a base another user made, and shows no fake VM"

out=$(as_victim stop vm --force 2>&1) && fail "stop succeeded: $out"
grep -q "belongs to uid" <<<"$out" || fail "stop said: $out"
kill -0 "$victim_pid" || fail "the victim's process was signalled"
out=$(echo secret | as_victim console vm 2>&1) && fail "console succeeded: $out"
grep -q "belongs to uid" <<<"$out" || fail "console said: $out"
out=$(as_victim start vm 2>&1) && fail "start succeeded: $out"
grep -q "belongs to uid" <<<"$out" || fail "start said: $out"
ok "stop, console and start refuse it; the victim's process lives"

# The victim's own base, but writable by others: refused too, until removed.
rm -rf "$base"
runuser -u qtvictim -- sh -c "mkdir -m 700 $base && mkdir $base/vm && chmod 777 $base/vm"
out=$(as_victim status vm 2>&1) && true
grep -q "$base/vm is writable by others (mode 777)" <<<"$out" || fail "status said: $out"
runuser -u qtvictim -- rm -rf "$base/vm"
as_victim status vm >/dev/null 2>&1 || fail "status after removing it"
ok "a run directory writable by others is refused; once removed all is well"
# A stale qemu.pid naming another of the victim's processes is not a VM to stop.
runuser -u qtvictim -- sh -c "mkdir -m 700 $base/vm && echo $victim_pid > $base/vm/qemu.pid"
as_victim stop vm --force >/dev/null 2>&1 || true
kill -0 "$victim_pid" || fail "stop signalled a process that is not the VM's QEMU"
ok "a pid file naming another process of the user's gets no signal"
kill "$victim_pid" 2>/dev/null || true
wait 2>/dev/null || true
rm -rf "$base"
reports=$(ls "$V"/asan/* 2>/dev/null || true)
[ -z "$reports" ] || { head -n 30 $reports; fail "sanitizer reports"; }
