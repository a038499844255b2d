#!/usr/bin/env bash
# Installs everything phoenix-storage needs to build and to run its tests on
# Debian 12: compiler and libraries, ZFS (zfs-fuse where no kernel ZFS is
# present), the NFS and Samba servers and clients the integration tests drive,
# valgrind (make valgrind), clang with libFuzzer (make fuzz), smartmontools
# (disk wear in status), prometheus-node-exporter and curl (the metrics test),
# sanoid (the peer bench/snapshot_jobs.sh compares against), chromium (headless:
# renders the page of status --html in test_health.sh), and what the
# Debian package is built and checked with (dpkg-buildpackage, debhelper,
# dh_bash-completion, scdoc for the man pages, lintian, man -l).
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
apt-get update
pkgs=(gcc make pkg-config libjansson-dev libcmocka-dev libblkid-dev
      jq e2fsprogs util-linux fdisk valgrind
      nfs-kernel-server nfs-ganesha nfs-ganesha-vfs rpcbind libnfs-utils
      samba samba-common-bin samba-vfs-modules smbclient iproute2 passwd bc
      qemu-system-x86 debootstrap
      clang-14 libclang-rt-14-dev
      smartmontools prometheus-node-exporter curl
      sanoid chromium
      dpkg-dev debhelper bash-completion scdoc lintian man-db binutils)
if ! { [ -e /dev/zfs ] && command -v zpool >/dev/null; }; then
	pkgs+=(zfs-fuse)
fi
apt-get install -y --no-install-recommends "${pkgs[@]}"
