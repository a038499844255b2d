#!/usr/bin/env bash
# Integration: Samba shares against a real smbd on a loopback port, started per
# test with its own smb.conf under the test --root; smbclient checks access.
source "$(dirname "$0")/lib.sh"
zfs_fuse_ensure || exit 1
# smbd serves the shares as the test users: they must be able to reach the root.
chmod 755 "$WORK"

# Two system users unique to this run; removed at the end.
U1=phs${RUN_ID}a
U2=phs${RUN_ID}b
PW1=Pw1-${RUN_ID}-secret
PW2=Pw2-${RUN_ID}-other
useradd -M -s /usr/sbin/nologin "$U1" || exit 1
useradd -M -s /usr/sbin/nologin "$U2" || { userdel "$U1"; exit 1; }
suite_cleanup() {
	userdel "$U1" >/dev/null 2>&1
	userdel "$U2" >/dev/null 2>&1
	cleanup_all
}
trap suite_cleanup EXIT

# A free loopback port for this test's smbd.
free_port() {
	local p
	for p in $(seq $((20000 + RUN_ID % 5000)) 29999); do
		ss -ltnH "sport = :$p" | grep -q . || { echo "$p"; return 0; }
	done
	return 1
}

# setup NAME: root $R with smb.conf (loopback-only smbd, a hand-written share
# [handmade]), pool $P mounted at $R/$P with dataset "data", the password file.
setup() {
	R=$WORK/$1
	P=$(pool_name "$2")
	V=$(vdev "$2")
	PORT=$(free_port)
	mkdir -p "$R/etc/samba" "$R/var/run" "$R/var/lock" "$R/var/state" "$R/var/cache" "$R/var/private" \
		"$R/hand" "$R/secrets"
	echo "hand-made" >"$R/hand/hand.txt"
	cat >"$R/etc/samba/smb.conf" <<CONF
# Test smb.conf: loopback only, state under the test root.
[global]
	smb ports = $PORT
	bind interfaces only = yes
	interfaces = lo
	disable netbios = yes
	pid directory = $R/var/run
	lock directory = $R/var/lock
	state directory = $R/var/state
	cache directory = $R/var/cache
	private dir = $R/var/private
	ncalrpc dir = $R/var/run/ncalrpc
	passdb backend = tdbsam:$R/var/private/passdb.tdb
	log file = $R/var/log.%m
	load printers = no
	printcap name = /dev/null
	disable spoolss = yes

[handmade]
	path = $R/hand
	comment = written by hand
	read only = yes
CONF
	cp "$R/etc/samba/smb.conf" "$WORK/$1-smb.conf.orig"
	printf '%s\n' "$PW1" >"$R/secrets/samba.pass"
	chmod 600 "$R/secrets/samba.pass"
	printf 'username=%s\npassword=%s\n' "$U1" "$PW1" >"$WORK/$1-auth1"
	printf 'username=%s\npassword=%s\n' "$U2" "$PW2" >"$WORK/$1-auth2"
}

# config NAME SHARES-JSON [EXTRA-SAMBA-MEMBERS]: writes $WORK/NAME.json.
config() {
	cat >"$WORK/$1.json" <<JSON
{
  "zfs": {
    "pools": [ { "name": "$P", "raid_level": "single", "disks": ["$V"], "mountpoint": "$R/$P" } ],
    "datasets": [ { "name": "data", "pool": "$P" }, { "name": "other", "pool": "$P" } ]
  },
  "samba": {
    "user": "$U1",
    "password_file": "/secrets/samba.pass",
    ${3:-}
    "shares": $2
  },
  "persistent_storage": { "directories": [
    { "path": "/$P/data", "owner": "$U1", "group": "$U1", "mode": "0770" } ] }
}
JSON
}

smbd_start() {
	# Its own session: smbd signals its whole process group when it stops.
	setsid smbd --foreground --no-process-group -s "$R/etc/samba/smb.conf" >"$R/smbd.out" 2>&1 &
	SMBD_PID=$!
	trap 'smbd_stop' EXIT
	for _ in $(seq 1 50); do
		ss -ltnH "sport = :$PORT" | grep -q . && return 0
		sleep 0.2
	done
	cat "$R/smbd.out" >&2
	fail "smbd did not start on port $PORT"
}

