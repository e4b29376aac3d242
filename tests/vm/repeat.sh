#!/bin/sh
# tests/vm/run [--kernel K] tests/vm/repeat.sh N t_FILE.sh CASE...: runs each named case of
# one test file N times inside the test VM, one line per run (a failure's output follows,
# indented), then "CASE: P of N passed" per case. For checking that a case is robust under
# load. Exit status: 0 if every run passed.
here=${VSOCKSCOPE_ROOT:-/vsockscope}/tests/vm
. "$here/lib.sh"
[ $# -ge 3 ] || { echo "usage: repeat.sh N t_FILE.sh CASE..." >&2; exit 2; }
n=$1 file=$here/$2
shift 2
[ -f "$file" ] || { echo "repeat.sh: no test file $file" >&2; exit 2; }
status=0 summary=
for c; do
	grep -q "^$c() *{" "$file" || { echo "repeat.sh: no case $c in $file" >&2; exit 2; }
	i=1 ok=0
	while [ $i -le "$n" ]; do
		d=$(mktemp -d)
		if (cd "$d" && sh -c ". '$here/lib.sh'; . '$file'; $c") >"$d/log" 2>&1 </dev/null; then
			echo "ok $i $c"
			ok=$((ok + 1))
		else
			echo "not ok $i $c"
			sed 's/^/    /' "$d/log" | tail -n 20
			status=1
		fi
		rm -rf "$d"
		i=$((i + 1))
	done
	summary="$summary$c: $ok of $n passed
"
done
printf '%s' "$summary"
exit $status
