#!/usr/bin/env bash
# The Debian package: built from a copy of this tree with dpkg-buildpackage
# -us -uc -b (so the tree's own build/ is never cleaned), checked with
# dpkg-deb and lintian, then installed into a fresh Debian 12 root
# (tests/package/build-root: debootstrap minbase, cached), where the installed
# binary prints its version and validates the reference configs; then removed
# and purged, and the root's file list must be exactly what it was before.
source "$(dirname "$0")/../integration/lib.sh"
VERSION=$(sed -n 's/^VERSION := //p' "$TOP/Makefile")
DESCRIBE=$(git -C "$TOP" describe --always --dirty --tags 2>/dev/null || echo unknown)
DEB=$WORK/phoenix-storage_${VERSION}_amd64.deb
CACHE=${PHOENIX_PACKAGE_CACHE:-/var/cache/phoenix-storage/package}
ROOT=

suite_cleanup() {
	if [ -n "$ROOT" ]; then
		umount "$ROOT/proc" 2>/dev/null
		rm -rf --one-file-system "$ROOT"
	fi
	cleanup_all
}
trap suite_cleanup EXIT

# The build, once for every test below; its log is $WORK/build.log.
build_package() {
	local t0=$SECONDS
	mkdir -p "$WORK/src"
	(cd "$TOP" && git ls-files -z -co --exclude-standard |
		tar --null --ignore-failed-read -T - -cf - 2>/dev/null) | tar -x -C "$WORK/src" || return 1
	# PHOENIX_PACKAGE_CHECK=1 runs the package's own `make check` too; by
	# default it is left out (nocheck): the host tier ran the unit tier, under
	# the sanitizers, minutes before, and CI's budget is better spent elsewhere.
	local opts=nocheck
	[ "${PHOENIX_PACKAGE_CHECK:-0}" = 1 ] && opts=
	(cd "$WORK/src" && GIT_DESCRIBE=$DESCRIBE DEB_BUILD_OPTIONS=$opts nice -n 10 dpkg-buildpackage -us -uc -b) >"$WORK/build.log" 2>&1 || {
		echo "dpkg-buildpackage failed; last lines of $WORK/build.log:"; tail -30 "$WORK/build.log"; return 1; }
	echo "package built in $((SECONDS - t0)) s"
}
missing=()
for tool in dpkg-buildpackage dh dh_bash-completion scdoc lintian debootstrap; do
	command -v "$tool" >/dev/null || missing+=("$tool")
