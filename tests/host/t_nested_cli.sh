# The nested harness (tests/vm/run --guest) on the bare machine: usage errors exit 2 before any
# VM boots, and the nested suite refuses to run outside the test VM.

# Every test file of the nested sets refuses outside the VM (the guard in tests/vm/lib.sh);
# PATH holds stubs, so even a broken guard could not reach a real vsock tool.
test_nested_suite_refuses_outside_vm() {
	mkdir stubs
	for t in vsock_perf vsock_conform socat; do
		printf '#!/bin/sh\necho "$0 ran" >> %s/ran.log\n' "$PWD" >stubs/$t
		chmod +x stubs/$t
	done
	PATH=$PWD/stubs:/usr/bin:/bin sh "$VS_ROOT/tests/vm/nested/suite.sh" smoke >out 2>err
	vs_assert_eq "suite exit status" 3 "$?"
	vs_assert_file_match err "refusing to run: not inside the vsockscope test VM"
	PATH=$PWD/stubs:/usr/bin:/bin sh "$VS_ROOT/tests/cases.sh" --lib "$VS_ROOT/tests/vm/lib.sh" \
		"$VS_ROOT"/tests/vm/nested/host_*.sh "$VS_ROOT"/tests/vm/nested/guest_*.sh >out 2>err
	vs_assert_no_file_match out "^ok - "
	[ ! -e ran.log ] || vs_fail "a stub ran: $(cat ran.log)"
}

test_nested_harness_usage_errors() {
	run=$VS_ROOT/tests/vm/run
	s=$VS_ROOT/tests/vm/nested/suite.sh
	vs_run_rc 2 "$run" --guest
	vs_assert_file_match err "--guest needs a value"
	vs_run_rc 2 "$run" --guest /nonexistent/guest.sh "$s" smoke
	vs_assert_file_match err "--guest SCRIPT2 '/nonexistent/guest.sh' is not a readable file"
	vs_run_rc 2 "$run" --guest-kernel 6.1 "$s" smoke
	vs_assert_file_match err "--guest-kernel needs --guest"
	vs_run_rc 2 "$run" --guest "$s" --guest-kernel 5.10 "$s" smoke
	vs_assert_file_match err "unknown kernel '5.10'"
	VSOCKSCOPE_VM_MODULES=vsock vs_run_rc 2 "$run" --guest "$s" "$s" smoke
	vs_assert_file_match err "VSOCKSCOPE_VM_MODULES cannot be used with --guest"
	VSOCKSCOPE_VM_NESTED_ACCEL=xen vs_run_rc 2 "$run" --guest "$s" "$s" smoke
	vs_assert_file_match err "bad VSOCKSCOPE_VM_NESTED_ACCEL 'xen'"
	VSOCKSCOPE_VM_GUEST_MEM=lots vs_run_rc 2 "$run" --guest "$s" "$s" smoke
	vs_assert_file_match err "bad VSOCKSCOPE_VM_GUEST_MEM 'lots'"
	vs_run_rc 2 "$run" --mem 600 --guest "$s" "$s" smoke
	vs_assert_file_match err "--mem 600 leaves too little for the host VM beside a 512 MB nested guest"
}
