#!/usr/bin/env bash
# `qemu-tui ssh` and `qemu-tui ssh-config` against the real x86_64 test guest's dropbear
# (through QEMU's user-mode hostfwd): one command with its exit status, stdout and stderr
# apart, stdin forwarded; waiting for sshd while the guest boots; accept-new writing
# known_hosts, and a changed host key (the guest rebuilt with a new one) refused without
# touching it; an unknown key with "ask" and no terminal; a password on /dev/tty when the
# key is refused (and three wrong ones); an interactive shell; an sshd that never answers
# failing in time; a Host block that OpenSSH accepts; usage and unknown names.
. "$(dirname "$0")/lib.sh"
need_guest x86_64
GUEST=$(cd "$GUEST" && pwd)	# written into profiles and ssh configs: absolute
command -v tmux >/dev/null || skip "tmux is not installed"
command -v ssh >/dev/null || skip "no ssh client"
command -v setsid >/dev/null || skip "setsid is not installed"

# A private HOME: libssh reads and writes $HOME/.ssh/known_hosts. No agent.
export HOME=$T/home
mkdir -p "$HOME"
unset SSH_AUTH_SOCK
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
kh=$HOME/.ssh/known_hosts

# The profile leaves ssh.port to the start (so ssh-config of a stopped VM has no port);
# every start here fixes it with --set, so that both boots answer on the same port.
cat > "$T/profiles/x.json" <<JSON
{ "name": "x", "arch": "x86_64", "accel": "tcg", "memory": "256M",
  "kernel": "$GUEST/x86_64/vmlinuz", "initrd": "$GUEST/x86_64/initrd.img",
  "append": "console=ttyS0 quiet",
  "ssh": { "user": "root", "identity": "$GUEST/id_ed25519", "host_key_check": "accept-new" } }
JSON

ssock=qts$$
st() { tmux -L "$ssock" "$@"; }
trap 'st kill-server 2>/dev/null || true; cleanup' EXIT
# The whole pane with its scrollback, wrapped lines joined.
pane() { st capture-pane -p -J -S -200 -t "$1"; }
# shows SESSION SECONDS GREP-ARGS...: until the pane matches.
shows() {
	local s=$1 until=$((SECONDS + $2))
	shift 2
	while ! pane "$s" | grep -q "$@"; do
		if [ $SECONDS -ge $until ]; then
			echo "--- pane $s, waiting for: $*"; pane "$s"; return 1
		fi
		sleep 0.2
	done
}
# ssh_tmux SESSION ARGS...: `qemu-tui ARGS...` on a terminal; the pane says how it ended.
ssh_tmux() {
	local s=$1
	shift
	st new-session -d -s "$s" -x 150 -y 30 "env -u SSH_AUTH_SOCK HOME=$HOME QEMU_TUI_RUNDIR=$QEMU_TUI_RUNDIR $QEMU_TUI --profiles $T/profiles $*; echo rc=\$?; sleep 60"
}
now() { date +%s.%N; }
elapsed() { python3 -c 'import sys; print("%.1f" % (float(sys.argv[2]) - float(sys.argv[1])))' "$1" "$(now)"; }

t0=$SECONDS

# --- Without a VM: usage, unknown names, ssh-config without a port.
out=$(qt ssh 2>&1; echo "rc=$?")
grep -qF 'usage: qemu-tui ssh NAME [-- COMMAND...]' <<<"$out" && grep -qx 'rc=2' <<<"$out" ||
	fail "ssh without NAME: $out"
out=$(qt ssh-config 2>&1; echo "rc=$?")
grep -qF 'usage: qemu-tui ssh-config NAME' <<<"$out" && grep -qx 'rc=2' <<<"$out" ||
	fail "ssh-config without NAME: $out"
out=$(qt ssh nosuch -- true 2>&1; echo "rc=$?")
grep -qF 'no profile named "nosuch"' <<<"$out" && ! grep -qx 'rc=0' <<<"$out" ||
	fail "ssh of an unknown name: $out"
out=$(qt ssh-config nosuch 2>&1; echo "rc=$?")
grep -qF 'no profile named "nosuch"' <<<"$out" && ! grep -qx 'rc=0' <<<"$out" ||
	fail "ssh-config of an unknown name: $out"