done
if [ ${#missing[@]} -eq 0 ]; then
	build_package || echo "package build failed"
else
	echo "missing tools: ${missing[*]} (hint: scripts/install-deps.sh)"
fi

need_deb() { [ -f "$DEB" ] || fail "no $(basename "$DEB") was built (see the build output above)"; }

test_package_is_named_after_the_version_and_declares_its_dependencies() {
	need_deb
	assert_eq "$(dpkg-parsechangelog -l "$TOP/debian/changelog" -S Version)" "$VERSION" "(debian/changelog vs Makefile)"
	assert_eq "$(dpkg-deb -f "$DEB" Package Version Architecture Section | tr '\n' ' ')" \
		"Package: phoenix-storage Version: $VERSION Architecture: amd64 Section: admin "
	local dep
	dep=$(dpkg-deb -f "$DEB" Depends)
	assert_contains "$dep" "libjansson4"
	assert_contains "$dep" "libblkid1"
	assert_contains "$dep" "libc6"
	assert_eq "$(dpkg-deb -f "$DEB" Recommends)" "zfsutils-linux | zfs-fuse"
	assert_eq "$(dpkg-deb -f "$DEB" Suggests)" "nfs-kernel-server, openssh-client, samba, smartmontools"
}

test_package_holds_the_binary_man_pages_completion_logrotate_and_units() {
	need_deb
	local files u
	files=$(dpkg-deb -c "$DEB" | awk '{print $6}')
	for f in ./usr/sbin/phoenix-storage ./usr/share/man/man8/phoenix-storage.8.gz \
		./usr/share/man/man5/phoenix-storage.json.5.gz \
		./usr/share/bash-completion/completions/phoenix-storage ./etc/logrotate.d/phoenix-storage \
		./usr/share/doc/phoenix-storage/copyright ./usr/share/doc/phoenix-storage/changelog.gz \
		./usr/share/doc/phoenix-storage/examples/demo.json; do
		grep -qxF "$f" <<<"$files" || fail "$f is not in the package"
	done
	# every unit of units/ (NAME or NAME.in), installed but not enabled
	for u in "$TOP"/units/*.service* "$TOP"/units/*.timer*; do
		[ -e "$u" ] || continue
		u=$(basename "$u" .in)
		grep -qxF "./lib/systemd/system/$u" <<<"$files" || fail "unit $u is not in the package"
	done
	# dh_installsystemd --no-enable: the postinst enables a unit only again on
	# an upgrade where the admin had enabled it (deb-systemd-helper
	# debian-installed); the fresh install below checks that none is enabled
	local post
	post=$(dpkg-deb --ctrl-tarfile "$DEB" | tar -xOf - ./postinst 2>/dev/null)
	if grep -q 'deb-systemd-helper enable' <<<"$post"; then
		assert_contains "$post" "if deb-systemd-helper debian-installed"
	fi
	assert_eq "$(dpkg-deb --ctrl-tarfile "$DEB" | tar -xOf - ./conffiles)" "/etc/logrotate.d/phoenix-storage"
}

test_binary_is_built_with_dpkg_buildflags() {
	need_deb
	local x=$WORK/x
	mkdir -p "$x" && dpkg-deb -x "$DEB" "$x"
	readelf -h "$x/usr/sbin/phoenix-storage" | grep -q 'Type: *DYN' || fail "not a PIE"
	readelf -d "$x/usr/sbin/phoenix-storage" | grep -q 'BIND_NOW' || fail "no BIND_NOW (relro=now)"
	readelf -lW "$x/usr/sbin/phoenix-storage" | grep -q 'GNU_RELRO' || fail "no RELRO"
	readelf --dyn-syms -W "$x/usr/sbin/phoenix-storage" | grep -q '__[a-z]*_chk@' || fail "no _FORTIFY_SOURCE functions"
	assert_eq "$("$x/usr/sbin/phoenix-storage" --version)" "phoenix-storage $VERSION (build $DESCRIBE)"
}

test_lintian_reports_no_error() {
	need_deb
	local l
	l=$(lintian --fail-on error "$DEB" 2>&1 | grep -v 'running with root privileges is not recommended'
		exit "${PIPESTATUS[0]}") || fail "lintian reports errors: $l"
	[ -z "$l" ] || printf 'lintian: %s\n' "$l" | sed 's/^/  /'
	return 0
}

# in_root CMD...: runs CMD inside the fresh root.
in_root() { chroot "$ROOT" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin LC_ALL=C "$@"; }
# root_files: every path of the root with its type, but dpkg's own records and logs.
root_files() {
	(cd "$ROOT" && find . -xdev \( -path ./proc -o -path ./var/lib/dpkg -o -path ./var/log/dpkg.log \
		-o -path ./var/log/alternatives.log -o -path ./var/cache/debconf \) -prune -o -printf '%y %p\n' | sort)
}

test_fresh_debian_root_installs_runs_validates_and_purges_cleanly() {
	need_deb
	need_reference
	local t0=$SECONDS r
	r=$("$TOP/tests/package/build-root" 2>&1) || fail "tests/package/build-root failed: $r"
	ROOT=$(mktemp -d "$WORK/root.XXXXXX")
	tar -C "$ROOT" -xf "$CACHE/bookworm-minbase.tar" || fail "cannot unpack the cached root"
	echo "  fresh root ready in $((SECONDS - t0)) s"
	root_files >"$WORK/before"
	mkdir -p "$ROOT/tmp/ref" && cp "$DEB" "$ROOT/tmp/" && cp "$REFERENCE"/*.json "$ROOT/tmp/ref/"
	in_root dpkg -i "/tmp/$(basename "$DEB")" >"$WORK/dpkg-i.log" 2>&1 || fail "dpkg -i failed: $(cat "$WORK/dpkg-i.log")"
	assert_eq "$(in_root phoenix-storage --version)" "phoenix-storage $VERSION (build $DESCRIBE)"
	# the timers are installed, not enabled: no symlink to them anywhere under /etc/systemd
	[ -e "$ROOT/lib/systemd/system/phoenix-storage-snapshot.timer" ] || fail "the snapshot timer is not installed"
	assert_eq "$(find "$ROOT/etc/systemd" -name 'phoenix-storage*' 2>/dev/null)" ""
	# and they name the installed binary
	assert_contains "$(cat "$ROOT/lib/systemd/system/phoenix-storage-snapshot.service")" "ExecStart=/usr/sbin/phoenix-storage run --snapshot --quiet"
	out=$(in_root phoenix-storage validate -c /tmp/ref/phoenix_hypervisor_config.json \
		--lxc-config /tmp/ref/phoenix_lxc_configs.json --vm-config /tmp/ref/phoenix_vm_configs.json 2>&1) && rc=0 || rc=$?
	assert_rc 0 || { echo "$out" >&2; return 1; }
	assert_contains "$out" "/tmp/ref/phoenix_hypervisor_config.json: valid"
	# the installed completion completes a command and an option
	assert_eq "$(in_root bash -c '. /usr/share/bash-completion/completions/phoenix-storage
		COMP_WORDS=(phoenix-storage hist); COMP_CWORD=1; _phoenix_storage; echo "${COMPREPLY[*]}"')" "history"
	# what an apply leaves at run time, removed with the package on purge
	mkdir -p "$ROOT/var/log/phoenix-storage" && echo '{}' >"$ROOT/var/log/phoenix-storage/changes.jsonl"
	in_root dpkg -r phoenix-storage >"$WORK/dpkg-r.log" 2>&1 || fail "dpkg -r failed: $(cat "$WORK/dpkg-r.log")"
	[ ! -e "$ROOT/usr/sbin/phoenix-storage" ] || fail "dpkg -r left the binary"
	[ -e "$ROOT/etc/logrotate.d/phoenix-storage" ] || fail "dpkg -r removed the conffile (only purge should)"
	in_root dpkg -P phoenix-storage >"$WORK/dpkg-p.log" 2>&1 || fail "dpkg -P failed: $(cat "$WORK/dpkg-p.log")"
	rm -rf "$ROOT/tmp/ref" "$ROOT/tmp/$(basename "$DEB")"
	root_files >"$WORK/after"
	diff -u "$WORK/before" "$WORK/after" >"$WORK/files.diff" || fail "files left or removed by the package: $(cat "$WORK/files.diff")"
	echo "  install, run, remove, purge in $((SECONDS - t0)) s"
}

run_tests
