#!/usr/bin/env bash
# qemu-tui image: the real qemu-img, progress, nothing overwritten or left behind.
. "$(dirname "$0")/lib.sh"
command -v qemu-img >/dev/null || skip "qemu-img is not installed"
cd "$T"
img() { "$QEMU_TUI" image "$@"; }

# The x86-elf write-up's steps: raw data disk -> qcow2, resized to 204800K.
dd if=/dev/zero of=data.raw bs=1K count=1440 status=none
img convert data.raw data.qcow2 > out 2>&1 || fail "convert: $(cat out)"
img resize data.qcow2 204800K > out 2>&1 || fail "resize: $(cat out)"
qemu-img info --output=json data.qcow2 | grep -q '"virtual-size": 209715200' || fail "not 204800 KiB"
img info data.qcow2 | grep -q "virtual    200 MiB (209715200 bytes)" || fail "info: $(img info data.qcow2)"
img info data.qcow2 --json | python3 -c 'import json,sys; assert json.load(sys.stdin)["format"]=="qcow2"' ||
	fail "info --json"
ok "convert raw to qcow2 and resize to 204800K (qemu-img info agrees)"

img convert data.raw data.qcow2 > out 2>&1 && fail "convert overwrote data.qcow2"
grep -q "data.qcow2 exists; nothing was overwritten" out || fail "said: $(cat out)"
img create data.qcow2 1G > out 2>&1 && fail "create overwrote data.qcow2"
img resize data.qcow2 100M > out 2>&1 && fail "resize shrank without --shrink"
grep -q "would shrink it" out || fail "said: $(cat out)"
qemu-img info --output=json data.qcow2 | grep -q '"virtual-size": 209715200' || fail "size changed"
img resize data.qcow2 100M --shrink > out 2>&1 || fail "--shrink: $(cat out)"
ok "no overwrite; shrink refused unless --shrink"

img overlay data.qcow2 top.qcow2 >/dev/null || fail "overlay"
qemu-img info --output=json top.qcow2 | grep -q '"backing-filename": "data.qcow2"' || fail "no backing"
img snapshot top.qcow2 create s1 >/dev/null || fail "snapshot create"
img snapshot top.qcow2 list | grep -q "s1" || fail "snapshot list"
img snapshot top.qcow2 list --json > snaps.json || fail "snapshot list --json"
text=$(img snapshot top.qcow2 list)
python3 - snaps.json "$text" <<'PY' || fail "snapshot list --json: $(cat snaps.json)"
import json, sys
snaps = json.load(open(sys.argv[1]))
assert [s["tag"] for s in snaps] == ["s1"], snaps
s = snaps[0]
assert set(s) >= {"id", "tag", "vm_size", "date", "vm_clock"}, s
assert isinstance(s["vm_size"], int) and s["vm_size"] == 0, s
# The same row qemu-img snapshot -l prints: id, tag, date, clock.
row = [l.split() for l in sys.argv[2].splitlines() if " s1 " in l][0]
assert row[0] == s["id"] and row[1] == "s1", (row, s)
assert " ".join(row[4:6]) == s["date"] and row[6] == s["vm_clock"], (row, s)
PY
out=$(img snapshot top.qcow2 create s9 --json 2>&1) && fail "--json taken by snapshot create"
grep -q "\-\-json is for list" <<<"$out" || fail "said: $out"
img snapshot top.qcow2 delete s1 >/dev/null || fail "snapshot delete"
[ "$(img snapshot top.qcow2 list --json | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')" = 0 ] ||
	fail "list --json after delete: $(img snapshot top.qcow2 list --json)"
ok "overlay on a base, offline snapshots create, list (and --json), delete"

# A 1 GiB sparse raw with data in it: progress as plain lines into a pipe, a bar on a tty.
truncate -s 1G big.raw
dd if=/dev/urandom of=big.raw bs=1M count=96 seek=100 conv=notrunc status=none
sum=$(md5sum < big.raw)
img convert big.raw big.qcow2 > out 2>&1 || fail "convert big: $(cat out)"
grep -q "^convert: 50%" out && grep -q "^convert: 100%" out || fail "no progress lines: $(cat out)"
rm big.qcow2
script -qec "$QEMU_TUI image convert big.raw big.qcow2" /dev/null > tty.out || fail "convert on a tty"
grep -q "convert \[#*\.*\] *[0-9.]*%" tty.out || fail "no progress bar: $(head -c 300 tty.out)"
ok "progress: lines in a pipe, a bar on a terminal"

# qemu-img killed mid-convert, and Ctrl-C: the source intact, nothing left behind.
for how in kill int; do
	rm -f big2.qcow2
	# At 16 MB/s the 96 MB of data take about 6 s: time to kill it half-way.
	"$QEMU_TUI" image convert big.raw big2.qcow2 --rate 16M > out 2>&1 &
	pid=$!
	wait_for 30 sh -c "ls -a | grep -q 'big2.qcow2.qemu-tui-.*tmp'" || fail "no temporary file seen"
	if [ $how = kill ]; then pkill -9 -f "qemu-img convert -p -r 16M .*big2.qcow2" || fail "pkill"
	else kill -INT $pid; fi
	wait $pid && fail "convert succeeded after $how"
	cat out
	if [ $how = kill ]; then grep -q "killed (signal 9); nothing was left behind" out || fail "said: $(cat out)"
	else grep -q "cancelled; nothing was left behind" out || fail "said: $(cat out)"; fi
	ls -a | grep -q "qemu-tui-.*tmp" && fail "a temporary file was left ($how)"
	[ ! -e big2.qcow2 ] || fail "big2.qcow2 exists after $how"
	[ "$(md5sum < big.raw)" = "$sum" ] || fail "the source changed"
done
ok "qemu-img killed, or Ctrl-C: the source's md5 unchanged, no temporary file left"

# An image a running VM holds: refused, naming the VM (QEMU's image lock).
need_guest aarch64
guest_profile lockvm aarch64 "\"drives\": [ { \"file\": \"$T/data.qcow2\", \"format\": \"qcow2\", \"if\": \"virtio\" } ]"
qt start lockvm > out 2>&1 || fail "start: $(cat out)"
img resize data.qcow2 300M > out 2>&1 && fail "resized an image a running VM holds"
grep -q "data.qcow2 is in use by the running VM lockvm: stop it first (qemu-tui stop lockvm)" out ||
	fail "said: $(cat out)"
img snapshot data.qcow2 create s2 > out 2>&1 && fail "snapshot of an image a running VM holds"
grep -q "in use by the running VM lockvm" out || fail "said: $(cat out)"
qt stop lockvm --force >/dev/null || fail "stop"
img resize data.qcow2 300M >/dev/null || fail "resize once the VM stopped"
ok "an image a running VM holds is refused with the VM's name; free once it stops"

# A full disk: a small tmpfs.
if [ "$(id -u)" = 0 ]; then
	mkdir small
	mount -t tmpfs -o size=8M tmpfs small || fail "mount tmpfs"
	img convert big.raw small/full.raw --format raw > out 2>&1 && { umount small; fail "convert to a full disk succeeded"; }
	cat out
	left=$(ls -A small)
	umount small
	grep -q "the disk is full writing small/full.raw; nothing was left behind" out || fail "said: $(cat out)"
	[ -z "$left" ] || fail "left behind: $left"
	ok "a full disk: the error names the file and nothing is left"
else
	skip "the full-disk case needs root (a tmpfs)"
fi