ok "no NAME: usage and exit 2 (ssh, ssh-config); an unknown NAME: the message, non-zero"

out=$(qt ssh-config x 2>&1; echo "rc=$?")
grep -qF 'x is not running, and its ssh port is chosen when it starts (start it, or fix one with ssh.port' <<<"$out" &&
	! grep -qx 'rc=0' <<<"$out" && ! grep -q '^Host' <<<"$out" ||
	fail "ssh-config of a VM never started, port chosen at start: $out"
ok "ssh-config of a VM never started whose port is chosen at start: says to start it or set ssh.port"

# --- The same guest with a new host key, for later (re-packed from a copy of the cache).
g2=$T/guest2
mkdir -p "$g2/.cache"
[ -d "$GUEST/.cache/x86_64" ] && cp -a "$GUEST/.cache/x86_64" "$g2/.cache/"
cp -p "$GUEST"/id_ed25519 "$GUEST"/id_ed25519.pub "$GUEST"/wrong_ed25519 "$GUEST"/wrong_ed25519.pub "$g2/"
"$top_srcdir/tests/guest/build.sh" --out "$g2" --new-host-key x86_64 > "$T/build.log" 2>&1 ||
	fail "build.sh --new-host-key: $(tail -5 "$T/build.log")"
[ "$(head -1 "$g2/hostkey.pub.txt")" != "$(head -1 "$GUEST/hostkey.pub.txt")" ] || fail "the new host key is the old one"

# --- Boot, and connect at once: the session waits for sshd; accept-new saves the key.
port=$(free_port)
qt start x --set ssh.port="$port" > "$T/start.out" || fail "start: $(cat "$T/start.out")"
booting=yes
guest_ready x 2>/dev/null && booting=no
s=$(now)
rc=0
qt ssh x -- true > "$T/first.out" 2> "$T/first.err" || rc=$?
took=$(elapsed "$s")
[ "$rc" = 0 ] || fail "ssh right after start: rc=$rc: $(cat "$T/first.err")"
[ $booting = yes ] || fail "the guest was ready before the first ssh: this does not test the wait"
ok "ssh right after start (guest not ready yet) waits for sshd and succeeds (${took} s)"

[ -f "$kh" ] || fail "accept-new: no $kh"
[ "$(wc -l < "$kh")" = 1 ] || fail "accept-new: known_hosts: $(cat "$kh")"
grep -qxF "[127.0.0.1]:$port $(head -1 "$GUEST/hostkey.pub.txt" | cut -d' ' -f1,2)" "$kh" ||
	fail "accept-new: known_hosts has $(cat "$kh"), the guest's key is $(head -1 "$GUEST/hostkey.pub.txt")"
[ "$(stat -c %a "$HOME/.ssh")" = 700 ] || fail "\$HOME/.ssh made with mode $(stat -c %a "$HOME/.ssh")"
ok "accept-new: one line [127.0.0.1]:$port with the guest's ed25519 key in \$HOME/.ssh/known_hosts"

# --- One command: output, exit status, stdout/stderr apart, stdin.
out=$(qt ssh x -- uname -a 2> "$T/err") || fail "uname -a: rc=$?: $(cat "$T/err")"
grep -q 'qtguest' <<<"$out" && grep -q 'x86_64' <<<"$out" || fail "uname -a said: $out"
[ ! -s "$T/err" ] || fail "stderr of a quiet command: $(cat "$T/err")"
ok "ssh x -- uname -a: $out"
# Like ssh, options end at NAME: the command's own dashes need no --.
out2=$(qt ssh x uname -m -n 2> "$T/err") || fail "ssh x uname -m -n: rc=$?: $(cat "$T/err")"
[ "$out2" = "qtguest x86_64" ] || fail "ssh x uname -m -n said: $out2"
ok "ssh x uname -m -n (no --): the options after NAME are the command's"

# ssh-agent comes first: with the profile's key a refused one and no terminal for a
# password, only the agent's key can log in.
if command -v ssh-agent >/dev/null && command -v ssh-add >/dev/null; then
	eval "$(ssh-agent -s)" >/dev/null
	ssh-add -q "$GUEST/id_ed25519" 2>/dev/null || fail "ssh-add"
	out=$(setsid -w "$QEMU_TUI" --profiles "$T/profiles" --set "ssh.identity=$GUEST/wrong_ed25519" \
		ssh x -- echo agent-ok </dev/null 2>&1)
	ssh-agent -k >/dev/null
	unset SSH_AUTH_SOCK SSH_AGENT_PID
	[ "$out" = agent-ok ] || fail "login through ssh-agent: $out"
	ok "ssh-agent's key is tried first (the profile's key is refused, no password asked)"
