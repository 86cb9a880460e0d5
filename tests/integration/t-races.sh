#!/usr/bin/env bash
# Two starts at the same instant: one QEMU, one supervisor whose pid file is intact;
# the loser says "already starting" (or "already running") and touches nothing.
. "$(dirname "$0")/lib.sh"
need_guest aarch64
guest_profile race aarch64

for round in 1 2 3 4 5; do
	rm -f "$T/go"
	for i in 1 2; do
		( while [ ! -e "$T/go" ]; do :; done
		  if qt start race > "$T/out$i" 2>&1; then echo 0; else echo $?; fi > "$T/rc$i" ) &
	done
	touch "$T/go"
	wait
	rc1=$(cat "$T/rc1") rc2=$(cat "$T/rc2")
	if grep -q "race started" "$T/out1"; then winner=1 loser=2; else winner=2 loser=1; fi
	grep -q "race started" "$T/out$winner" && [ "$(cat "$T/rc$winner")" = 0 ] ||
		fail "round $round: no start won: rc $rc1 $rc2: $(cat "$T/out1" "$T/out2")"
	grep -q "race started" "$T/out$loser" && fail "round $round: both started"
	grep -qE "already (starting|running)" "$T/out$loser" ||
		fail "round $round: the loser said: $(cat "$T/out$loser")"
	pid=$(cat "$(rundir race)/supervisor.pid")
	[ -n "$pid" ] && kill -0 "$pid" || fail "round $round: supervisor.pid is '$pid'"
	n=$(pgrep -fc -- "-name race .*$(rundir race)/" || true)
	[ "$n" = 1 ] || fail "round $round: $n QEMUs"
	state_is race running || fail "round $round: not running"
	qt stop race --force >/dev/null || fail "round $round: stop"
done
ok "5 rounds of two starts at once: one QEMU, an intact supervisor.pid, the loser says why"
