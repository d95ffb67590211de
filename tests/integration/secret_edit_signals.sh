#!/bin/sh
# issue 21 item 2: `tenantc secret edit` never leaves plaintext behind.
# The issue found that Ctrl-C, SIGTERM or SIGHUP while the editor is open left
# the whole plaintext in a temporary file. Here a fake editor records where
# the plaintext file is (and its modes) and blocks; then the editor is killed,
# or tenantc gets SIGINT, SIGTERM, SIGHUP or SIGQUIT, or SIGINT goes to the
# whole process group as Ctrl-C does. After each: the file and its folder are
# gone, nothing at all is left under the temporary base folder, the input
# Secret is unchanged byte for byte, and no plaintext value is in any file
# under the base folder or the test folder. Also: failing editors (exit 1, not
# found, ignoring every signal) and a normal successful edit.
. "$(dirname "$0")/lib.sh"
cd "$T"
ulimit -c 0 2>/dev/null || true

# a memory-backed base folder of our own, given as XDG_RUNTIME_DIR (0700,
# ours), so that "nothing left under it" can be checked exactly
if [ "$(stat -f -c %T /dev/shm 2>/dev/null)" = tmpfs ]; then
	BASE=$(mktemp -d /dev/shm/tenantc-test-base.XXXXXX)
	trap 'rm -rf "$T" "$BASE"' EXIT
	trap 'exit 129' HUP # so that a timeout's SIGTERM still removes the folder
	trap 'exit 143' TERM
	export XDG_RUNTIME_DIR="$BASE"
	unset TMPDIR
else
	echo "note: /dev/shm is not tmpfs; the plaintext goes to disk under TMPDIR"
	BASE="$T/base"
	mkdir -m 700 "$BASE"
	export TMPDIR="$BASE"
	unset XDG_RUNTIME_DIR
fi

# the example repository's inputs and its published test identity (lib.sh)
copy_example repo
FILES=$(cd repo && ls tenants/*/secrets/*.yaml)
[ -n "$FILES" ] || { echo "no example Secrets"; exit 1; }
mkdir orig
for f in $FILES; do mkdir -p "orig/${f%/*}" && cp "repo/$f" "orig/$f"; done
# the plaintext values, kept in this shell only
VALUES=$(for f in $FILES; do "$TENANTC" secret decrypt "repo/$f" |
	sed -n '/^stringData:/,$s/^    [^ :]*: //p'; done)
[ "$(printf '%s\n' "$VALUES" | grep -c .)" -ge 2 ] || { echo "cannot decrypt the examples"; exit 1; }
F=repo/tenants/acme/secrets/realm-clients.yaml

# INT and QUIT are ignored in the background jobs of a script (and HUP when
# the suite runs under nohup), and tenantc keeps a signal ignored when it
# starts with it ignored (it then cannot end tenantc); give them back their
# default action for the jobs below
if env --default-signal=INT,QUIT,HUP true 2>/dev/null; then
	LAUNCH="env --default-signal=INT,QUIT,HUP"
else
	LAUNCH=""
	echo "note: env --default-signal is missing; SIGINT and SIGQUIT cases are skipped"
fi

# the fake editor: copies the file as an editor's swap file would, records
# "path folder-mode file-mode its-pid sleep-pid" in $EDLOG, notes each signal
# it gets in $EDLOG.sig and waits (IGNORE=1: ignores every signal)
cat >editor.sh <<'SH'
#!/bin/sh
f=$1
cp "$f" "${f%/*}/.secret.yaml.swp"
sleep 300 </dev/null >/dev/null 2>&1 &
pid=$!
if [ -n "${IGNORE:-}" ]; then
	trap '' INT TERM HUP QUIT
else
	for s in INT TERM HUP QUIT; do
		trap "echo $s >>\"\$EDLOG.sig\"; kill $pid; exit 1" $s
	done
fi
printf '%s %s %s %s %s\n' "$f" "$(stat -c %a "${f%/*}")" "$(stat -c %a "$f")" $$ $pid \
	>"$EDLOG.tmp"
mv "$EDLOG.tmp" "$EDLOG"
wait $pid
exit "${EXIT:-0}"
SH
chmod +x editor.sh
export EDLOG="$T/edlog" EDITOR="$T/editor.sh"
unset SOPS_EDITOR

# start an edit in the background and wait until the editor has the file
start() { # [setsid]
	rm -f "$EDLOG" "$EDLOG.sig"
	${1:-} $LAUNCH "$TENANTC" secret edit "$F" >"$T/out" 2>"$T/err" &
	TPID=$!
	i=0
	while [ ! -s "$EDLOG" ] && [ $i -lt 200 ]; do sleep 0.05; i=$((i + 1)); done
	[ -s "$EDLOG" ] || { bad "the editor did not start: $(cat "$T/err")"; return 1; }
	read -r EPATH EDMODE EFMODE EPID SPID <"$EDLOG"
}

# the checks after an edit that must have changed nothing
clean() { # title
	why=""
	case $EPATH in "$BASE"/tenantc-edit-*/secret.yaml) ;; *) why="$why, path $EPATH" ;; esac
	[ "$EDMODE $EFMODE" = "700 600" ] || why="$why, modes $EDMODE $EFMODE"
	[ ! -e "$EPATH" ] || why="$why, the file is left"
	[ ! -e "${EPATH%/*}" ] || why="$why, the folder is left"
	left=$(find "$BASE" -mindepth 1 | head -n 3)
	[ -z "$left" ] || why="$why, left under the base: $left"
	for f in $FILES; do cmp -s "repo/$f" "orig/$f" || why="$why, $f changed"; done
	printf '%s\n' "$VALUES" | while read -r v; do
		if grep -rqsF -e "$v" "$BASE" "$T"; then echo x; fi
	done | grep -q x && why="$why, a plaintext value is in a file"
	[ "$SPID" -le 1 ] || kill "$SPID" 2>/dev/null || true # (0 would be our own group)
	if [ -z "$why" ]; then ok "$1"; else bad "$1:${why#,}"; fi
}