else
	fail "ssh-agent is not installed (openssh-client)"
fi

rc=0
qt ssh x -- 'exit 7' > "$T/out" 2> "$T/err" || rc=$?
[ "$rc" = 7 ] || fail "exit 7 gave rc=$rc: $(cat "$T/err")"
ok "the remote command's exit status is qemu-tui's (7)"

rc=0
qt ssh x -- 'echo to-out; echo to-err >&2; echo more-out' > "$T/out" 2> "$T/err" || rc=$?
[ "$rc" = 0 ] && [ "$(cat "$T/out")" = "$(printf 'to-out\nmore-out')" ] && [ "$(cat "$T/err")" = to-err ] ||
	fail "stdout/stderr: rc=$rc out=[$(cat -A "$T/out")] err=[$(cat -A "$T/err")]"
ok "the remote stdout and stderr arrive apart, without CRs"

out=$(echo hi | qt ssh x -- cat 2>&1) || fail "echo hi | ssh cat: rc=$?: $out"
[ "$out" = hi ] || fail "echo hi | ssh cat: [$out]"
head -c 1000000 /dev/urandom > "$T/blob"
want=$(md5sum < "$T/blob" | cut -d' ' -f1)
got=$(qt ssh x -- md5sum < "$T/blob" 2>&1) || fail "md5sum < blob: rc=$?: $got"
[ "${got%% *}" = "$want" ] || fail "1 MB of stdin: md5 $got, want $want"
# Ten times, into a pipe that fills: data libssh parsed while asked about the other
# stream was once left in its buffers, so one run in fifteen hung or lost bytes.
for i in 1 2 3 4 5 6 7 8 9 10; do
	rc=0
	got=$(timeout 60 "$QEMU_TUI" --profiles "$T/profiles" ssh x -- 'head -c 1000000 /dev/zero' \
		2> "$T/err" | wc -c) || rc=$?
	[ "$rc" = 0 ] && [ "$got" = 1000000 ] ||
		fail "1 MB of stdout, run $i: rc=$rc (124: hung), $got bytes: $(cat "$T/err")"
done
ok "stdin is forwarded (echo hi | cat; 1 MB of binary intact), and 1 MB of stdout comes back whole, ten times"

# --- ssh-config: the running VM's port; OpenSSH accepts the block.
qt ssh-config x > "$T/ssh_config" 2> "$T/err" || fail "ssh-config: rc=$?: $(cat "$T/err")"
sport=$(qt status x --json | python3 -c 'import json,sys; print([f["host_port"] for f in json.load(sys.stdin)["forwards"] if f.get("ssh")][0])')
[ "$sport" = "$port" ] || fail "status --json: ssh forward on $sport, started with $port"
for l in 'Host x' 'HostName 127.0.0.1' "Port $port" 'User root' "IdentityFile $GUEST/id_ed25519" \
	'StrictHostKeyChecking accept-new'; do
	grep -qx " *$l" "$T/ssh_config" || fail "ssh-config has no \"$l\": $(cat "$T/ssh_config")"
done
ok "ssh-config: Host x, HostName 127.0.0.1, Port $port (= status --json), User root, the identity, accept-new"

out=$(ssh -F "$T/ssh_config" -o BatchMode=yes -o IdentitiesOnly=yes -o UserKnownHostsFile="$kh" \
	-o ConnectTimeout=20 x 'echo openssh-$((6*7)); uname -n' 2>&1) || fail "OpenSSH with the block: rc=$?: $out"
grep -qx 'openssh-42' <<<"$out" && grep -qx qtguest <<<"$out" || fail "OpenSSH with the block said: $out"
[ "$(wc -l < "$kh")" = 1 ] || fail "known_hosts after OpenSSH: $(cat "$kh")"
ok "OpenSSH (ssh -F block -o BatchMode=yes) logs in with the block and knows the host from qemu-tui's line"