smbd_stop() {
	[ -n "${SMBD_PID:-}" ] || return 0
	kill "$SMBD_PID" 2>/dev/null || true
	wait "$SMBD_PID" 2>/dev/null || true
	SMBD_PID=
}

# smbc AUTHFILE SHARE COMMANDS: smbclient against this test's smbd; sets $sout.
smbc() {
	sout=$(smbclient -p "$PORT" "//127.0.0.1/$2" -A "$1" -c "$3" 2>&1) && return 0
	return 1
}

# share_list AUTHFILE: the share names smbd announces.
share_list() { smbclient -p "$PORT" -L //127.0.0.1 -A "$1" -g 2>/dev/null | awk -F'|' '$1 == "Disk" {print $2}'; }

test_share_is_served_to_valid_users_and_refused_to_others() {
	setup s1 a
	config s1 '[ { "name": "data", "path": "'"$P"'/data", "options": "browseable=yes writable=yes", "valid_users": ["'"$U1"'"] } ]'
	smbd_start
	ph plan -c "$WORK/s1.json" --root "$R"
	assert_rc 2
	assert_contains "$out" "+ samba user $U1 (password from /secrets/samba.pass)"
	assert_contains "$out" "+ samba share [data] /$P/data (browseable=yes, writable=yes, valid users=$U1)"
	assert_contains "$out" "+ samba include /etc/samba/phoenix-shares.conf in /etc/samba/smb.conf"
	assert_contains "$out" "~ samba reload smbd (pid $SMBD_PID)"
	ph apply -c "$WORK/s1.json" --root "$R" --yes
	assert_rc 0
	assert_contains "$out" "Applied"
	echo "from the dataset" >"$R/$P/data/hello.txt"
	# The valid user lists and reads the share.
	smbc "$WORK/s1-auth1" data "ls; get hello.txt $WORK/s1-got.txt" || fail "valid user refused: $sout"
	assert_contains "$sout" "hello.txt"
	assert_eq "$(cat "$WORK/s1-got.txt")" "from the dataset"
	# ... and may write (writable=yes).
	echo up >"$WORK/s1-up.txt"
	smbc "$WORK/s1-auth1" data "put $WORK/s1-up.txt up.txt" || fail "write refused: $sout"
	[ -f "$R/$P/data/up.txt" ] || fail "upload did not land in the dataset"
	# Another user with a valid Samba password is refused.
	printf '%s\n%s\n' "$PW2" "$PW2" | smbpasswd -c "$R/etc/samba/smb.conf" -s -a "$U2" >/dev/null
	if smbc "$WORK/s1-auth2" data "ls"; then fail "user $U2 is not in valid users but got in"; fi
	assert_contains "$sout" "NT_STATUS_ACCESS_DENIED"
	# The hand-written share survives, and smb.conf only gained the include line.
	share_list "$WORK/s1-auth1" | grep -qx handmade || fail "hand-written share is gone"
	smbc "$WORK/s1-auth1" handmade "get hand.txt $WORK/s1-hand.txt" || fail "hand share broken: $sout"
	local n; n=$(stat -c %s "$WORK/s1-smb.conf.orig")
	cmp -n "$n" "$WORK/s1-smb.conf.orig" "$R/etc/samba/smb.conf" || fail "smb.conf bytes changed"
	assert_eq "$(tail -c +$((n + 1)) "$R/etc/samba/smb.conf")" "include = $R/etc/samba/phoenix-shares.conf"
	testparm -s "$R/etc/samba/smb.conf" >/dev/null 2>&1 || fail "testparm rejects the result"
}

test_second_apply_changes_nothing_and_does_not_reload() {
	setup s2 b
	config s2 '[ { "name": "data", "path": "'"$P"'/data", "options": "browseable=yes writable=yes", "valid_users": ["'"$U1"'"] } ]'
	smbd_start
	ph apply -c "$WORK/s2.json" --root "$R" --yes
	assert_rc 0
	local sum; sum=$(md5sum "$R/etc/samba/smb.conf" "$R/etc/samba/phoenix-shares.conf")
	local mt; mt=$(stat -c %Y.%Z "$R/etc/samba/phoenix-shares.conf")
	ph plan -c "$WORK/s2.json" --root "$R"
	assert_rc 0
	assert_contains "$out" "No changes"
	ph apply -c "$WORK/s2.json" --root "$R" --yes
	assert_rc 0
	assert_contains "$out" "Nothing to do"
	assert_not_contains "$out" "reload"
	assert_eq "$(md5sum "$R/etc/samba/smb.conf" "$R/etc/samba/phoenix-shares.conf")" "$sum"
	assert_eq "$(stat -c %Y.%Z "$R/etc/samba/phoenix-shares.conf")" "$mt"
	assert_eq "$(grep -c '^include = ' "$R/etc/samba/smb.conf")" 1
}

# The older share form of the Phoenix configs (path and options, no name): the
# share is named after the last part of its path, with a warning, and applies
# like any other share (then the plan is empty).
test_older_share_form_is_named_after_its_path() {
	setup s2o j
	config s2o '[ { "path": "'"$P"'/data", "options": "browseable=yes writable=yes" } ]'
	ph validate -c "$WORK/s2o.json" --root "$R"
	assert_rc 0
	assert_contains "$err" "warning: samba.shares[0]: share has no name: named 'data' after the last part of its path"
	assert_contains "$err" "hint: add \"name\": \"data\" to keep this name (the current form of a share)"
	ph apply -c "$WORK/s2o.json" --root "$R" --yes
	assert_rc 0
	assert_contains "$(cat "$R/etc/samba/phoenix-shares.conf")" "[data]"
	assert_contains "$(grep 'path = ' "$R/etc/samba/phoenix-shares.conf")" "$P/data"
	assert_eq "$(testparm -s "$R/etc/samba/smb.conf" 2>/dev/null | grep -c '^\[data\]')" 1
	ph plan -c "$WORK/s2o.json" --root "$R"
	assert_rc 0
	assert_contains "$out" "No changes"
}

test_password_comes_only_from_the_file_and_never_reaches_argv_or_files() {
	setup s3 c
	config s3 '[ { "name": "data", "path": "'"$P"'/data", "valid_users": ["'"$U1"'"] } ]'
	# A smbpasswd wrapper that records its arguments (and nothing else) before running the real one.
	mkdir -p "$WORK/s3-bin"
	cat >"$WORK/s3-bin/smbpasswd" <<SH
#!/bin/sh
echo "\$*" >>"$WORK/s3-argv"
exec /usr/bin/smbpasswd "\$@"
SH
	chmod +x "$WORK/s3-bin/smbpasswd"
	smbd_start
	PHOENIX_SMBPASSWD="$WORK/s3-bin/smbpasswd" ph apply -c "$WORK/s3.json" --root "$R" --yes
	assert_rc 0
	assert_eq "$(cat "$WORK/s3-argv")" "-c $R/etc/samba/smb.conf -s -a $U1"
	assert_not_contains "$out$err" "$PW1"
	! grep -rqF -- "$PW1" "$R/etc" "$WORK/s3.json" || fail "password written to a file"
	smbc "$WORK/s3-auth1" data "ls" || fail "password from the file does not work: $sout"
	# Changing the file later does not change the Samba password: the user exists.
	printf 'changed\n' >"$R/secrets/samba.pass"
	ph plan -c "$WORK/s3.json" --root "$R"
	assert_rc 0
	assert_not_contains "$out" "samba user"
	smbc "$WORK/s3-auth1" data "ls" || fail "existing password was changed: $sout"
	# Once the user exists the password file may go away.
	rm "$R/secrets/samba.pass"
	ph plan -c "$WORK/s3.json" --root "$R"
	assert_rc 0
}

test_password_can_come_on_stdin_instead_of_a_file() {
	setup s9 i
	config s9 '[ { "name": "data", "path": "'"$P"'/data", "valid_users": ["'"$U1"'"] } ]'
	sed -i '/"password_file": "\/secrets\/samba.pass"/d' "$WORK/s9.json"
	rm "$R/secrets/samba.pass"
	smbd_start
	ph plan -c "$WORK/s9.json" --root "$R"
	assert_rc 1
	assert_contains "$err" "samba user '$U1' has no Samba password yet and samba.password_file is not set"
	assert_contains "$err" "or pass it on stdin with --samba-password-stdin"
	ph plan -c "$WORK/s9.json" --root "$R" --samba-password-stdin </dev/null
	assert_rc 2
	assert_contains "$out" "+ samba user $U1 (password from stdin)"
	# apply reads stdin only with --yes (stdin cannot carry both)
	ph apply -c "$WORK/s9.json" --root "$R" --samba-password-stdin <<<"$PW1"
	assert_rc 1
	assert_contains "$err" "--samba-password-stdin needs --yes"
	ph apply -c "$WORK/s9.json" --root "$R" --yes --samba-password-stdin </dev/null
	assert_rc 1
	assert_contains "$err" "--samba-password-stdin: no password on stdin"
	ph apply -c "$WORK/s9.json" --root "$R" --yes --samba-password-stdin <<<"$PW1"
	assert_rc 0
	assert_not_contains "$out$err" "$PW1"
	! grep -rqF -- "$PW1" "$R/etc" || fail "password written to a file"
	smbc "$WORK/s9-auth1" data "ls" || fail "password from stdin does not work: $sout"
}

test_drift_is_reported_by_status_and_repaired_with_a_reload() {
	setup s4 d
	config s4 '[ { "name": "data", "path": "'"$P"'/data", "options": "browseable=yes writable=yes", "valid_users": ["'"$U1"'"] },
	             { "name": "other", "path": "/'"$P"'/other", "options": "read_only=yes" } ]'
	smbd_start
	ph status -c "$WORK/s4.json" --root "$R"
	assert_rc 0
	assert_contains "$out" "samba share [data] /$P/data: missing"
	ph apply -c "$WORK/s4.json" --root "$R" --yes
	assert_rc 0
	ph status -c "$WORK/s4.json" --root "$R"
	assert_contains "$out" "samba share [data] /$P/data: defined"
	assert_contains "$out" "samba share [other] /$P/other: defined"
	assert_contains "$out" "samba user $U1: system user, in the Samba passdb"
	sed -i 's/writable = yes/writable = no/' "$R/etc/samba/phoenix-shares.conf"
	ph status -c "$WORK/s4.json" --root "$R" --json
	assert_eq "$(jq -r '.samba.shares[0].state' <<<"$out")" drifted
	assert_eq "$(jq -r '.samba.shares[1].state' <<<"$out")" defined
	ph plan -c "$WORK/s4.json" --root "$R"
	assert_rc 2
	assert_contains "$out" "~ samba share [data] /$P/data (browseable=yes, writable=yes, valid users=$U1)"
	assert_contains "$out" "    writable: no -> yes"
	assert_contains "$out" "~ samba reload smbd (pid $SMBD_PID)"
	ph apply -c "$WORK/s4.json" --root "$R" --yes
	assert_rc 0
	ph status -c "$WORK/s4.json" --root "$R" --json
	assert_eq "$(jq -r '.samba.shares[0].state' <<<"$out")" defined
	echo x >"$WORK/s4-x"
	smbc "$WORK/s4-auth1" data "put $WORK/s4-x x" || fail "share not writable after repair: $sout"
}

