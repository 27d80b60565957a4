#!/usr/bin/env bash
# Make a debootstrapped root file system like Debian's official -slim images (debuerreotype's
# slimify): drop documentation, man pages and translations, now and in packages installed
# later (dpkg path excludes), and apt's caches (and have apt drop them after each install).
#   docker/slimify.sh ROOTFS
set -euo pipefail
root=$1
mkdir -p "$root/etc/dpkg/dpkg.cfg.d" "$root/etc/apt/apt.conf.d"
printf '%s\n' \
  'path-exclude /usr/share/doc/*' \
  'path-include /usr/share/doc/*/copyright' \
  'path-exclude /usr/share/man/*' \
  'path-exclude /usr/share/info/*' \
  'path-exclude /usr/share/locale/*' \
  'path-exclude /usr/share/lintian/*' > "$root/etc/dpkg/dpkg.cfg.d/docker"
clean='rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true'
printf '%s\n' \
  "DPkg::Post-Invoke { \"$clean\"; };" \
  "APT::Update::Post-Invoke { \"$clean\"; };" \
  'Dir::Cache::pkgcache ""; Dir::Cache::srcpkgcache "";' > "$root/etc/apt/apt.conf.d/docker-clean"
find "$root/usr/share/doc" -mindepth 1 ! -type d ! -name copyright -delete
find "$root/usr/share/doc" -mindepth 1 -type d -empty -delete
rm -rf "${root:?}/usr/share/man/"* "$root/usr/share/info/"* "$root/usr/share/locale/"* \
  "$root/usr/share/lintian" "$root/var/cache/apt/"*.bin "$root/var/cache/apt/archives/"*.deb
find "$root/var/lib/apt/lists" -maxdepth 1 -type f -delete
