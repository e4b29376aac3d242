#!/bin/sh
# The guest side of the VM tests: tests/vm/run boots the test VM and runs
# this, which runs every case of tests/vm/t_*.sh. Outside the VM, sourcing
# lib.sh refuses (exit 3) before anything runs.
here=$(cd "$(dirname "$0")" && pwd)
# tests/vm/run copies this script to /vsockscope/script; the tests are under VSOCKSCOPE_ROOT.
[ -f "$here/lib.sh" ] || here=${VSOCKSCOPE_ROOT:-/vsockscope}/tests/vm
. "$here/lib.sh"
san=
grep -q __asan_init "$(command -v vsock_perf)" && san=", tools built with ASan+UBSan"
echo "guest: kernel $(uname -r), $(nproc) CPUs$san"
# suite.sh [t_FILE.sh...]: only those test files (default: every t_*.sh)
if [ $# -gt 0 ]; then
	files=
	for f; do files="$files $here/$f"; done
else
	files=$(echo "$here"/t_*.sh)
fi
# shellcheck disable=SC2086
exec sh "$here/../cases.sh" --lib "$here/lib.sh" $files
