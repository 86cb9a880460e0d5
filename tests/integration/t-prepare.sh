#!/usr/bin/env bash
# Disks from the profile: drives[].from/size/backing made at start (and by prepare), only
# what is missing, never half-written; "needs disk" and the dashboard's M for a newcomer.
. "$(dirname "$0")/lib.sh"
need_guest x86_64 aarch64
command -v qemu-img >/dev/null || skip "qemu-img is not installed"
command -v tmux >/dev/null || skip "tmux is not installed"
cd "$T"		# its scratch files (out) go there, not into the tree
P=$T/profiles
vsize() { qemu-img info -U --output=json "$1" | python3 -c 'import json,sys; print(json.load(sys.stdin)["virtual-size"])'; }
no_tmp() { ! ls -a "$P/img" | grep -q '\.tmp$' || fail "a temporary file was left: $(ls -a "$P/img")"; }
# The files QMP's query-block shows the VM has open (status --json's "block").
block_files() { qt status "$1" --json | python3 -c 'import json,sys; print("\n".join(b.get("file","") for b in json.load(sys.stdin).get("block",[])))'; }

# ---- the x86-elf write-up: a raw floppy and a raw data disk made by the OS build ----
mkdir -p "$P/img"
dd if=/dev/zero of="$P/img/boot.flp" bs=1K count=1440 status=none
dd if=/dev/urandom of="$P/img/data.raw" bs=1K count=1440 status=none
guest_profile elf x86_64 '"drives": [
    { "file": "img/boot.qcow2", "format": "qcow2", "if": "floppy", "media": "disk",
      "from": "img/boot.flp", "from_format": "raw" },
    { "file": "img/data.qcow2", "format": "qcow2", "if": "ide", "media": "disk",
      "from": "img/data.raw", "from_format": "raw", "size": "204800K" } ]'
src_sum=$(md5sum < "$P/img/data.raw")

qt list > out 2>&1 || fail "list: $(cat out)"
grep -q "^elf  *stopped" out || fail "a profile whose disks are made at start is not fine: $(cat out)"
qt cmdline elf > out 2>/dev/null || fail "cmdline"
[ "$(grep -c '^# prepare: ' out)" = 3 ] || fail "cmdline's prepare lines: $(head -5 out)"
grep -q "^# prepare: drives\[0\]: convert $P/img/boot.flp (raw) into $P/img/boot.qcow2 (qcow2)$" out &&
	grep -q "^# prepare: drives\[1\]: convert $P/img/data.raw (raw) into $P/img/data.qcow2 (qcow2)$" out &&
	grep -q "^# prepare: drives\[1\]: grow $P/img/data.qcow2 to 204800K if it is smaller$" out ||
	fail "cmdline's prepare lines: $(grep '^#' out)"
[ ! -e "$P/img/boot.qcow2" ] || fail "cmdline made a disk"
ok "cmdline shows what start will prepare (# prepare: lines) and makes nothing"

qt start elf > out 2>&1 || fail "start: $(cat out)"
grep -q "boot.qcow2: converted from $P/img/boot.flp (qcow2)" out &&
	grep -q "data.qcow2: converted from $P/img/data.raw (qcow2)" out &&
	grep -q "data.qcow2: grown from 1.41 MiB to 204800K" out || fail "start said: $(cat out)"
[ "$(qemu-img info --output=json -U "$P/img/boot.qcow2" | python3 -c 'import json,sys; print(json.load(sys.stdin)["format"])')" = qcow2 ] ||
	fail "boot.qcow2 is not qcow2"
[ "$(vsize "$P/img/data.qcow2")" = $((204800 * 1024)) ] || fail "data disk is $(vsize "$P/img/data.qcow2") bytes, not 204800 KiB"
[ "$(md5sum < "$P/img/data.raw")" = "$src_sum" ] || fail "the source was written"
no_tmp
wait_for 240 guest_ready elf || fail "x86_64 guest did not boot with the disks"
files=$(block_files elf)
grep -qx "$P/img/boot.qcow2" <<<"$files" && grep -qx "$P/img/data.qcow2" <<<"$files" ||
	fail "query-block does not show both disks: $files"
