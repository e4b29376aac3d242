# The patched test kernel's command lines (scripts/kernel.sh, tests/vm/run --kernel PATH):
# bad input is refused with a clear message before anything is built or booted.

test_kernel_script_usage_errors() {
	vs_run_rc 2 "$VS_ROOT/scripts/kernel.sh" --bogus
	vs_assert_file_match err "unknown option '--bogus'"
	vs_run_rc 2 "$VS_ROOT/scripts/kernel.sh" --jobs 0
	vs_assert_file_match err "bad --jobs '0'"
}

test_vm_harness_kernel_path_errors() {
	vs_run_rc 2 "$VS_ROOT/tests/vm/run" --kernel /nonexistent/bzImage /bin/true
	vs_assert_file_match err "--kernel /nonexistent/bzImage: no such file"
	printf 'not a kernel\n' >notakernel
	vs_run_rc 1 "$VS_ROOT/tests/vm/run" --kernel "$PWD/notakernel" /bin/true
	vs_assert_file_match err "is not a bzImage"
}

# The uapi change in kernel-patches/ declares what src/zerocopy/vsock_zc.h promises user space:
# the same option numbers, and the same struct fields in the same order with the same types.
_zc_fields() {	# FILE [PREFIX]: "type name;" per field of struct vsock_zerocopy_receive
	sed -n "/^$2struct vsock_zerocopy_receive {/,/^$2};/p" "$1" | sed "s/^$2//; 1d; \$d" |
		sed 's|/\*.*\*/||; s/[[:space:]]\{1,\}/ /g; s/^ //; s/ $//' | grep -v '^$'
}
test_uapi_patch_matches_vsock_zc_h() {
	patch=$(ls "$VS_ROOT"/kernel-patches/0*-vsock-uapi-*.patch)
	hdr=$VS_ROOT/src/zerocopy/vsock_zc.h
	for opt in SO_VM_SOCKETS_ZEROCOPY_RX SO_VM_SOCKETS_ZEROCOPY_RECEIVE; do
		want=$(sed -n "s/^#define $opt \([0-9]*\)\$/\1/p" "$hdr")
		got=$(sed -n "s/^+#define $opt \([0-9]*\)\$/\1/p" "$patch")
		[ -n "$want" ] || vs_fail "$hdr defines no $opt"
		vs_assert_eq "$opt in the uapi patch" "$want" "$got"
	done
	_zc_fields "$hdr" >want.fields
	_zc_fields "$patch" '+' >got.fields
	[ "$(wc -l <want.fields)" -eq 9 ] || vs_fail "expected 9 fields in $hdr, found: $(cat want.fields)"
	cmp -s want.fields got.fields ||
		vs_fail "struct vsock_zerocopy_receive differs: vsock_zc.h: $(tr '\n' ' ' <want.fields); patch: $(tr '\n' ' ' <got.fields)"
}
