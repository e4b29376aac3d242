# Assertions for shell test cases (POSIX sh; sourced by tests/cases.sh).
# Each prints what it expected and what it got, and ends the case.

vs_fail() {
	echo "FAIL: $*" >&2
	exit 1
}

# vs_skip REASON: the case cannot run here (counted as skipped).
vs_skip() {
	echo "SKIP: $*"
	exit 77
}

vs_assert_eq() { # NAME EXPECTED ACTUAL
	[ "$2" = "$3" ] || vs_fail "$1: expected '$2', got '$3'"
}

vs_assert_match() { # NAME REGEX TEXT
	printf '%s\n' "$3" | grep -Eq -- "$2" || vs_fail "$1: '$3' does not match /$2/"
}

# vs_assert_file_match FILE REGEX: some line of FILE matches.
vs_assert_file_match() {
	grep -Eq -- "$2" "$1" || { sed 's/^/  | /' "$1" >&2; vs_fail "$1 has no line matching /$2/"; }
}

vs_assert_no_file_match() {
	! grep -Eq -- "$2" "$1" || { sed 's/^/  | /' "$1" >&2; vs_fail "$1 has a line matching /$2/"; }
}

# vs_field FILE PREFIX: what follows PREFIX on the first line of FILE that starts
# with it (leading blanks ignored); status 1 if no line does.
vs_field() {
	awk -v p="$2" '{ s = $0; sub(/^[ \t]*/, "", s) }
		index(s, p) == 1 { print substr(s, length(p) + 1); found = 1; exit }
		END { exit !found }' "$1"
}

# vs_run_rc EXPECTED CMD...: run CMD (output to ./out, ./err) and check its status.
vs_run_rc() {
	want=$1
	shift
	"$@" >out 2>err
	got=$?
	if [ "$got" != "$want" ]; then
		sed 's/^/  out| /' out >&2
		sed 's/^/  err| /' err >&2
		vs_fail "'$*' exited $got, expected $want"
	fi
}

# vs_assert_le NAME A B: A <= B (decimal numbers).
vs_assert_le() {
	awk -v a="$2" -v b="$3" 'BEGIN { exit !(a + 0 <= b + 0) }' ||
		vs_fail "$1: expected $2 <= $3"
}