ok "start converts the floppy and the data disk to qcow2, grows the data disk to exactly 204800 KiB, boots with both (query-block)"

qt stop elf --force > /dev/null || fail "stop"
sum=$(md5sum < "$P/img/boot.qcow2")
qt start elf > out 2>&1 || fail "second start: $(cat out)"
grep -q "converted\|grown\|created" out && fail "second start prepared again: $(cat out)"
[ "$(md5sum < "$P/img/boot.qcow2")" = "$sum" ] || fail "second start rewrote boot.qcow2"
qt prepare elf > out 2>&1 && fail "prepare of a running VM: $(cat out)"
grep -q "elf is running: its disks are in use; stop it first" out || fail "prepare said: $(cat out)"
qt stop elf --force > /dev/null || fail "stop"
ok "a second start prepares nothing; prepare refuses a running VM"

rm "$P/img/data.qcow2"
qt prepare elf > out 2>&1 || fail "prepare: $(cat out)"
grep -q "data.qcow2: converted from" out && grep -q "data.qcow2: grown from 1.41 MiB to 204800K" out ||
	fail "prepare said: $(cat out)"
grep -q "boot.qcow2" out && fail "prepare remade boot.qcow2: $(cat out)"
[ "$(vsize "$P/img/data.qcow2")" = 209715200 ] || fail "prepare: wrong size"
qt prepare elf > out 2>&1 || fail "prepare again"
grep -q "elf: every disk is there; nothing to prepare" out || fail "prepare again said: $(cat out)"
# A disk smaller than its size is grown, never shrunk.
qemu-img resize -q --shrink "$P/img/data.qcow2" 100M
qt cmdline elf 2>/dev/null | grep -q "^# prepare: drives\[1\]: grow $P/img/data.qcow2 from 100 MiB to 204800K$" ||
	fail "cmdline for a small disk: $(qt cmdline elf 2>/dev/null | grep '^#')"
qt prepare elf > out 2>&1 && grep -q "grown from 100 MiB to 204800K" out || fail "grow: $(cat out)"
qemu-img resize -q "$P/img/data.qcow2" 300M
qt prepare elf > out 2>&1 && grep -q "nothing to prepare" out || fail "a bigger disk: $(cat out)"
[ "$(vsize "$P/img/data.qcow2")" = $((300 * 1048576)) ] || fail "a bigger disk was shrunk"
ok "prepare alone makes only what is missing, grows a smaller disk, never shrinks"

# ---- failures: a clear error naming the drive, its file and the fix; nothing left ----
cat > "$P/gone.json" <<JSON
{ "arch": "aarch64", "accel": "tcg", "kernel": "$GUEST/aarch64/vmlinuz",
  "drives": [ { "file": "img/gone.qcow2", "from": "img/nothere.raw", "from_format": "raw" } ] }
JSON
qt start gone > out 2>&1 && fail "start with a missing source"
grep -q "drives\[0\].from: $P/img/nothere.raw does not exist ($P/img/gone.qcow2 is converted from it at start: build or fetch it, or fix the path)" out ||
	fail "missing source said: $(cat out)"
[ ! -e "$P/img/gone.qcow2" ] || fail "a file was left for a missing source"
no_tmp
sed -i 's/nothere.raw", "from_format": "raw"/data.raw", "from_format": "qcow9"/' "$P/gone.json"
qt start gone > out 2>&1 && fail "start with an unknown format"
grep -q "drives\[0\] ($P/img/gone.qcow2) was not made: qemu-img convert: .*Unknown driver 'qcow9'.*check drives\[0\]'s from and from_format in " out ||
	fail "unknown format said: $(cat out)"
[ ! -e "$P/img/gone.qcow2" ] || fail "a file was left for an unknown format"
no_tmp
[ ! -e "$(rundir gone)/qemu.pid" ] || fail "QEMU was started after a failed prepare"
rm "$P/gone.json"
ok "a missing source or an unknown format: the error names the drive, its file and the fix; no file left"