test_share_removed_from_the_config_is_removed_from_samba() {
	setup s5 e
	config s5 '[ { "name": "data", "path": "'"$P"'/data", "valid_users": ["'"$U1"'"] }, { "name": "gone", "path": "'"$P"'/other" } ]'
	smbd_start
	ph apply -c "$WORK/s5.json" --root "$R" --yes
	assert_rc 0
	share_list "$WORK/s5-auth1" | grep -qx gone || fail "share gone was not published"
	config s5b '[ { "name": "data", "path": "'"$P"'/data", "valid_users": ["'"$U1"'"] } ]'
	ph plan -c "$WORK/s5b.json" --root "$R"
	assert_rc 2
	assert_contains "$out" "- samba share [gone] /$P/other (no longer in the config)"
	ph apply -c "$WORK/s5b.json" --root "$R" --yes
	assert_rc 0
	sleep 0.5
	! share_list "$WORK/s5-auth1" | grep -qx gone || fail "removed share still published"
	share_list "$WORK/s5-auth1" | grep -qx handmade || fail "hand-written share lost"
	[ -d "$R/$P/other" ] || fail "the share's data was touched"
}

test_stopped_smbd_is_not_reloaded_or_started() {
	setup s6 f
	config s6 '[ { "name": "data", "path": "'"$P"'/data", "valid_users": ["'"$U1"'"] } ]'
	ph plan -c "$WORK/s6.json" --root "$R"
	assert_rc 2
	assert_not_contains "$out" "reload"
	assert_contains "$out" "    smbd is not running: the shares take effect when it starts"
	ph apply -c "$WORK/s6.json" --root "$R" --yes
	assert_rc 0
	! pgrep -f "smbd.*$R/etc/samba/smb.conf" >/dev/null || fail "smbd was started"
	smbd_start
	smbc "$WORK/s6-auth1" data "ls" || fail "share not served after start: $sout"
}

