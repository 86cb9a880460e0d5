#!/usr/bin/env bash
# Snapshots of a whole VM: a marker the guest wrote to its qcow2 data disk is saved
# live (QMP snapshot-save job), overwritten, and read back from the disk after a live
# load; list shows it live and, after a stop, offline (qemu-img); an offline save and
# delete work; a raw disk, a writable pflash file and a throwaway run are refused,
# naming the drive. The dashboard's snapshots pane lists them and saves one.
. "$(dirname "$0")/lib.sh"
need_guest aarch64
command -v qemu-img >/dev/null || skip "qemu-img is not installed"
command -v tmux >/dev/null || skip "tmux is not installed"
export HOME=$T
qemu-img create -q -f qcow2 "$T/data.qcow2" 16M
guest_profile sn aarch64 "\"drives\": [ { \"file\": \"$T/data.qcow2\", \"format\": \"qcow2\", \"if\": \"virtio\" } ]"

gssh() { qt ssh sn -- "$1" 2>"$T/err" || fail "ssh $1: $(cat "$T/err")"; }
# What the disk holds, not the guest's page cache (a load restores the guest's RAM too).
marker() { gssh 'echo 3 > /proc/sys/vm/drop_caches; dd if=/dev/vda bs=5 count=1 2>/dev/null'; }
slist() { qt snapshot sn list --json | python3 -c '
import json, sys
o = json.load(sys.stdin)
print(o["live"], " ".join("%s:%d" % (s["tag"], s["vm_size"] > 0) for s in o["snapshots"]))'; }

qt start sn >/dev/null || fail "start"
wait_for 240 guest_ready sn || fail "guest not ready: $(tail -n 5 "$(rundir sn)/serial.log")"
qt wait sn --for ssh --timeout 240 || fail "no ssh"
gssh 'echo MARK1 | dd of=/dev/vda conv=fsync 2>/dev/null'
[ "$(marker)" = MARK1 ] || fail "the guest did not write MARK1: $(marker)"
qt snapshot sn save s1 >"$T/out" 2>"$T/err" || fail "live save: $(cat "$T/out" "$T/err")"
grep -q "snapshot s1 saved (running VM: 1 disk, with the VM state)" "$T/out" || fail "save said: $(cat "$T/out")"
gssh 'echo MARK2 | dd of=/dev/vda conv=fsync 2>/dev/null'
[ "$(marker)" = MARK2 ] || fail "the guest did not write MARK2"
qt snapshot sn load s1 >"$T/out" 2>"$T/err" || fail "live load: $(cat "$T/out" "$T/err")"
wait_for 60 state_is sn running || fail "not running after the load"
[ "$(marker)" = MARK1 ] || fail "after loading s1 the disk holds $(marker), not MARK1"
ok "live: save, overwrite, load: the guest reads MARK1 from its disk again"

[ "$(slist)" = "True s1:1" ] || fail "live list: $(slist)"
qt snapshot sn list | grep -qE "^s1 .*1/1" || fail "live list text: $(qt snapshot sn list)"
qt snapshot sn save s1 >/dev/null 2>"$T/err" && fail "a second save s1 was accepted"
grep -q "exists already on $T/data.qcow2" "$T/err" || fail "duplicate tag: $(cat "$T/err")"
qt snapshot sn load nope >/dev/null 2>"$T/err" && fail "load of a missing tag succeeded"
grep -q 'no snapshot "nope"' "$T/err" || fail "missing tag: $(cat "$T/err")"
ok "live list shows s1 with its VM state; a duplicate save and a missing load are refused"

qt stop sn --force >/dev/null || fail "stop"
[ "$(slist)" = "False s1:1" ] || fail "offline list: $(slist)"
qemu-img snapshot -l "$T/data.qcow2" | grep -q " s1 " || fail "qemu-img does not see s1"
qt snapshot sn save off1 >"$T/out" || fail "offline save"
grep -q "stopped VM: 1 disk, disks only" "$T/out" || fail "offline save said: $(cat "$T/out")"
[ "$(slist)" = "False s1:1 off1:0" ] || fail "offline list after save: $(slist)"
qt snapshot sn delete s1 >/dev/null || fail "offline delete"
[ "$(slist)" = "False off1:0" ] || fail "offline list after delete: $(slist)"
qemu-img snapshot -l "$T/data.qcow2" | grep -q " s1 " && fail "qemu-img still sees s1"
ok "stopped: list shows the live snapshot, save and delete work with qemu-img"

qemu-img create -q -f raw "$T/disk.raw" 4M
guest_profile rawvm aarch64 "\"drives\": [ { \"file\": \"$T/data.qcow2\", \"format\": \"qcow2\" }, { \"file\": \"$T/disk.raw\", \"format\": \"raw\", \"if\": \"virtio\" } ]"
qt snapshot rawvm save x >/dev/null 2>"$T/err" && fail "a raw-disk VM's save was accepted"
grep -q "drives\[1\] ($T/disk.raw) is writable and raw, not qcow2" "$T/err" || fail "raw: $(cat "$T/err")"
qemu-img create -q -f raw "$T/vars.fd" 1M
guest_profile efi aarch64 "\"drives\": [ { \"file\": \"$T/data.qcow2\", \"format\": \"qcow2\" }, { \"file\": \"$T/vars.fd\", \"format\": \"raw\", \"if\": \"pflash\" } ]"
qt snapshot efi save x >/dev/null 2>"$T/err" && fail "a writable pflash VM's save was accepted"
grep -q "drives\[1\] ($T/vars.fd) is a writable pflash file" "$T/err" || fail "pflash: $(cat "$T/err")"
guest_profile nodisk aarch64 '"smp": 1'
qt snapshot nodisk save x >/dev/null 2>"$T/err" && fail "a VM without disks saved"
grep -q "no writable qcow2 disk" "$T/err" || fail "no disk: $(cat "$T/err")"
qt snapshot sn save 12 >/dev/null 2>"$T/err" && fail "an all-digit tag was accepted"
grep -q 'the tag "12" is all digits' "$T/err" || fail "digits: $(cat "$T/err")"
[ "$(qemu-img snapshot -l "$T/data.qcow2" | grep -c " x ")" = 0 ] || fail "a refused save wrote a snapshot"
ok "refused, naming the drive: a raw disk, a writable pflash file, no disk; and a tag qemu-img takes for an id"

qt start --throwaway sn >/dev/null || fail "start --throwaway"
wait_for 60 state_is sn running || fail "throwaway run not running"
qt snapshot sn save t1 >/dev/null 2>"$T/err" && fail "a throwaway run's save was accepted"
grep -q "this run of sn is throwaway" "$T/err" || fail "throwaway: $(cat "$T/err")"
[ "$(slist)" = "True off1:0" ] || fail "a throwaway run's list: $(slist)"
qt stop sn --force >/dev/null || fail "stop the throwaway run"
ok "a throwaway run's save is refused; its list reads the disk"

qt start sn >/dev/null || fail "start again"
wait_for 240 guest_ready sn || fail "guest not ready again"
qt snapshot sn load off1 >/dev/null 2>"$T/err" && fail "a running VM loaded a disk-only snapshot"
grep -q 'snapshot "off1" holds no VM state' "$T/err" || fail "disk-only load: $(cat "$T/err")"
ok "a running VM's load of a disk-only snapshot is refused in words"

tmux_setup
tm new-session -d -s qt -x 140 -y 40 \
	"env QEMU_TUI_RUNDIR=$QEMU_TUI_RUNDIR XDG_CONFIG_HOME=$T/config HOME=$T LANG=C.UTF-8 TERM=xterm-256color $QEMU_TUI --profiles $T/profiles; echo dashboard-exited; sleep 30"
see "VMs (" || fail "dashboard did not open"
# The list is in natural order: efi nodisk rawvm sn.
tm send-keys -t qt G v
see "snapshots: sn" || fail "v opened no snapshots pane"
see "off1" 20 || fail "the pane does not list off1"
screen | grep -E "off1 .* disks only" >/dev/null || fail "off1's line: $(screen)"
ok "the dashboard's snapshots pane lists the VM's snapshot"
tm send-keys -t qt a
see "Save a snapshot of sn (running: disks and RAM)" || fail "a asked for no tag"
tm send-keys -t qt d a s h 1 Enter
see "sn: snapshot dash1 saved" 120 || fail "no saved message: $(screen)"
see "dash1" || fail "the pane does not list dash1"
[ "$(slist)" = "True off1:0 dash1:1" ] || fail "list after the pane's save: $(slist)"
ok "a save from the pane: a live snapshot with the VM state, listed by the CLI"
tm send-keys -t qt Down d
see "Delete snapshot dash1 of sn" || fail "d asked nothing: $(screen)"
tm send-keys -t qt y
see "sn: snapshot dash1 deleted" 120 || fail "no deleted message: $(screen)"
[ "$(slist)" = "True off1:0" ] || fail "list after the pane's delete: $(slist)"
ok "a delete from the pane, after its confirmation"
tm send-keys -t qt q
see "Quit?" || fail "q asked nothing"
tm send-keys -t qt y
see dashboard-exited || fail "the dashboard did not quit"
qt stop sn --force >/dev/null || fail "stop"
