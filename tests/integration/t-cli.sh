#!/usr/bin/env bash
# The command line without a VM (no QEMU needed, so it never skips): every command takes
# only its own options, and an unknown option, a missing NAME or an extra argument prints
# its usage and exits 2; --help for each; options after NAME; `list --names`; and the
# bash completion script completing a command, an option and a profile name.
. "$(dirname "$0")/lib.sh"

for n in alpha vm2 vm10; do
	printf '{ "name": "%s", "arch": "x86_64", "memory": "128M" }\n' "$n" > "$T/profiles/$n.json"
done

# run ARGS...: qt's exit status, stdout and stderr in $rc, $out, $err.
run() {
	rc=0
	qt "$@" > "$T/out" 2> "$T/err" || rc=$?
	out=$(cat "$T/out")
	err=$(cat "$T/err")
}
usage_error() {	# CMD WHAT ARGS...: exit 2, the message, the command's usage
	local cmd=$1 what=$2
	shift 2
	run "$cmd" "$@"
	[ "$rc" = 2 ] || fail "$cmd $*: rc=$rc, not 2 ($err)"
	grep -qF -- "qemu-tui $cmd: $what" <<< "$err" || fail "$cmd $*: no \"$what\": $err"
	grep -qF -- "usage: qemu-tui $cmd" <<< "$err" || fail "$cmd $*: no usage: $err"
	[ -z "$out" ] || fail "$cmd $*: printed on stdout: $out"
}

# The commands and each one's options, as the binary's own --help lists them.
run --help
[ "$rc" = 0 ] || fail "--help: rc=$rc"
cmds=$(echo "$out" | sed -n '/^Commands/,$p' | sed -n 's/^  \([a-z][a-z-]*\)\( .*\)\{0,1\}$/\1/p')
[ "$(echo "$cmds" | wc -w)" -ge 21 ] || fail "--help lists too few commands: $cmds"
declare -A opts synopsis
all_opts= own=
for c in $cmds; do
	run "$c" --help
	[ "$rc" = 0 ] || fail "$c --help: rc=$rc $err"
	# A command that reads its own arguments (options after a sub-command) has its own
	# --help, without the table's Options list: its own test covers its parsing.
	if ! grep -qx 'Options:' <<< "$out"; then
		own="$own $c"
		continue
	fi
	synopsis[$c]=$(echo "$out" | sed -n "1s/^usage: qemu-tui $c *//p")
	[[ $out == "usage: qemu-tui $c"* ]] || fail "$c --help: $out"
	opts[$c]=$(echo "$out" | sed -n 's/^ \{2\}\(-., \|    \)--\([a-z-]*\).*/--\2/p' | grep -vx -- --help || true)
	all_opts="$all_opts ${opts[$c]}"
done
all_opts=$(printf '%s\n' $all_opts | sort -u)
ok "--help lists $(echo "$cmds" | wc -w) commands, each with its own --help"

for c in $cmds; do
	[[ " $own " == *" $c "* ]] && continue
	syn=${synopsis[$c]}
	first=$(echo "$syn" | sed 's/\[[^]]*\] *//g; s/ .*//')	# first required argument
	[ -n "$first" ] && a1=vm2 || a1=
	[ "$c" = completion ] && a1=bash
	usage_error "$c" "unknown option --no-such-option" --no-such-option $a1
	usage_error "$c" "unknown option -Z" -Z $a1
	if [ -n "$first" ]; then
		usage_error "$c" "missing $first"
	fi
	# Extra arguments (ssh takes the remote command's words: any number).
	case $syn in
	*...*) ;;
	*) n=$(echo "$syn" | sed 's/\[--[^]]*\]//g' | wc -w)
	   usage_error "$c" "unexpected argument \"extra\"" $(for i in $(seq 1 "$n"); do echo "${a1:-vm2}"; done) extra ;;
	esac
	# Another command's option is not this one's.
	for o in $all_opts; do
		grep -qx -- "$o" <<< "${opts[$c]}" && continue
		usage_error "$c" "unknown option $o" "$o" $a1
	done
done
ok "each command: unknown options, others' options, missing NAME, extra arguments (own parsers:$own)"

# The usage lines the other tests and scripts rely on.
run console
grep -qxF 'usage: qemu-tui console [--no-history] [--send TEXT] [--expect REGEX] [--script FILE] [--timeout S] NAME' <<< "$err" || fail "console: $err"
run ssh
grep -qxF 'usage: qemu-tui ssh NAME [-- COMMAND...]' <<< "$err" || fail "ssh: $err"
run ssh-config
grep -qxF 'usage: qemu-tui ssh-config NAME' <<< "$err" || fail "ssh-config: $err"
usage_error start "--timeout takes whole seconds (1 to 86400), not \"soon\"" vm2 --timeout soon
usage_error stop "--timeout needs a value (S)" vm2 --timeout
usage_error list "--json takes no value" --json=yes
usage_error completion "missing bash|zsh"
ok "usage lines, bad and missing option values"

