#!/usr/bin/env bash
# The dashboard's disks pane and its jobs: a 1 GiB sparse raw converted from the
# dashboard with its progress in the status line while the dashboard answers keys; C
# cancels a convert and leaves no temporary file and the source as it was; the pane
# shows the format, the virtual size and a snapshot qemu-img made; resize from the pane
# grows the image (shrinking asks first); a running VM's disks are refused with its name.
. "$(dirname "$0")/lib.sh"
need_guest aarch64
command -v tmux >/dev/null || skip "tmux is not installed"
command -v qemu-img >/dev/null || skip "qemu-img is not installed"
cd "$T"
# 1 GiB, sparse, 48 MB of data in the middle; a qcow2 with a snapshot qemu-img made.
truncate -s 1G big.raw
dd if=/dev/urandom of=big.raw bs=1M count=48 seek=300 conv=notrunc status=none
sum=$(md5sum < big.raw)
qemu-img create -q -f qcow2 data.qcow2 64M
qemu-img snapshot -c made-by-qemu-img data.qcow2
guest_profile store aarch64 "\"drives\": [ { \"file\": \"$T/big.raw\", \"format\": \"raw\", \"if\": \"virtio\" },
  { \"file\": \"$T/data.qcow2\", \"format\": \"qcow2\", \"if\": \"virtio\" } ]"
guest_profile other aarch64
# A bandwidth cap makes a convert of the 48 MB last long enough to watch (about 12 s).
mkdir -p "$T/config/qemu-tui"
echo "image-rate = 4M" > "$T/config/qemu-tui/config"

tmux_setup
tm new-session -d -s qt -x 130 -y 42 \
	"env QEMU_TUI_RUNDIR=$QEMU_TUI_RUNDIR XDG_CONFIG_HOME=$T/config LANG=C.UTF-8 TERM=xterm-256color $QEMU_TUI --profiles $T/profiles; echo dashboard-exited; sleep 30"
see "VMs (2)" || fail "dashboard did not open"
tm send-keys -t qt j i	# "other" comes first: select "store", open its disks
see "store: disks" || fail "no disks pane"
see "qcow2, 64.0 MiB virtual" || fail "the pane does not show data.qcow2's format and size"
see "raw, 1.00 GiB virtual" || fail "the pane does not show big.raw's format and size"
see "snapshot made-by-qemu-img" || fail "the pane does not show qemu-img's snapshot"
ok "the disks pane shows each drive's format, virtual size and a snapshot qemu-img made"

# Cancel: the cursor is on big.raw; O converts it beside itself, X cancels.
tm send-keys -t qt O
see "convert big.raw to big.qcow2: " || fail "no job in the status line"
wait_for 30 sh -c "ls -a | grep -q '^\.big\.qcow2\.qemu-tui-.*\.tmp$'" || fail "no temporary file seen"
tm send-keys -t qt X
see "qemu-img convert: cancelled; nothing was left behind" || fail "the cancel was not reported"
ls -a | grep -q "qemu-tui-.*tmp" && fail "a temporary file was left: $(ls -a)"
[ ! -e big.qcow2 ] || fail "big.qcow2 exists after the cancel"
[ "$(md5sum < big.raw)" = "$sum" ] || fail "the source changed"
ok "X cancels a convert: no temporary file, no target, the source's md5 unchanged"

# A whole convert, watched: figures in the status line, and keys answered meanwhile.
tm send-keys -t qt O
see "convert big.raw to big.qcow2: " || fail "no job in the status line"
first=$(screen | grep -o "big.qcow2: [0-9.]*%" | head -n 1)
screen | grep -qE "big\.qcow2: [0-9.]+%  [0-9.]+ [KMG]i?B / 1\.00 GiB.*\[X cancels\]" ||
	fail "no bytes in the status line: $(screen | tail -n 2)"
tm send-keys -t qt '?'
see "qemu-tui keys (any key closes)" 5 || fail "help did not open while the job ran"
# (The help covers the status line: the temporary file says the job still runs.)
ls -a | grep -q '^\.big\.qcow2\.qemu-tui-.*\.tmp$' || fail "the job finished before help was checked: make the data bigger"
tm send-keys -t qt Escape
wait_for 5 sh -c "! tmux -L $sock capture-pane -p -t qt | grep -q 'qemu-tui keys'" || fail "help did not close"
# The disks pane's cursor moves (down to data.qcow2), the job running on.
tm send-keys -t qt j
see ">virtio  $T/data.qcow2" 5 || fail "the disks pane's cursor did not move while the job ran"
screen | grep -q "convert big.raw to big.qcow2: " || fail "the job finished before the keys were checked: make the data bigger"
# The figures move on.
wait_for 60 sh -c "tmux -L $sock capture-pane -p -t qt | grep -o 'big.qcow2: [0-9.]*%' | grep -vqF '$first'" ||
	fail "the percentage never moved from $first"
see "$T/big.qcow2: made from big.raw (qcow2)" 120 || fail "the convert did not end"
qemu-img compare -q big.raw big.qcow2 || fail "big.qcow2 differs from big.raw"
qemu-img info --output=json big.qcow2 | grep -q '"format": "qcow2"' || fail "big.qcow2 is not qcow2"
[ "$(md5sum < big.raw)" = "$sum" ] || fail "the source changed"
ok "a 1 GiB sparse raw converted from the dashboard: progress in the status line, help and the cursor answered meanwhile"

# Resize from the pane (the cursor is on data.qcow2): grow, and a shrink asks first.
tm send-keys -t qt +
see "New size of data.qcow2 (now 64.0 MiB" || fail "no resize prompt"
tm send-keys -t qt 1 2 8 M Enter
see "data.qcow2: resized from 64.0 MiB to 128 MiB" || fail "resize not reported"
qemu-img info --output=json data.qcow2 | grep -q '"virtual-size": 134217728' || fail "qemu-img info: not 128 MiB"
see "qcow2, 128 MiB virtual" || fail "the pane was not read again after the resize"
tm send-keys -t qt + 3 2 M Enter
see "Shrink data.qcow2 from 128 MiB to 32.0 MiB?" || fail "a shrink did not ask"
tm send-keys -t qt n
qemu-img info --output=json data.qcow2 | grep -q '"virtual-size": 134217728' || fail "refused shrink changed the size"
ok "resize from the pane grows the image (qemu-img info agrees); a shrink asks first, no keeps it"

# A snapshot from the pane, then deleted from it.
tm send-keys -t qt n
see "Name of the new snapshot of data.qcow2" || fail "no snapshot prompt"
tm send-keys -t qt C-u p a n e - s n a p Enter
see "data.qcow2: snapshot pane-snap made" || fail "snapshot not reported"
qemu-img snapshot -l data.qcow2 | grep -q pane-snap || fail "qemu-img does not list pane-snap"
see "snapshot pane-snap" || fail "the pane does not show pane-snap"
tm send-keys -t qt j j D
see "Delete snapshot pane-snap of data.qcow2?" || fail "delete did not ask"
tm send-keys -t qt y
see "snapshot pane-snap deleted" || fail "delete not reported"
qemu-img snapshot -l data.qcow2 | grep -q pane-snap && fail "pane-snap is still there"
ok "snapshot create and delete from the pane (qemu-img snapshot -l agrees)"

# A running VM's disks: the actions say which VM holds them and change nothing.
qt start store >out 2>&1 || fail "start: $(cat out)"
see "store is running: its disks change only once it is stopped" 60 || fail "the pane does not say the VM runs"
tm send-keys -t qt +
see "$T/data.qcow2 is held by the running VM store: stop it first" || fail "resize on a running VM not refused"
tm send-keys -t qt O
see "is held by the running VM store" || fail "convert on a running VM not refused"
qt stop store --force >/dev/null || fail "stop"
qemu-img info --output=json data.qcow2 | grep -q '"virtual-size": 134217728' || fail "the size changed"
ok "a running VM's disk: resize and convert refused, naming the VM"

# Quitting while a convert runs asks, then cancels it: no qemu-img and no temporary file
# outlive the dashboard.
rm big.qcow2
wait_for 60 sh -c "! tmux -L $sock capture-pane -p -t qt | grep -q 'store is running'" || fail "the pane still says running"
tm send-keys -t qt k k k O
see "convert big.raw to big.qcow2: " || fail "no job in the status line"
tm send-keys -t qt q
see "Quit? 1 job is running (convert" || fail "quit did not ask about the job"
tm send-keys -t qt y
see "dashboard-exited" || fail "the dashboard did not quit"
ls -a | grep -q "qemu-tui-.*tmp" && fail "a temporary file outlived the dashboard: $(ls -a)"
pgrep -f "qemu-img convert .*$T/" >/dev/null && fail "a qemu-img outlived the dashboard"
[ ! -e big.qcow2 ] || fail "big.qcow2 exists after quitting mid-convert"
[ "$(md5sum < big.raw)" = "$sum" ] || fail "the source changed"
ok "quitting mid-convert asks, cancels it, and leaves no qemu-img and no temporary file"
echo "PASS: t-disks-pane"
