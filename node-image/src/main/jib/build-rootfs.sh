#!/usr/bin/env bash
# Assembles an image's base file system without any registry: a jlink'd Java runtime made from the
# build machine's Debian OpenJDK 17 (packages openjdk-17-jdk-headless + openjdk-17-jmods), the shared
# libraries it needs copied from the Debian packages that provide them (libc6, zlib1g, ...), a
# passwd/group naming uid 10001 ("ballot"), and an empty /tmp (plus the data directory, if given).
# Jib layers it on `scratch`. Both images use it: the node (node-image/pom.xml) and the operator
# (operator/pom.xml), each with its own module list.
#
# usage: build-rootfs.sh <output-dir> <modules> [<jar to scan with jdeps> [<data-dir>]]
#   modules:  comma-separated modules the program needs beyond what jdeps finds in the jar (what it
#             reaches by reflection or service loading); with no jar ("" or absent), the complete list.
#   data-dir: a directory the program writes (mode 777 in the image: Jib cannot set owners); also the
#             user's home. Without it the home is /tmp.
set -euo pipefail
out="$1"
extra_modules="$2"
jar="${3:-}"
data_dir="${4:-}"
java_home="${JAVA_HOME:-$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")}"
for tool in jlink jdeps; do
  if ! command -v "$java_home/bin/$tool" >/dev/null && ! command -v "$tool" >/dev/null; then
    echo "build-rootfs: $tool not found; install openjdk-17-jdk-headless" >&2; exit 2
  fi
done
if [ ! -d "$java_home/jmods" ]; then
  echo "build-rootfs: $java_home/jmods is missing; install the Debian package openjdk-17-jmods" >&2; exit 2
fi
jlink_bin="$java_home/bin/jlink"; [ -x "$jlink_bin" ] || jlink_bin=jlink
jdeps_bin="$java_home/bin/jdeps"; [ -x "$jdeps_bin" ] || jdeps_bin=jdeps

rm -rf "$out"
mkdir -p "$out"
modules="$extra_modules"
if [ -n "$jar" ]; then
  found=$("$jdeps_bin" --multi-release 17 --ignore-missing-deps --print-module-deps "$jar" 2>/dev/null || true)
  modules="${found:-java.base},$modules"
fi
# --generate-cds-archive: the runtime's own classes as a class-data-sharing archive (lib/server/classes.jsa), as a
# full JDK ships it: each start maps them instead of loading and verifying them (docs/image.md, "Class-data sharing").
"$jlink_bin" --module-path "$java_home/jmods" --add-modules "$modules" --generate-cds-archive \
  --strip-debug --no-header-files --no-man-pages --compress=2 --output "$out/opt/java"
# Its twin for heaps of 32 GiB and more (no compressed pointers) never serves a pod of ours: 3 MiB less.
rm -f "$out/opt/java/lib/server/classes_nocoops.jsa"

# java.desktop stays for java.beans (YAML and JSON binding reflect on it) but neither program draws
# anything: its native AWT, font, sound and image libraries go, and with them their X11 dependencies.
rm -f "$out"/opt/java/lib/lib{awt,awt_xawt,awt_headless,fontmanager,javajpeg,jsound,lcms,mlib_image,splashscreen,freetype}.so

# Shared libraries: whatever the runtime's ELF files link against, with the Debian package owning each.
# Files are copied (not symlinked) under every name the loader may look for.
mkdir -p "$out/usr/share/doc/ballot-base"
manifest="$out/usr/share/doc/ballot-base/packages.txt"
: > "$manifest.tmp"
owner() { { dpkg -S "$1" 2>/dev/null || true; } | head -1 | cut -d: -f1; }
find "$out/opt/java" -type f \( -name '*.so' -o -path '*/bin/*' \) -print0 |
  xargs -0 ldd 2>/dev/null | awk '/=>/ && $3 ~ /^\// {print $3}' | grep -v "^$out" | sort -u |
  while read -r lib; do
    real=$(readlink -f "$lib")
    for path in "$lib" "$real"; do
      mkdir -p "$out$(dirname "$path")"
      cp -L "$real" "$out$path"
    done
    pkg=$(owner "$real"); [ -n "$pkg" ] || pkg=$(owner "$lib"); [ -n "$pkg" ] || pkg=$(owner "${real#/usr}")
    echo "${pkg:-unknown} $lib" >> "$manifest.tmp"
  done
# The dynamic loader at the path the ELF interpreter names.
interp=$(readelf -l "$out/opt/java/bin/java" | sed -n 's/.*Requesting program interpreter: \(.*\)]/\1/p')
mkdir -p "$out$(dirname "$interp")"
cp -L "$interp" "$out$interp"
real_interp=$(readlink -f "$interp")
echo "$(owner "$real_interp" || true)$(owner "${real_interp#/usr}" || true) $interp" >> "$manifest.tmp"
dpkg-query -W -f='${Package} ${Version}\n' openjdk-17-jdk-headless openjdk-17-jmods 2>/dev/null >> "$manifest.tmp" || true
sort -u "$manifest.tmp" > "$manifest"
rm -f "$manifest.tmp"
# glibc looks up NSS modules for user names; files-only lookups need libnss_files when present.
for nss in /lib/x86_64-linux-gnu/libnss_files.so.2 /usr/lib/x86_64-linux-gnu/libnss_files.so.2; do
  if [ -e "$nss" ]; then mkdir -p "$out$(dirname "$nss")"; cp -L "$nss" "$out$nss"; fi
done

# Jib copies regular files only: turn jlink's legal-notice symlinks into copies.
find "$out" -type l | while read -r link; do
  target=$(readlink -f "$link"); rm "$link"; cp "$target" "$link"
done

home="${data_dir:-/tmp}"
mkdir -p "$out/etc" "$out/tmp" "$out/app"
[ -z "$data_dir" ] || mkdir -p "$out$data_dir"
cat > "$out/etc/passwd" <<PASSWD
root:x:0:0:root:/root:/sbin/nologin
ballot:x:10001:10001:ballot:$home:/sbin/nologin
nobody:x:65534:65534:nobody:/nonexistent:/sbin/nologin
PASSWD
cat > "$out/etc/group" <<'GROUP'
root:x:0:
ballot:x:10001:
nogroup:x:65534:
GROUP
echo "hosts: files dns" > "$out/etc/nsswitch.conf"
echo "build-rootfs: runtime $(du -sh "$out/opt/java" | cut -f1) modules=$modules"
