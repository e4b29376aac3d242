#!/usr/bin/env bash
# kernel-patches/checkpatch.sh: run the kernel's scripts/checkpatch.pl --strict on every patch
# of the series, from the source tree that scripts/kernel.sh unpacked (or SRC=DIR).
# Exit 0 only when every patch has 0 errors, 0 warnings and 0 checks.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
CACHE=${VSOCKSCOPE_CACHE:-${HOME:-/root}/.cache/vsockscope}
ver=$(dpkg-query -W -f='${Version}' linux-source-6.1 2>/dev/null || true)
src=${SRC:-$CACHE/linux-$ver/src}
[[ -f $src/scripts/checkpatch.pl ]] ||
	{ echo "checkpatch.sh: no $src/scripts/checkpatch.pl (run make kernel first, or set SRC)" >&2; exit 1; }
rc=0
for p in "$here"/[0-9][0-9][0-9][0-9]-*.patch; do
	[[ ${p##*/} == 0000-cover-letter.patch ]] && continue
	out=$(cd "$src" && perl scripts/checkpatch.pl --strict --no-tree "$p" 2>&1) || rc=1
	echo "${p##*/}: $(grep '^total:' <<<"$out")"
	grep -q '^total: 0 errors, 0 warnings, 0 checks' <<<"$out" || { echo "$out"; rc=1; }
done
exit $rc
