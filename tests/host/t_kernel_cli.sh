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
