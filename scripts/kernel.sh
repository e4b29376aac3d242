#!/usr/bin/env bash
# scripts/kernel.sh [--kasan] [--path] [--jobs N]: build the patched test kernel (make kernel).
#
# Unpacks Debian's linux-source-6.1 (/usr/src/linux-source-6.1.tar.xz) into the cache as a git
# tree (tag "pristine"), applies the series in kernel-patches/ (*.patch but the cover letter), merges
# kernel-patches/vsockscope.config (and kasan.config with --kasan) over `make tinyconfig`, builds
# bzImage out of tree with ccache, and installs the result in
#   $CACHE/kernel-patched/<variant>-<key>/{bzImage,config,release,info,modules.builtin.names,...}
# where key = hash(source version, patches, config fragments, compiler, pahole): unchanged inputs
# are not rebuilt. The last line on stdout is that directory; tests/vm/run --kernel patched boots it.
#   --path   print the directory if it is built, exit 1 if not (builds nothing)
#   --jobs N make -j N (default 2: the machine is shared)
# env: VSOCKSCOPE_CACHE (default ~/.cache/vsockscope), the same cache tests/vm/run uses.
set -euo pipefail

PROG=scripts/kernel.sh
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
CACHE=${VSOCKSCOPE_CACHE:-${HOME:-/root}/.cache/vsockscope}
PATCHES=$REPO/kernel-patches
TARBALL=/usr/src/linux-source-6.1.tar.xz
SRCPKG=linux-source-6.1

log() { printf '%s: %s\n' "$PROG" "$*" >&2; }
die() { log "$*"; exit 1; }

variant=default jobs=2 path_only=0
while (($#)); do
	case $1 in
	--kasan) variant=kasan ;;
	--path) path_only=1 ;;
	--jobs) (($# >= 2)) || die "--jobs needs a value"; jobs=$2; shift ;;
	-h|--help) sed -n '2,14p' "$0"; exit 0 ;;
	*) log "unknown option '$1'"; sed -n 2p "$0" >&2; exit 2 ;;
	esac
	shift
done
[[ $jobs =~ ^[1-9][0-9]*$ ]] || { log "bad --jobs '$jobs' (positive integer)"; exit 2; }

frags=("$PATCHES/vsockscope.config")
[[ $variant == kasan ]] && frags+=("$PATCHES/kasan.config")
mapfile -t series < <(find "$PATCHES" -maxdepth 1 -name '[0-9][0-9][0-9][0-9]-*.patch' \
	! -name '0000-cover-letter.patch' | LC_ALL=C sort)

# The source version comes from the installed package; without it there is nothing to build.
srcver=$(dpkg-query -W -f='${Version}' "$SRCPKG" 2>/dev/null || true)
if [[ -z $srcver || ! -f $TARBALL ]]; then
	((path_only)) && exit 1
	die "$SRCPKG is not installed ($TARBALL missing): run 'make deps' (as root)"
fi
for t in gcc make bison flex bc pahole ccache cpio git flock sha256sum; do
	command -v "$t" >/dev/null || { ((path_only)) && exit 1; die "missing build tool '$t': run 'make deps' (as root)"; }
done

key=$( {
	echo "source $SRCPKG $srcver"
	echo "variant $variant"
	gcc --version | head -1
	pahole --version
	# (the commit ids and dates format-patch writes do not change the kernel)
	for f in "${series[@]}" "${frags[@]}"; do
		echo "== ${f##*/}"; sed '/^From [0-9a-f]\{40\} /d; /^Date: /d' "$f"
	done
} | sha256sum | cut -c1-16)
OUT=$CACHE/kernel-patched/$variant-$key
if [[ -f $OUT/bzImage ]]; then
	((path_only)) || log "up to date: $variant kernel for $SRCPKG $srcver + ${#series[@]} patches (key $key)"
	echo "$OUT"
	exit 0
fi
((path_only)) && exit 1

