# tests/vm/nested/suite.sh SET...: both sides of nested test sets, e.g.
#   tests/vm/run --guest tests/vm/nested/suite.sh tests/vm/nested/suite.sh perf conform
# runs tests/vm/nested/host_perf.sh and host_conform.sh in the host VM, guest_perf.sh and
# guest_conform.sh in the nested guest (tests/cases.sh: every test_* function, in file order). The two files have the same cases in
# the same order and meet in vs_sync barriers (tests/vm/lib.sh). Before the cases, a first
# barrier waits for the other side (the nested guest's boot: up to VS_SYNC_TIMEOUT, 300 s).
here=$(cd "$(dirname "$0")" && pwd)
# tests/vm/run copies this script into the VMs; the tests are under VSOCKSCOPE_ROOT there.
[ -f "$here/../lib.sh" ] || here=${VSOCKSCOPE_ROOT:-/vsockscope}/tests/vm/nested
. "$here/../lib.sh"
[ $# -ge 1 ] || vs_fail "usage: suite.sh SET... (sets: tests/vm/nested/host_SET.sh with guest_SET.sh)"
files=
for set_; do
	[ -f "$here/host_$set_.sh" ] && [ -f "$here/guest_$set_.sh" ] ||
		vs_fail "suite.sh: no test set '$set_' (tests/vm/nested/host_$set_.sh and guest_$set_.sh)"
	files="$files $here/${VSOCKSCOPE_ROLE}_$set_.sh"
done
export VS_CASE_TIMEOUT=${VS_CASE_TIMEOUT:-300}
san=
grep -q __asan_init "$(command -v vsock_perf)" && san=", tools built with ASan+UBSan"
vs_sync hello "$(uname -r)"
echo "$VSOCKSCOPE_ROLE: kernel $(uname -r), $(nproc) CPUs, CID $VSOCKSCOPE_LOCAL_CID, peer CID $VSOCKSCOPE_PEER_CID (kernel $vs_peer_value), nested guest under $VSOCKSCOPE_NESTED_ACCEL$san"
# shellcheck disable=SC2086
exec sh "$VS_ROOT/tests/cases.sh" --lib "$VS_ROOT/tests/vm/lib.sh" $files