# State that must not change when a config is refused.
snapshot() {
	{
		md5sum "$R/etc/samba/smb.conf"
		ls "$R/etc/samba"
		pdbedit -s "$R/etc/samba/smb.conf" -L 2>/dev/null
		zpool list -H -o name "$P" 2>/dev/null
		echo "smbd ${SMBD_PID:-}"
		kill -0 "${SMBD_PID:-0}" 2>/dev/null && echo alive
	} | md5sum
}

# refused NAME MESSAGE [HINT]: plan and apply of $WORK/NAME.json fail with MESSAGE and change nothing.
refused() {
	local before; before=$(snapshot)
	ph plan -c "$WORK/$1.json" --root "$R"
	assert_rc 1
	assert_contains "$err" "$2"
	[ -z "${3:-}" ] || assert_contains "$err" "$3"
	ph apply -c "$WORK/$1.json" --root "$R" --yes
	assert_rc 1
	assert_contains "$err" "$2"
	assert_eq "$(snapshot)" "$before"
	[ ! -e "$R/etc/samba/phoenix-shares.conf" ] || fail "shares file written"
	! share_list "$WORK/$1-auth" 2>/dev/null | grep -qx data || fail "share published"
}

test_invalid_samba_configs_are_refused_with_exact_messages_and_change_nothing() {
	setup s7 g
	smbd_start
	printf 'username=%s\npassword=%s\n' "$U1" "$PW1" >"$WORK/s7a-auth"
	cp "$WORK/s7a-auth" "$WORK/s7b-auth"; cp "$WORK/s7a-auth" "$WORK/s7c-auth"; cp "$WORK/s7a-auth" "$WORK/s7d-auth"
	cp "$WORK/s7a-auth" "$WORK/s7e-auth"; cp "$WORK/s7a-auth" "$WORK/s7f-auth"; cp "$WORK/s7a-auth" "$WORK/s7g-auth"
	# A share path outside every dataset names the dataset that should be there.
	config s7a '[ { "name": "data", "path": "'"$P"'/nodataset/x" } ]'
	refused s7a "error: samba.shares[0].path: share path '/$P/nodataset/x' is not on a managed ZFS dataset (expected dataset '$P/nodataset/x')" \
		"hint: add dataset '$P/nodataset/x' to zfs.datasets, or set \"outside_zfs\": true if it does not belong on ZFS"
	# An unknown share option.
	config s7b '[ { "name": "data", "path": "'"$P"'/data", "options": "browseable=yes writeable_maybe=yes" } ]'
	refused s7b "error: samba.shares[0].options: unknown share option 'writeable_maybe'" "hint: supported: browseable, writable"
	# A missing password file (the user is not in the passdb yet).
	config s7c '[ { "name": "data", "path": "'"$P"'/data" } ]' '"password_file": "/secrets/missing.pass",'
	sed -i '/"password_file": "\/secrets\/samba.pass"/d' "$WORK/s7c.json"
	refused s7c "error: samba.password_file: cannot read password file '/secrets/missing.pass': No such file or directory" \
		"hint: write the Samba password on the first line of that file (chmod 600)"
	# A Samba user that is no system user.
	config s7d '[ { "name": "data", "path": "'"$P"'/data" } ]'
	sed -i "s/\"user\": \"$U1\"/\"user\": \"nosuch${RUN_ID}\"/" "$WORK/s7d.json"
	refused s7d "error: samba.user: samba user 'nosuch${RUN_ID}' is not a system user" \
		"hint: create the system user first, e.g. useradd --no-create-home --shell /usr/sbin/nologin nosuch${RUN_ID}"
	# A share name that smb.conf already defines by hand.
	config s7e '[ { "name": "HandMade", "path": "'"$P"'/data" } ]'
	refused s7e "error: samba.shares[0].name: share [HandMade] is also defined in '/etc/samba/smb.conf'" \
		"hint: remove the hand-written [HandMade] section from smb.conf, or rename the share"
	# A password in the config.
	config s7f '[ { "name": "data", "path": "'"$P"'/data" } ]' '"password": "hunter2",'
	refused s7f "error: samba.password: passwords are never read from the config" \
		"hint: put the password in a file readable only by root and set samba.password_file"
	# A bad option value.
	config s7g '[ { "name": "data", "path": "'"$P"'/data", "options": "create_mask=0999" } ]'
	refused s7g "error: samba.shares[0].options: share option 'create mask': '0999' is not an octal mode"
}

