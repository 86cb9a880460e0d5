#!/usr/bin/env bash
# CPU used by an idle dashboard watching N running VMs (default 10), measured from
# /proc over a window. The VMs are real (the aarch64 test guest), paused once up so
# that their TCG threads leave the machine's cores to the measurement; the dashboard's
# work (QMP connections, 1 s refresh, drawing) is the same for a paused VM.
# Usage: bench/dashboard-idle.sh [N] [SECONDS]   Prints: dashboard-idle: N VMs, X% of one core
set -euo pipefail
n=${1:-10}
secs=${2:-20}
. "$(dirname "$0")/../tests/integration/lib.sh"
need_guest aarch64
for i in $(seq 1 "$n"); do
	guest_profile "vm$i" aarch64 '"memory": "128M"'
	qt start "vm$i" >/dev/null
	qt pause "vm$i" >/dev/null
done
sock=qtb$$
trap 'tmux -L "$sock" kill-server 2>/dev/null || true; cleanup' EXIT
tmux -L "$sock" new-session -d -s b -x 120 -y 40 \
	"env QEMU_TUI_RUNDIR=$QEMU_TUI_RUNDIR TERM=xterm-256color LANG=C.UTF-8 $QEMU_TUI --profiles $T/profiles"
sleep 3
pid=$(tmux -L "$sock" list-panes -t b -F '#{pane_pid}')
ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
t0=$(ticks "$pid")
sleep "$secs"
t1=$(ticks "$pid")
hz=$(getconf CLK_TCK)
pct=$(awk -v a="$t0" -v b="$t1" -v hz="$hz" -v s="$secs" 'BEGIN { printf "%.2f", (b - a) * 100 / hz / s }')
echo "dashboard-idle: $n VMs, ${pct}% of one core over ${secs} s"
tmux -L "$sock" capture-pane -p -t b | grep -c 'paused' | xargs -I{} echo "dashboard shows {} paused VMs"
for i in $(seq 1 "$n"); do qt stop "vm$i" --force >/dev/null; done