# (b) a signal to tenantc while the editor runs: exit 128 + signal number, the
# editor gets the signal (SIGQUIT as SIGTERM: no core dump of its memory)
for s in INT:2:INT TERM:15:TERM HUP:1:HUP QUIT:3:TERM; do
	sig=${s%%:*} rest=${s#*:} num=${s#*:}
	num=${rest%%:*} fwd=${rest#*:}
	if [ -z "$LAUNCH" ] && { [ $sig = INT ] || [ $sig = QUIT ]; }; then
		echo "SKIP SIG$sig"
		continue
	fi
	start || continue
	kill -s "$sig" "$TPID"
	rc=0
	wait "$TPID" || rc=$?
	if [ "$rc" -eq $((128 + num)) ] && grep -q "stopped by SIG$sig" "$T/err" &&
		grep -qx "$fwd" "$EDLOG.sig" 2>/dev/null; then
		clean "SIG$sig to tenantc at the editor step: exit $rc, the editor got SIG$fwd, $(head -n 1 "$T/err")"
	else
		kill "$EPID" "$SPID" 2>/dev/null || true
		bad "SIG$sig to tenantc: rc $rc, editor got '$(cat "$EDLOG.sig" 2>/dev/null)', $(cat "$T/err")"
	fi
done

# Ctrl-C: SIGINT to the whole process group (tenantc and the editor at once)
if [ -n "$LAUNCH" ] && start setsid; then
	if [ "$(ps -o pgid= -p "$TPID" | tr -d ' ')" = "$TPID" ]; then
		kill -s INT -- "-$TPID"
		rc=0
		wait "$TPID" || rc=$?
		if [ "$rc" -eq 130 ]; then clean "Ctrl-C (SIGINT to the process group): exit 130"
		else bad "Ctrl-C: rc $rc $(cat "$T/err")"; kill "$EPID" "$SPID" 2>/dev/null || true; fi
	else
		kill "$EPID" 2>/dev/null || true
		wait "$TPID" || true
		clean "(setsid did not make a process group; Ctrl-C case not run)"
	fi
fi

# (a) the editor killed: by SIGKILL (no trap can run) and by SIGTERM (its
# trap exits 1)
for s in KILL TERM; do
	start || continue
	kill -s $s "$EPID"
	rc=0
	wait "$TPID" || rc=$?
	case $s in
	KILL) want="the editor '$EDITOR' was killed by SIGKILL" ;;
	TERM) want="the editor '$EDITOR' failed (exit status 1)" ;;
	esac
	if [ "$rc" -eq 2 ] && grep -qF "$want" "$T/err"; then clean "the editor killed by SIG$s: $(head -n 1 "$T/err")"
	else bad "editor killed by SIG$s: rc $rc $(cat "$T/err")"; kill "$SPID" 2>/dev/null || true; fi
done

# an editor that ignores every signal is stopped with SIGKILL in the end
export IGNORE=1
if start; then
	kill -s TERM "$TPID"
	rc=0
	wait "$TPID" || rc=$?
	if [ "$rc" -eq 143 ] && ! kill -0 "$EPID" 2>/dev/null; then
		clean "an editor ignoring signals is killed, then cleaned up: exit $rc"
	else bad "stubborn editor: rc $rc $(cat "$T/err")"; kill -9 "$EPID" "$SPID" 2>/dev/null || true; fi
fi
unset IGNORE

# a failing editor: exit 1 after it has seen the file, and one not found
rm -f "$EDLOG"
rc=0
EXIT=1 "$TENANTC" secret edit "$F" 2>"$T/err" &
TPID=$!
i=0
while [ ! -s "$EDLOG" ] && [ $i -lt 200 ]; do sleep 0.05; i=$((i + 1)); done
read -r EPATH EDMODE EFMODE EPID SPID <"$EDLOG"
kill "$SPID" # the editor's wait returns; it exits 1
wait "$TPID" || rc=$?
if [ "$rc" -eq 2 ] && grep -q "failed (exit status 1); nothing was changed" "$T/err"; then
	clean "an editor exiting 1: $(grep error: "$T/err" | head -n 1)"