# --- "ask" with no terminal: an unknown key is refused, pointing at accept-new.
mkdir -p "$T/home2"
rc=0
HOME=$T/home2 setsid -w "$QEMU_TUI" --profiles "$T/profiles" --set ssh.host_key_check=ask ssh x -- echo in \
	< /dev/null > "$T/out" 2> "$T/err" || rc=$?
[ "$rc" = 255 ] || fail "ask without a terminal: rc=$rc out=$(cat "$T/out") err=$(cat "$T/err")"
grep -q 'no terminal to ask on' "$T/err" && grep -q 'accept-new' "$T/err" ||
	fail "ask without a terminal said: $(cat "$T/err")"
[ ! -s "$T/out" ] || fail "ask without a terminal ran the command: $(cat "$T/out")"
[ ! -e "$T/home2/.ssh/known_hosts" ] || fail "ask without a terminal saved the key: $(cat "$T/home2/.ssh/known_hosts")"
ok "host_key_check ask, no terminal: unknown key refused (exit 255), the message names accept-new, nothing saved"

# --- Nobody answers: fails within connect_timeout.
closed=$(free_port)
s=$(now)
rc=0
qt --set ssh.host=127.0.0.1 --set ssh.port="$closed" --set ssh.connect_timeout=3 ssh x -- true \
	> "$T/out" 2> "$T/err" || rc=$?
took=$(elapsed "$s")
[ "$rc" = 255 ] || fail "unreachable: rc=$rc: $(cat "$T/err")"
grep -qF "no sshd answered on 127.0.0.1:$closed within 3 s" "$T/err" || fail "unreachable said: $(cat "$T/err")"
python3 -c 'import sys; sys.exit(0 if 2.5 <= float(sys.argv[1]) <= 10 else 1)' "$took" ||
	fail "unreachable: gave up after $took s (connect_timeout 3)"
ok "an sshd that never answers (port $closed, connect_timeout 3): exit 255 after ${took} s, says so"

# --- The key is refused: a password on /dev/tty, not echoed.
ssh_tmux pw --set ssh.identity="$GUEST/wrong_ed25519" ssh x -- echo pw-ok
shows pw 30 -F "root@127.0.0.1's password:" || fail "no password prompt with a refused key"
st send-keys -t pw -l qemu-tui
sleep 0.5
! pane pw | grep -qF qemu-tui || fail "the password is echoed: $(pane pw)"
st send-keys -t pw Enter
shows pw 30 -x 'pw-ok' || fail "password login: no pw-ok"
shows pw 10 -x 'rc=0' || fail "password login: not exit 0"
! pane pw | grep -qF 'qemu-tui' || fail "the password is on the screen: $(pane pw)"
ok "a refused key falls back to a password asked on /dev/tty (not echoed); the command runs, exit 0"