TREE=$CACHE/linux-$srcver
SRC=$TREE/src
BLD=$TREE/build-$variant
mkdir -p "$CACHE/kernel-patched" "$TREE"
# One build at a time: the builds share the source tree (and two of them would not fit 2 cores).
exec 8>"$CACHE/.lock-kernel-build"
flock -n 8 || { log "waiting for another kernel build (lock $CACHE/.lock-kernel-build)"; flock 8; }
if [[ -f $OUT/bzImage ]]; then log "built meanwhile by another run"; echo "$OUT"; exit 0; fi
T0=$EPOCHREALTIME
elapsed() { awk -v a="$T0" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.0f", b - a }'; }

# 1. the pristine source as a git tree (once per source version)
if ! git -C "$SRC" rev-parse -q --verify 'pristine^{commit}' >/dev/null 2>&1; then
	log "unpacking $TARBALL ($SRCPKG $srcver) into $TREE"
	rm -rf "$TREE/.unpack" "$SRC"
	mkdir -p "$TREE/.unpack"
	tar -C "$TREE/.unpack" -xf "$TARBALL"
	mv -T "$TREE/.unpack/linux-source-6.1" "$SRC"
	rmdir "$TREE/.unpack"
	# -f: Debian's top-level .gitignore ignores everything outside debian/
	git -C "$SRC" init -q
	git -C "$SRC" add -f -A .
	git -C "$SRC" -c user.name=vsockscope -c user.email=vsockscope@localhost \
		commit -q -m "Debian $SRCPKG $srcver (pristine)"
	git -C "$SRC" tag pristine
fi
kver=$(make -s -C "$SRC" kernelversion 2>/dev/null) || die "cannot read the kernel version of $SRC"

# 2. the series, on a clean checkout of the pristine tree (only files that differ are rewritten,
# so the build below stays incremental)
log "applying ${#series[@]} patches to Debian $SRCPKG $srcver (Linux $kver)"
git -C "$SRC" checkout -q -f --detach pristine
git -C "$SRC" clean -q -f -d -x
for p in "${series[@]}"; do
	if ! err=$(git -C "$SRC" apply --index "$p" 2>&1); then
		log "$err"
		die "patch ${p##*/} no longer applies to Debian $SRCPKG $srcver (Linux $kver); rebase kernel-patches/"
	fi
done

# 3. config: tinyconfig + fragments; every =y of a fragment must survive olddefconfig
# LOCALVERSION set (to nothing): no "+" for the git tree; CONFIG_LOCALVERSION names the kernel
export ARCH=x86_64 LOCALVERSION=
mk() { make -C "$SRC" O="$BLD" "$@"; }
mkdir -p "$BLD"
mk -s tinyconfig >"$BLD/config.log" 2>&1 || { cat "$BLD/config.log" >&2; die "make tinyconfig failed"; }
# (its "override: ... changes choice state" lines are expected: the fragment changes tinyconfig's choices)
(cd "$BLD" && "$SRC/scripts/kconfig/merge_config.sh" -m -O "$BLD" "$BLD/.config" "${frags[@]}" \
	>>"$BLD/config.log" 2>&1) || { cat "$BLD/config.log" >&2; die "merging the config fragments failed"; }
mk -s olddefconfig >>"$BLD/config.log" 2>&1 || { cat "$BLD/config.log" >&2; die "make olddefconfig failed"; }
missing=$(grep -h '^CONFIG_[A-Z0-9_]*=y' "${frags[@]}" | while read -r l; do
	grep -qx "$l" "$BLD/.config" || echo "${l%=y}"; done)
[[ -z $missing ]] || die "config options lost in olddefconfig (a dependency is missing): $(echo $missing)"

# 4. build with ccache (NOHASHDIR: -g puts the build directory in the hash otherwise)
export CCACHE_DIR=$CACHE/ccache CCACHE_NOHASHDIR=1 CCACHE_MAXSIZE=${CCACHE_MAXSIZE:-3G}
log "building $variant bzImage in $BLD (make -j$jobs, ccache $CCACHE_DIR; log $BLD/build.log)"
mk -j"$jobs" CC="ccache gcc" bzImage >"$BLD/build.log" 2>&1 &
mpid=$!
while kill -0 "$mpid" 2>/dev/null; do
	for _ in $(seq 60); do kill -0 "$mpid" 2>/dev/null || break; sleep 1; done
	kill -0 "$mpid" 2>/dev/null && log "still building ($(elapsed) s, $(grep -c '^  CC ' "$BLD/build.log") files compiled)"
done
if ! wait "$mpid"; then
	grep -E 'error|Error' "$BLD/build.log" | head -20 >&2 || true
	tail -n 20 "$BLD/build.log" >&2
	die "kernel build failed after $(elapsed) s (full log: $BLD/build.log)"
fi

# 5. install atomically
work=$(mktemp -d "$CACHE/kernel-patched/.new-$variant.XXXXXX")
cp "$BLD/arch/x86/boot/bzImage" "$work/bzImage"
cp "$BLD/.config" "$work/config"
cp "$BLD/System.map" "$work/System.map"
mk -s kernelrelease >"$work/release"
mkdir "$work/modules"
: >"$work/modules.dep"; : >"$work/modules.order"
# every module is built in: tests/vm/run and vs_modprobe skip the names listed here
sed 's|.*/||; s|\.ko$||; s|-|_|g' "$BLD/modules.builtin" >"$work/modules.builtin.names"
{
	echo "source: Debian $SRCPKG $srcver (Linux $kver)"
	echo "variant: $variant"
	echo "key: $key"
	echo "patches:"; for p in "${series[@]}"; do echo "  ${p##*/}"; done
	echo "fragments: ${frags[*]##*/}"
	echo "built: $(date -u +%FT%TZ) in $(elapsed) s"
} >"$work/info"
rm -rf "$OUT"
mv -T "$work" "$OUT"
# keep the 3 newest builds of this variant (a run may still be booting an older one)
ls -1dt "$CACHE/kernel-patched/$variant"-* | tail -n +4 | xargs -r rm -rf
log "built $variant kernel $(cat "$OUT/release") in $(elapsed) s: $OUT/bzImage"
echo "$OUT"