# A full disk: a small tmpfs holds the drive's file.
if [ "$(id -u)" = 0 ]; then
	dd if=/dev/urandom of="$P/img/full-src.raw" bs=1M count=16 status=none
	mkdir "$P/small"
	mount -t tmpfs -o size=4M tmpfs "$P/small" || fail "mount tmpfs"
	cat > "$P/full.json" <<JSON
{ "arch": "aarch64", "accel": "tcg", "kernel": "$GUEST/aarch64/vmlinuz",
  "drives": [ { "file": "small/full.img", "format": "raw", "from": "img/full-src.raw" } ] }
JSON
	qt start full > out 2>&1 && { umount "$P/small"; fail "start onto a full disk succeeded"; }
	left=$(ls -A "$P/small")
	umount "$P/small"
	grep -q "drives\[0\] ($P/small/full.img) was not made: qemu-img convert: the disk is full writing $P/small/full.img; nothing was left behind: free some space" out ||
		fail "full disk said: $(cat out)"
	[ -z "$left" ] || fail "left behind on the full disk: $left"
	[ ! -e "$(rundir full)/qemu.pid" ] || fail "QEMU was started after a failed prepare"
	rm "$P/full.json" "$P/img/full-src.raw"
	rmdir "$P/small"
	ok "a full disk: the error names the drive and its file; nothing is left"
else
	skip "the full-disk case needs root (a tmpfs)"
fi

# ---- a newcomer: a disk nothing says how to make is "needs disk"; M makes it ----
cat > "$P/newbie.json" <<JSON
{ "arch": "aarch64", "accel": "tcg", "memory": "256M",
  "kernel": "$GUEST/aarch64/vmlinuz", "initrd": "$GUEST/aarch64/initrd.img",
  "append": "console=ttyAMA0 quiet",
  "drives": [ { "file": "img/new.qcow2", "format": "qcow2" } ] }
JSON
qt list > out 2>&1 || fail "list: $(cat out)"
grep -q "^newbie  *needs disk" out || fail "list: $(cat out)"
grep -q "broken" out && fail "list says broken: $(cat out)"
grep -q "add \"size\": \"8G\" to drives\[0\] in $P/newbie.json" out || fail "no remedy: $(cat out)"
qt status newbie > out 2>&1; grep -q "profile    needs disk: " out || fail "status: $(cat out)"
[ "$(json_field newbie needs_disk)" != "" ] || fail "status --json has no needs_disk"
qt start newbie > out 2>&1 && fail "started without its disk"
ok "a missing disk with no recipe is \"needs disk\" with the remedy in list and status"

# A start in the dashboard converts first, on the loop: a 1 GiB sparse raw with data in it.
truncate -s 1G "$P/img/big.raw"
dd if=/dev/urandom of="$P/img/big.raw" bs=1M count=448 seek=100 conv=notrunc status=none
guest_profile conv aarch64 '"drives": [ { "file": "img/conv.qcow2", "from": "img/big.raw" } ]'

tmux_setup
tm new-session -d -s qt -x 150 -y 40 \
	"env QEMU_TUI_RUNDIR=$QEMU_TUI_RUNDIR XDG_CONFIG_HOME=$T/config LANG=C.UTF-8 TERM=xterm-256color $QEMU_TUI --profiles $P; echo dashboard-exited; sleep 30"
see "VMs (3)" || fail "dashboard did not open"
screen | grep -q "newbie .*needs disk" || fail "the VM list does not say needs disk: $(screen)"
screen | grep -q "conv .*stopped" || fail "conv: $(screen)"
tm send-keys -t qt s		# conv, the first VM
# qemu-img is held stopped while S goes in, so a fast machine cannot finish first.
convert_pid() { pgrep -f "qemu-img convert .*$P/img/big.raw" | head -n 1; }
wait_for 30 convert_pid || fail "no qemu-img convert after s"
qimg=$(convert_pid)
kill -STOP "$qimg"
see "preparing disk" 30 || { kill -CONT "$qimg"; fail "no 'preparing disk' while converting"; }
# A job like any other qemu-img work: in the status line, with the key that cancels it.
see "convert big.raw to conv.qcow2: " 10 ||
	{ kill -CONT "$qimg"; fail "the preparation is not a job in the status line: $(screen)"; }