test_share_on_an_unmounted_dataset_is_refused() {
	setup s8 h
	config s8 '[ { "name": "data", "path": "'"$P"'/data", "valid_users": ["'"$U1"'"] } ]'
	smbd_start
	ph apply -c "$WORK/s8.json" --root "$R" --yes
	assert_rc 0
	config s8b '[ { "name": "data", "path": "'"$P"'/data", "valid_users": ["'"$U1"'"] }, { "name": "more", "path": "'"$P"'/other" } ]'
	zfs umount "$P/other"
	local sum; sum=$(md5sum "$R/etc/samba/phoenix-shares.conf" "$R/etc/samba/smb.conf")
	ph plan -c "$WORK/s8b.json" --root "$R"
	assert_rc 1
	assert_contains "$err" "error: samba.shares[1].path: share path '/$P/other' is on dataset '$P/other', which is not mounted (mountpoint '/$P/other')"
	assert_contains "$err" "hint: mount it first (zfs mount $P/other): anything written now would land on the filesystem underneath; or mark the share \"outside_zfs\": true"
	ph apply -c "$WORK/s8b.json" --root "$R" --yes
	assert_rc 1
	assert_eq "$(md5sum "$R/etc/samba/phoenix-shares.conf" "$R/etc/samba/smb.conf")" "$sum"
	zfs mount "$P/other"
}