ssh_tmux pw3 --set ssh.identity="$GUEST/wrong_ed25519" ssh x -- echo pw-ok
for i in 1 2 3; do
	until=$((SECONDS + 30))
	while [ "$(pane pw3 | grep -c "root@127.0.0.1's password:")" -lt $i ]; do
		[ $SECONDS -lt $until ] || fail "password prompt $i never came: $(pane pw3)"
		sleep 0.2
	done
	st send-keys -t pw3 -l "nope-$i"
	st send-keys -t pw3 Enter
done
shows pw3 30 -x 'rc=255' || fail "three wrong passwords: not exit 255"
pane pw3 | grep -q "permission denied for root@127.0.0.1:$port" || fail "three wrong passwords said: $(pane pw3)"
[ "$(pane pw3 | grep -c 'Permission denied, try again.')" = 2 ] || fail "not 3 prompts: $(pane pw3)"
! pane pw3 | grep -q 'nope-' || fail "a wrong password is on the screen: $(pane pw3)"
! pane pw3 | grep -qx 'pw-ok' || fail "the command ran after wrong passwords"
ok "three wrong passwords: two 'try again' prompts, then exit 255 with permission denied"

# --- No command on a terminal: an interactive shell with a pty; its exit status is ours.
ssh_tmux sh ssh x
shows sh 30 -F 'qtguest:~#' || fail "no shell prompt"
tok=tty-$RANDOM
st send-keys -t sh "tty; echo \$TERM; echo $tok" Enter
shows sh 10 -x "$tok" || fail "no output from the shell"
pane sh | grep -q '^/dev/pts/' || fail "no pty: $(pane sh)"
pane sh | grep -qx 'xterm-256color' || fail "TERM: $(pane sh)"
# Raw mode: Ctrl-C goes to the guest's shell, not to qemu-tui.
st send-keys -t sh 'sleep 100' Enter
sleep 1
st send-keys -t sh C-c
tok=after-$RANDOM
st send-keys -t sh "echo $tok" Enter
shows sh 10 -x "$tok" || fail "Ctrl-C ended the session instead of the guest's sleep"
st send-keys -t sh 'exit 3' Enter
shows sh 10 -x 'rc=3' || fail "shell exit 3: not rc=3"
ok "no command on a terminal: a login shell on a pty (TERM=xterm-256color), Ctrl-C reaches it, exit 3 is rc=3"

# --- SIGTERM ends a running command: 128+15.
qt ssh x -- 'echo started; sleep 100' > "$T/out" 2> "$T/err" &
spid=$!
wait_for 30 grep -qx started "$T/out" || fail "the command never started: $(cat "$T/err")"
kill -TERM $spid
rc=0
wait $spid || rc=$?
[ "$rc" = 143 ] || fail "SIGTERM: rc=$rc: $(cat "$T/err")"
ok "SIGTERM ends qemu-tui ssh running a command with 143"

# --- The guest comes back with a new host key on the same port: refused, known_hosts kept.
sum=$(md5sum < "$kh")
qt stop x --force > "$T/out" 2>&1 || fail "stop: $(cat "$T/out")"
qt start x --set ssh.port="$port" --set initrd="$g2/x86_64/initrd.img" > "$T/out" 2>&1 ||
	fail "start with the new host key: $(cat "$T/out")"
rc=0
qt ssh x -- echo in > "$T/out" 2> "$T/err" || rc=$?
[ "$rc" = 255 ] || fail "changed host key: rc=$rc out=$(cat "$T/out") err=$(cat "$T/err")"
[ ! -s "$T/out" ] || fail "changed host key: the command ran: $(cat "$T/out")"
grep -q 'CHANGED' "$T/err" || fail "changed host key said: $(cat "$T/err")"
grep -qF "line 1 of $kh" "$T/err" || fail "changed host key: no 'line 1 of $kh': $(cat "$T/err")"
grep -qF "ssh-keygen -f $kh -R '[127.0.0.1]:$port'" "$T/err" || fail "changed host key: no ssh-keygen -R: $(cat "$T/err")"
grep -qF "$(sed -n 2p "$g2/hostkey.pub.txt")" "$T/err" || fail "changed host key: the new fingerprint is not named: $(cat "$T/err")"
[ "$(md5sum < "$kh")" = "$sum" ] || fail "changed host key: known_hosts was changed: $(cat "$kh")"
ok "a changed host key (guest rebuilt, same port): exit 255, CHANGED, line 1 of known_hosts, the ssh-keygen -R line; known_hosts untouched"

# --- Stopped, port chosen at start: ssh-config has no port to give.
qt stop x --force > "$T/out" 2>&1 || fail "stop: $(cat "$T/out")"
out=$(qt ssh-config x 2>&1; echo "rc=$?")
grep -qF 'x is not running, and its ssh port is chosen when it starts (start it, or fix one with ssh.port' <<<"$out" &&
	! grep -qx 'rc=0' <<<"$out" && ! grep -q "Port $port" <<<"$out" ||
	fail "ssh-config of a stopped VM: $out"
ok "ssh-config of a stopped VM whose port is chosen at start: non-zero, start it or set ssh.port"
# A stopped VM with user networking: said at once, not after connect_timeout.
start=$SECONDS
out=$(qt --set ssh.port=$port ssh x -- true 2>&1; echo "rc=$?")
grep -qF 'x is stopped (start it with `qemu-tui start x`)' <<<"$out" && grep -qx 'rc=255' <<<"$out" ||
	fail "ssh to a stopped VM: $out"
[ $((SECONDS - start)) -le 3 ] || fail "ssh to a stopped VM took $((SECONDS - start)) s"
ok "ssh to a stopped VM (fixed port) says it is stopped at once"

echo "PASS: t-ssh-cli ($((SECONDS - t0)) s)"