tm send-keys -t qt S
# The cancel's SIGTERM waits, pending, on the stopped qemu-img; then let it go.
term_pending() {
	local k v
	while read -r k v; do
		case $k in SigPnd:|ShdPnd:) [ $((0x$v & 0x4000)) -ne 0 ] && return 0;; esac
	done < "/proc/$qimg/status"
	return 1
}
wait_for 30 term_pending || { kill -CONT "$qimg"; fail "S sent qemu-img no SIGTERM"; }
kill -CONT "$qimg"
see "conv: cancelled; nothing was left behind" 30 ||
	fail "S did not cancel the preparation"
[ ! -e "$P/img/conv.qcow2" ] || fail "a cancelled convert left conv.qcow2"
no_tmp
[ ! -e "$(rundir conv)/qemu.pid" ] || fail "QEMU started after a cancel"
ok "the dashboard's start shows preparing disk and the convert as a job; S cancels it and leaves nothing"
tm send-keys -t qt s
see "preparing disk" 30 || fail "no 'preparing disk' the second time"
tm send-keys -t qt '?'		# the dashboard answers keys meanwhile
see "qemu-tui keys" 5 || fail "the dashboard did not answer while preparing"
tm send-keys -t qt Escape
wait_for 240 guest_ready conv || fail "conv did not boot after its disk was made"
[ "$(qemu-img info -U --output=json "$P/img/conv.qcow2" | python3 -c 'import json,sys; print(json.load(sys.stdin)["format"])')" = qcow2 ] ||
	fail "conv.qcow2 is not qcow2"
files=$(block_files conv)
grep -qx "$P/img/conv.qcow2" <<<"$files" || fail "query-block: $files"
ok "then s converts (keys answered meanwhile) and starts the VM with the new disk"
tm send-keys -t qt S
wait_for 120 state_is conv stopped || fail "stop conv"

tm send-keys -t qt j j
see "M makes it" || fail "no remedy in the details"
tm send-keys -t qt s
see "needs a disk (M makes it)" || fail "s on a VM that needs a disk"
tm send-keys -t qt M
see "Make it blank (qcow2) at what size?" || fail "M did not ask for a size"
see "> 8G_" || fail "no default size offered"
tm send-keys -t qt C-u 6 4 M Enter
see "new.qcow2: created blank, qcow2, 64M" 30 || fail "M did not make the disk"
[ "$(vsize "$P/img/new.qcow2")" = $((64 * 1048576)) ] || fail "new.qcow2 is $(vsize "$P/img/new.qcow2") bytes"
tm send-keys -t qt s
wait_for 240 guest_ready newbie || fail "the VM did not boot with its new disk"
files=$(block_files newbie)
grep -qx "$P/img/new.qcow2" <<<"$files" || fail "query-block: $files"
screen | grep -q "newbie .*running" || fail "the list: $(screen)"
ok "the dashboard shows needs disk; M asks for a size (8G offered), makes a blank disk, s starts the VM with it"
tm send-keys -t qt S
wait_for 120 state_is newbie stopped || fail "stop"

# Quitting while a disk is being made: qemu-img is ended, nothing is left behind.
# (A bigger source, so that the convert is surely still running when q comes.)
rm "$P/img/conv.qcow2"
truncate -s 2G "$P/img/big.raw"
dd if=/dev/urandom of="$P/img/big.raw" bs=1M count=1024 seek=900 conv=notrunc status=none
tm send-keys -t qt g s		# conv, the first VM
see "preparing disk" 30 || fail "no 'preparing disk' before the quit"
tm send-keys -t qt q
# The convert is a job: the quit asks first, as for any qemu-img job.
see "1 job is running (convert big.raw to conv.qcow2)" 10 || fail "no question at quit"
tm send-keys -t qt y
see "dashboard-exited" 10 || fail "quit"
[ ! -e "$P/img/conv.qcow2" ] || fail "a quit during the convert left conv.qcow2"
no_tmp
ok "quitting the dashboard while a disk is being made leaves nothing behind"
