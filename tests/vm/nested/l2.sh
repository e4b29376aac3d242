# tests/vm/nested/l2.sh: the nested guest's side of `tests/vm/run --guest` (see harness.bash).
# Runs as /vsockscope/script in L2 and hands over to SCRIPT2 with the role variables; l1.sh
# passes the guest's CID and how L2 runs on its kernel command line.
for w in $(cat /proc/cmdline); do
	case $w in
	vsockscope.cid=*) VSOCKSCOPE_LOCAL_CID=${w#*=} ;;
	vsockscope.accel=*) VSOCKSCOPE_NESTED_ACCEL=${w#*=} ;;
	esac
done
export VSOCKSCOPE_ROLE=guest VSOCKSCOPE_LOCAL_CID VSOCKSCOPE_PEER_CID=2 VSOCKSCOPE_NESTED_ACCEL
exec /bin/sh /vsockscope/nested/guest-script "$@"
