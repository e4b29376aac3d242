#!/bin/sh
# tests/lib/zc_uapi_check.sh PATCHDIR HEADER: do the zerocopy receive numbers
# and struct layout in HEADER (src/zerocopy/vsock_zc.h) equal what the patch
# series in PATCHDIR adds to include/uapi/linux/vm_sockets.h?
# Exit 0: equal; 1: they differ (one line per difference); 77: no patch in
# PATCHDIR changes that header (nothing to compare yet); 2: bad usage.
[ $# -eq 2 ] && [ -d "$1" ] && [ -f "$2" ] || {
	echo "usage: zc_uapi_check.sh PATCHDIR HEADER" >&2
	exit 2
}
dir=$1 hdr=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# The lines the series adds to the uapi header, in patch order.
for p in "$dir"/*.patch; do
	[ -f "$p" ] || continue
	awk '/^diff --git / { inside = ($0 ~ / b\/include\/uapi\/linux\/vm_sockets\.h$/) }
	     inside && /^\+/ && !/^\+\+\+ / { print substr($0, 2) }' "$p"
done >"$tmp/added.h"
if ! grep -q 'SO_VM_SOCKETS_ZEROCOPY' "$tmp/added.h"; then
	echo "SKIP: no patch in $dir adds SO_VM_SOCKETS_ZEROCOPY_* to include/uapi/linux/vm_sockets.h"
	exit 77
fi

bad=0
for name in SO_VM_SOCKETS_ZEROCOPY_RX SO_VM_SOCKETS_ZEROCOPY_RECEIVE VSOCK_ZEROCOPY_RECEIVE_RELEASE; do
	want=$(sed -n "s/^#define[ 	]*$name[ 	]*\([0-9a-fA-Fx]*\).*/\1/p" "$hdr" | head -n 1)
	got=$(sed -n "s/^#define[ 	]*$name[ 	]*\([0-9a-fA-Fx]*\).*/\1/p" "$tmp/added.h" | head -n 1)
	if [ "$want" != "$got" ]; then
		echo "$name: $hdr says '$want', the uapi header in $dir says '${got:-missing}'"
		bad=1
	fi
done

# struct vsock_zerocopy_receive: field names in order, then sizes and offsets.
fields() {
	awk '/^struct vsock_zerocopy_receive[ 	]*\{/ { on = 1; next }
	     on && /^\};/ { exit }
	     on { sub(/\/\*.*/, ""); gsub(/;/, ""); if (NF >= 2) print $NF }' "$1"
}
fields "$hdr" >"$tmp/want"
fields "$tmp/added.h" >"$tmp/got"
if ! cmp -s "$tmp/want" "$tmp/got"; then
	echo "struct vsock_zerocopy_receive: fields differ: $hdr has '$(tr '\n' ' ' <"$tmp/want")'," \
		"the uapi header has '$(tr '\n' ' ' <"$tmp/got")'"
	exit 1
fi
{
	echo '#include <stddef.h>'
	echo '#include <linux/types.h>'
	awk '/^struct vsock_zerocopy_receive[ 	]*\{/ { on = 1; sub(/vsock_zerocopy_receive/, "uapi_zc") }
	     on { print } on && /^\};/ { exit }' "$tmp/added.h"
	echo "#include \"$(cd "$(dirname "$hdr")" && pwd)/$(basename "$hdr")\""
	echo '_Static_assert(sizeof(struct uapi_zc) == sizeof(struct vsock_zerocopy_receive), "size");'
	while read -r f; do
		echo "_Static_assert(offsetof(struct uapi_zc, $f) == offsetof(struct vsock_zerocopy_receive, $f) &&" \
			"sizeof(((struct uapi_zc *)0)->$f) == sizeof(((struct vsock_zerocopy_receive *)0)->$f), \"$f\");"
	done <"$tmp/want"
} >"$tmp/layout.c"
if ! cc -std=gnu11 -fsyntax-only "$tmp/layout.c" 2>"$tmp/cc.err"; then
	echo "struct vsock_zerocopy_receive: layout differs: $(grep -o 'static assertion failed: .*' "$tmp/cc.err" | head -n 3 | tr '\n' ' ')$(grep -m1 'error' "$tmp/cc.err" | grep -v 'static assertion')"
	bad=1
fi
exit $bad