# A usage error touches nothing: no run directory appears.
run start --json vm2
[ ! -e "$QEMU_TUI_RUNDIR/vm2" ] || fail "a refused start made a run directory"

# Options before or after NAME, and --set before or after the command.
run status vm2 --json
[ "$rc" = 0 ] && echo "$out" | python3 -c 'import json,sys; assert json.load(sys.stdin)["state"] == "stopped"' ||
	fail "status vm2 --json: rc=$rc $out $err"
run cmdline vm2 --set memory=300M
[ "$rc" = 0 ] && grep -q -- "^ *-m 300M" <<< "$out" || fail "cmdline --set after NAME: $out $err"
run --set memory=400M cmdline --set smp=3 vm2
grep -q -- "^ *-m 400M" <<< "$out" && grep -q -- "^ *-smp 3 " <<< "$out" ||
	fail "--set before and after the command: $out $err"
ok "options after NAME; --set before and after the command"

run list --names
[ "$rc" = 0 ] && [ "$(echo "$out" | sort | tr '\n' ' ')" = "alpha vm10 vm2 " ] || fail "list --names: $out $err"
[ -z "$err" ] || fail "list --names wrote to stderr: $err"
ok "list --names prints the names only"

# ---- bash completion: the script the binary prints (and the one make install installs).
run completion bash
[ "$rc" = 0 ] && [ -n "$out" ] || fail "completion bash: rc=$rc $err"
echo "$out" > "$T/qemu-tui.bash"
bash -n "$T/qemu-tui.bash" || fail "the bash completion script does not parse"
if [ -n "${top_builddir:-}" ] && [ -f "$top_builddir/completion/qemu-tui" ]; then
	cmp -s "$T/qemu-tui.bash" "$top_builddir/completion/qemu-tui" ||
		fail "completion/qemu-tui differs from \`qemu-tui completion bash\`"
fi
# complete WORDS...: what the completion function offers for the last word (the line
# typed so far, COMP_WORDS as bash sets it), one a line.
complete_words() {
	bash --norc --noprofile -c '
		. "$1"; shift
		COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1))
		COMP_LINE="$*"; COMP_POINT=${#COMP_LINE}
		_qemu_tui "$1" "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}"
		[ ${#COMPREPLY[@]} -eq 0 ] || printf "%s\n" "${COMPREPLY[@]}"' _ "$T/qemu-tui.bash" "$QEMU_TUI" "$@" | sort | tr '\n' ' '
}
expect() {	# WANT WORDS...
	local want=$1 got
	shift
	got=$(complete_words "$@")
	[ "$got" = "$want" ] || fail "completing [$*]: got [$got], want [$want]"
}
expect "start status stop " st
expect "ssh ssh-config " ss
expect "completion " compl
expect "--profiles " --pro
expect "--force --help --timeout " stop --
expect "--force " stop vm2 --f
expect "--no-history " console --no
expect "--help --json --names " list --
expect "alpha vm10 vm2 " --profiles "$T/profiles" start ""
expect "vm10 vm2 " --profiles "$T/profiles" stop --timeout 9 --force vm
expect "vm10 vm2 " --profiles "$T/profiles" --set memory=1G start --set smp=2 v
expect "" --profiles "$T/profiles" start vm2 ""			# one NAME only
expect "" --profiles "$T/profiles" stop --timeout ""		# the value of --timeout
expect "" --profiles "$T/profiles" ssh vm2 --			# the remote command's words
expect "" --profiles "$T/profiles" ssh vm2 ""
expect "bash zsh " completion ""
expect "create " image cr
expect "check " net ch
expect "--help --json " doctor --
expect "alpha " --profiles "$T/profiles" doctor al
expect "alpha " --profiles "$T/profiles" forward al
expect "" profile-help ""
QEMU_TUI_PROFILES=$T/profiles expect "alpha " console a
ok "bash completion: commands, options, profile names"

# ---- zsh: the script is made from the same table; check its syntax where zsh exists.
run completion zsh
[ "$rc" = 0 ] && [[ $out == "#compdef qemu-tui"$'\n'* ]] || fail "completion zsh: $err"
for c in $cmds; do
	grep -qF "($c)" <<< "$out" || fail "the zsh script has no case for $c"
done
if command -v zsh >/dev/null; then
	echo "$out" | zsh -n || fail "the zsh completion script does not parse"
	ok "zsh completion script (parsed by zsh)"
else
	ok "zsh completion script (zsh is not installed: not parsed)"
fi