else bad "editor exit 1: rc $rc $(cat "$T/err")"; fi

rc=0
EDITOR="$T/no-such-editor" "$TENANTC" secret edit "$F" 2>"$T/err" || rc=$?
left=$(find "$BASE" -mindepth 1 | head -n 1)
if [ "$rc" -eq 2 ] && grep -q "could not be started (exit status 127)" "$T/err" && [ -z "$left" ] &&
	cmp -s "$F" "orig/${F#repo/}"; then
	ok "an editor that is not found: $(grep error: "$T/err" | head -n 1)"
else bad "editor not found: rc $rc, left '$left', $(cat "$T/err")"; fi

# an editor that leaves a read-only backup in a sub-folder and a lock
# symlink (as emacs does), then fails: all of it is wiped, the link's target
# is not touched
cat >mess-editor.sh <<'SH'
#!/bin/sh
d=${1%/*}
printf '%s %s %s %s %s\n' "$1" "$(stat -c %a "$d")" "$(stat -c %a "$1")" $$ 0 >"$EDLOG"
mkdir "$d/backup" && cp "$1" "$d/backup/secret.yaml~" && chmod 400 "$d/backup/secret.yaml~"
chmod 500 "$d/backup"
ln -s "$LINKED" "$d/.#secret.yaml"
exit 3
SH
chmod +x mess-editor.sh
echo "not a secret" >linked
rc=0
LINKED="$T/linked" EDITOR="$T/mess-editor.sh" "$TENANTC" secret edit "$F" 2>"$T/err" || rc=$?
read -r EPATH EDMODE EFMODE EPID SPID <"$EDLOG"
if [ "$rc" -eq 2 ] && grep -q "failed (exit status 3)" "$T/err" && [ "$(cat linked)" = "not a secret" ]; then
	clean "an editor's backup folder, read-only copy and lock symlink are wiped too"
else bad "messy editor: rc $rc $(cat "$T/err")"; fi

# a normal edit: one value changes, and still nothing is left behind
NEW=$(printf 'c2lnbmFscy1uZXctdmFsdWUtNTUxOA==' | base64 -d) # built here, in no file
cat >sed-editor.sh <<'SH'
#!/bin/sh
printf '%s %s %s %s %s\n' "$1" "$(stat -c %a "${1%/*}")" "$(stat -c %a "$1")" $$ 0 >"$EDLOG"
sed -i "s/^\(    api-service:\).*/\1 $NEW/" "$1"
SH
chmod +x sed-editor.sh
rc=0
NEW=$NEW EDITOR="$T/sed-editor.sh" "$TENANTC" secret edit "$F" 2>"$T/err" || rc=$?
read -r EPATH EDMODE EFMODE EPID SPID <"$EDLOG"
if [ "$rc" -eq 0 ] && "$TENANTC" secret decrypt "$F" | grep -q "api-service: $NEW" &&
	! grep -rqsF -e "$NEW" "$BASE" "$T" && [ ! -e "${EPATH%/*}" ] &&
	[ -z "$(find "$BASE" -mindepth 1 | head -n 1)" ] &&
	case $EPATH in "$BASE"/tenantc-edit-*/secret.yaml) true ;; *) false ;; esac &&
	[ "$EDMODE $EFMODE" = "700 600" ]; then
	ok "a successful edit re-encrypts the value and leaves nothing (folder $EDMODE, file $EFMODE)"
else bad "successful edit: rc $rc $(cat "$T/err")"; fi

# memory before disk: with XDG_RUNTIME_DIR unset and TMPDIR on disk, the
# folder goes to /dev/shm when that is tmpfs
if [ "$(stat -f -c %T /dev/shm 2>/dev/null)" = tmpfs ] &&
	[ "$(stat -f -c %T "$T" 2>/dev/null)" != tmpfs ]; then
	mkdir disk
	rc=0
	(unset XDG_RUNTIME_DIR; NEW=$NEW TMPDIR="$T/disk" EDITOR="$T/sed-editor.sh" \
		"$TENANTC" secret edit "$F" 2>"$T/err") || rc=$?
	read -r EPATH EDMODE EFMODE EPID SPID <"$EDLOG"
	case $EPATH in
	/dev/shm/tenantc-edit-*) if [ "$rc" -eq 0 ] && [ ! -e "${EPATH%/*}" ] && [ -z "$(ls -A disk)" ]
		then ok "TMPDIR on disk: the plaintext went to /dev/shm instead, and is gone"
		else bad "/dev/shm edit: rc $rc $(cat "$T/err")"; fi ;;
	*) bad "TMPDIR on disk was used: $EPATH" ;;
	esac
fi

finish
