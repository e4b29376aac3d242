#!/bin/sh
# tests/cases.sh [--lib FILE] TESTFILE...
# Runs every test_* function of each shell test file in its own process
# (fresh temp dir, timeout VS_CASE_TIMEOUT, default 120 s) and prints one
# line per case, the format every part of the suite uses:
#   ok - FILE: CASE            ok - FILE: CASE # SKIP reason   (case exit 77)
#   not ok - FILE: CASE (exit N), followed by the case's output, indented
# A case that runs a suite of its own may append result lines in the same
# format to the file named by $VS_CASE_TAP: they are printed after its line.
# POSIX sh: it runs on the host and in the test VM's busybox.
lib=
if [ "${1:-}" = --lib ]; then
	lib=$2
	shift 2
fi
limit=${VS_CASE_TIMEOUT:-120}
status=0
for f in "$@"; do
	f=$(cd "$(dirname "$f")" && pwd)/$(basename "$f")
	name=$(basename "$f")
	for c in $(sed -n 's/^\(test_[A-Za-z0-9_]*\)[ ]*()[ ]*{*[ ]*$/\1/p' "$f"); do
		dir=$(mktemp -d)
		(cd "$dir" && VS_CASE_TAP=$dir/.tap timeout "$limit" \
			sh -c "${lib:+. '$lib'; }. '$f'; $c") >"$dir/.log" 2>&1 </dev/null
		rc=$?
		if [ $rc -eq 0 ]; then
			echo "ok - $name: $c"
		elif [ $rc -eq 77 ]; then
			echo "ok - $name: $c # SKIP $(sed -n 's/^SKIP: //p' "$dir/.log" | head -n 1)"
		else
			why="exit $rc"
			[ $rc -eq 124 ] || [ $rc -eq 143 ] && why="timed out after $limit s"
			echo "not ok - $name: $c ($why)"
			tail -n 40 "$dir/.log" | sed 's/^/    /'
			status=1
		fi
		[ -s "$dir/.tap" ] && grep -E '^(not )?ok - ' "$dir/.tap"
		rm -rf "$dir"
	done
done
exit $status
