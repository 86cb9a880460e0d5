#!/usr/bin/env bash
# qemu-tui wait and run against the real guest: run starts a stopped VM, runs the
# command over SSH with its output and exit status, and stops the VM again; with
# --throwaway the guest's writes to its disk are thrown away; SIGTERM stops what run
# started; wait returns on the stage or times out saying how far the guest got.
. "$(dirname "$0")/lib.sh"
need_guest aarch64
command -v qemu-img >/dev/null || skip "qemu-img is not installed"
qemu-img create -q -f qcow2 "$T/disk.qcow2" 16M
guest_profile rv aarch64 "\"drives\": [ { \"file\": \"$T/disk.qcow2\", \"format\": \"qcow2\", \"if\": \"virtio\" } ]"
export HOME=$T
ssh_port() { qt status "$1" --json | python3 -c 'import json,sys; print([f["host_port"] for f in json.load(sys.stdin)["forwards"] if f.get("ssh")][0])'; }

out=$(qt run rv --timeout 300 -- 'uname -m; echo to-stderr >&2; exit 3' 2>"$T/err") && fail "exit 0"
rc=$?
[ "$rc" = 3 ] || fail "run returned $rc, not the command's 3: $(cat "$T/err")"
[ "$out" = aarch64 ] || fail "stdout: $out"
grep -q to-stderr "$T/err" || fail "stderr lost"
state_is rv stopped || fail "run did not stop the VM it started: $(qt status rv)"
ok "run on a stopped VM: uname -m from the guest, exit status 3, stderr apart, VM stopped after"

sum=$(md5sum < "$T/disk.qcow2")
qt run rv --throwaway --timeout 300 -- 'dd if=/dev/urandom of=/dev/vda bs=4096 count=64 conv=fsync 2>/dev/null; echo wrote' |
	grep -q wrote || fail "throwaway run"
[ "$(md5sum < "$T/disk.qcow2")" = "$sum" ] || fail "--throwaway: the disk changed"
state_is rv stopped || fail "not stopped after the throwaway run"
ok "run --throwaway: the guest wrote its disk, the image's md5 is unchanged"

# --set is for the whole run: the start (memory) and the SSH session (the profile's own
# key is refused; the right one comes from --set, to the supervisor and the ssh child).
sed "s|$GUEST/id_ed25519|$GUEST/wrong_ed25519|; s|\"name\": \"rv\"|\"name\": \"rs\"|" \
	"$T/profiles/rv.json" > "$T/profiles/rs.json"
grep -q wrong_ed25519 "$T/profiles/rs.json" || fail "the rs profile has no wrong key: $(cat "$T/profiles/rs.json")"
out=$(qt run rs --set memory=320M --set "ssh.identity=$GUEST/id_ed25519" --timeout 300 -- \
	"awk '/MemTotal/ { print \$2 }' /proc/meminfo" 2>"$T/err") || fail "run --set: rc=$?: $(cat "$T/err")"
[ "$out" -gt 280000 ] 2>/dev/null || fail "run --set memory=320M: MemTotal $out kB"
state_is rs stopped || fail "run --set did not stop the VM: $(qt status rs)"
ok "run --set: the guest got memory=320M, and the SSH session the key from --set ($out kB)"

"$QEMU_TUI" --profiles "$T/profiles" run rv --timeout 300 -- 'sleep 600' &
pid=$!
wait_for 300 state_is rv running || fail "run did not start the VM"
wait_for 300 sh -c "grep -q 'qemu-tui-guest: ready' '$(rundir rv)/serial.log'" || fail "guest"
sleep 1
kill -TERM $pid
wait $pid && fail "run exited 0 after SIGTERM"
state_is rv stopped || fail "SIGTERM: the VM run started still runs: $(qt status rv)"
ok "SIGTERM during run stops the VM it started"

qt start rv >/dev/null || fail "start"
qt wait rv --for ssh --timeout 300 || fail "wait --for ssh"
out=$(ssh -i "$GUEST/id_ed25519" -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null \
	-o BatchMode=yes -p "$(ssh_port rv)" root@127.0.0.1 true 2>&1) ||
	fail "wait --for ssh returned before sshd took a login: $out"
qt wait rv --for prompt --timeout 60 || fail "wait --for prompt"
out=$(qt wait rv --for 'never-printed-[0-9]+' --timeout 2 2>&1) && fail "wait for a regex never seen"
grep -Eq "timed out after 2 s; reached: (prompt|ssh|ssh-command|ready) \(started, console, " <<<"$out" ||
	fail "wait said: $out"
qt stop rv >/dev/null &
qt wait rv --for stopped --timeout 120 || fail "wait --for stopped"
wait
ok "wait --for ssh, prompt, stopped; a regex never seen times out with the stages reached"
