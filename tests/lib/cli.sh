# check_bad_options CMD...: every line of bad_options.txt ("ARGS|text") makes
# "CMD ARGS" exit 2 with exactly one line on stderr that contains the text and
# the usage hint, and nothing on stdout. Host and VM tests share it.
check_bad_options() {
	n=$(grep -vc '^#' "$VS_ROOT/tests/lib/bad_options.txt")
	[ "$n" -ge 25 ] || vs_fail "bad_options.txt has only $n cases"
	grep -v '^#' "$VS_ROOT/tests/lib/bad_options.txt" | while IFS='|' read -r args want; do
		set -f
		# shellcheck disable=SC2086
		"$@" $args >out 2>err
		rc=$?
		set +f
		[ $rc -eq 2 ] || vs_fail "'$args' exited $rc, expected 2: $(cat err)"
		[ "$(wc -l <err)" -eq 1 ] || vs_fail "'$args': expected one line, got: $(cat err)"
		grep -qF -- "$want" err || vs_fail "'$args': message lacks '$want': $(cat err)"
		grep -q "try 'vsock_perf --help'" err || vs_fail "'$args': no usage hint: $(cat err)"
		[ ! -s out ] || vs_fail "'$args' printed to stdout: $(cat out)"
	done || exit 1
}
