# Checks of a tool's command-line errors, shared by the host and VM tests.

# vs_usage_case TOOL ARGS TEXT CMD...: "CMD ARGS" exits 2, prints nothing on
# stdout and exactly one line on stderr that starts with "TOOL: ", contains
# TEXT and ends with the hint "(try 'TOOL --help')".
vs_usage_case() {
	_tool=$1 _args=$2 _want=$3
	shift 3
	set -f
	# shellcheck disable=SC2086
	"$@" $_args >out 2>err
	_rc=$?
	set +f
	[ $_rc -eq 2 ] || vs_fail "'$_tool $_args' exited $_rc, expected 2: $(cat out err)"
	[ "$(wc -l <err)" -eq 1 ] || vs_fail "'$_tool $_args': expected one line, got: $(cat err)"
	grep -qF -- "$_want" err || vs_fail "'$_tool $_args': message lacks '$_want': $(cat err)"
	grep -q "^$_tool: " err || vs_fail "'$_tool $_args': message does not start with '$_tool: ': $(cat err)"
	grep -qF "(try '$_tool --help')" err || vs_fail "'$_tool $_args': no usage hint: $(cat err)"
	[ ! -s out ] || vs_fail "'$_tool $_args' printed to stdout: $(cat out)"
}

# check_bad_options CMD...: every line of bad_options.txt ("ARGS|text") is a
# vsock_perf usage error of CMD (vsock_perf itself, or a wrapper of it).
check_bad_options() {
	n=$(grep -vc '^#' "$VS_ROOT/tests/lib/bad_options.txt")
	[ "$n" -ge 25 ] || vs_fail "bad_options.txt has only $n cases"
	grep -v '^#' "$VS_ROOT/tests/lib/bad_options.txt" | while IFS='|' read -r args want; do
		vs_usage_case vsock_perf "$args" "$want" "$@"
	done || exit 1
}

# vs_novsock TOOL ARGS...: build/bin/TOOL under the novsock shim: socket(AF_VSOCK) fails and
# is logged to ./vsock.log, which vs_no_socket_attempted then checks is empty.
vs_novsock() {
	_t=$1
	shift
	VSOCKSCOPE_NOVSOCK_LOG=$PWD/vsock.log LD_PRELOAD=$VS_ROOT/build/tests/novsock.so \
		${VS_SANDBOX:-} "$VS_ROOT/build/bin/$_t" "$@"
}

vs_no_socket_attempted() {
	[ ! -s vsock.log ] || vs_fail "a vsock socket was attempted: $(cat vsock.log)"
}