# Previous Versions: a share on a dataset with a snapshot policy gets shadow_copy2
# with our names; a real smbclient sees each of our snapshots as an @GMT token.
# zfs-fuse has no .zfs directory, so the snapshot directories are made by hand
# where OpenZFS shows them (.zfs/snapshot/NAME); the names are the tool's own.
test_share_on_a_dataset_with_a_policy_lists_previous_versions() {
	setup pv p
	config pv '[ { "name": "data", "path": "'"$P"'/data", "options": "browseable=yes", "valid_users": ["'"$U1"'"] } ]'
	sed -i 's/"datasets": \[ { "name": "data", "pool": "'"$P"'" }/"snapshot_policies": { "p": { "keep": { "hourly": 24 } } },\n    "datasets": [ { "name": "data", "pool": "'"$P"'", "snapshots": { "policy": "p" } }/' "$WORK/pv.json"
	smbd_start
	ph apply -c "$WORK/pv.json" --root "$R" --yes
	assert_rc 0
	local conf="$R/etc/samba/phoenix-shares.conf"
	assert_contains "$(cat "$conf")" "	vfs objects = shadow_copy2"
	assert_contains "$(cat "$conf")" "	shadow:format = _%Y-%m-%dT%H%M%SZ"
	assert_contains "$(cat "$conf")" "	shadow:snapprefix = ^phoenix\$"
	ph plan -c "$WORK/pv.json" --root "$R"
	assert_rc 0
	echo now >"$R/$P/data/hello.txt"
	local s
	for s in phoenix_2026-01-05T140000Z_hourly phoenix_2026-01-05T150000Z_hourly; do
		mkdir -p "$R/$P/data/.zfs/snapshot/$s"
		echo "$s" >"$R/$P/data/.zfs/snapshot/$s/hello.txt"
	done
	mkdir -p "$R/$P/data/.zfs/snapshot/manual-before-upgrade"
	echo manual >"$R/$P/data/.zfs/snapshot/manual-before-upgrade/hello.txt"
	smbc "$WORK/pv-auth1" data "allinfo hello.txt" || fail "allinfo failed: $sout"
	assert_contains "$sout" "@GMT-2026.01.05-14.00.00"
	assert_contains "$sout" "@GMT-2026.01.05-15.00.00"
	assert_eq "$(grep -c '@GMT-' <<<"$sout")" 2
	# a previous version reads the snapshot's content
	smbc "$WORK/pv-auth1" data "get @GMT-2026.01.05-14.00.00/hello.txt $WORK/pv-old.txt" || fail "get failed: $sout"
	assert_eq "$(cat "$WORK/pv-old.txt")" phoenix_2026-01-05T140000Z_hourly
}

run_tests
