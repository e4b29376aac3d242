# tests/vm/nested/l1.sh: the host VM's side of `tests/vm/run --guest` (see harness.bash there).
# Runs as /vsockscope/script in L1: checks that L1 has no vsock transport toward the machine,
# loads KVM, boots the nested guest (L2) with vhost-vsock-pci at CID $NESTED_GUEST_CID, and once
# L2's script runs, runs SCRIPT1 (/vsockscope/nested/host-script) beside it; collects both
# statuses.
. /vsockscope/tests/vm/lib.sh
N=/vsockscope/nested
. $N/guest.conf
S=/run/nested
mkdir -p $S

say() { echo "nested: $*"; }
uptime_s() { cut -d' ' -f1 /proc/uptime; }

# builtin NAME: NAME is built into this kernel (a kernel like --kernel patched).
builtin() {
	grep -qx "$1" /vsockscope/modules/modules.builtin.names 2>/dev/null
}

# The safety invariant: L1's only vsock transport is vhost toward L2. A guest transport here
# would lead to the machine's hypervisor (L0); loopback is not part of this setup either.
# A kernel with both built in (--kernel patched) cannot unload them: there L1 must have no
# virtio vsock device (virtio device ID 19), so the guest transport has no peer at all, and
# loopback stays inside L1. The device check holds for every kernel.
check_transports() {
	for m in $NESTED_L1_FORBIDDEN; do
		builtin $m && continue
		if [ -e /sys/module/$m ]; then
			say "refusing: module $m is loaded in the host VM $1; its only vsock transport must be vhost_vsock toward the nested guest"
			[ -n "${QPID:-}" ] && kill "$QPID" 2>/dev/null
			exit 3
		fi
	done
	for d in /sys/bus/virtio/devices/*; do
		[ -e "$d/device" ] || continue
		if [ "$(cat "$d/device")" = 0x0013 ]; then
			say "refusing: the host VM has a virtio vsock device ($d) $1: a transport toward the machine"
			[ -n "${QPID:-}" ] && kill "$QPID" 2>/dev/null
			exit 3
		fi
	done
}
check_transports "before the run"
{ [ -e /sys/module/vhost_vsock ] || builtin vhost_vsock; } && [ -c /dev/vhost-vsock ] ||
	{ say "vhost_vsock is not loaded or /dev/vhost-vsock is missing"; exit 125; }

# KVM for L2 when the (TCG) host VM offers SVM; else TCG inside TCG.
accel=$NESTED_ACCEL
if [ "$accel" != tcg ]; then
	if (vs_modprobe kvm_amd) >$S/kvm.err 2>&1 && [ -c /dev/kvm ]; then
		accel=kvm
	elif [ "$accel" = kvm ]; then
		say "VSOCKSCOPE_VM_NESTED_ACCEL=kvm but KVM is unusable in the host VM: $(tr '\n' ' ' <$S/kvm.err)"
		exit 125
	else
		echo "nested: KVM is unusable in the host VM ($(tr '\n' ' ' <$S/kvm.err)); the nested guest runs under TCG, which is slow (boots in ~100 s, moves a few MiB/s)" >&2
		accel=tcg
	fi
fi
if [ $accel = kvm ]; then
	cpu=host
else
	cpu=max
	[ "$NESTED_ACCEL" = tcg ] && echo "nested: VSOCKSCOPE_VM_NESTED_ACCEL=tcg: the nested guest runs under TCG, which is slow (boots in ~100 s, moves a few MiB/s)" >&2
fi

# start_guest: launch L2, its console through l2filter.awk (boot noise to $S/pre.log, the
# script's lines labelled, its exit status to $S/rc); sets QPID and FPID.
start_guest() {
	rm -f $S/serial $S/started $S/rc
	: >$S/pre.log
	mkfifo $S/serial
	awk -v ms="$NESTED_MARK_START" -v me="$NESTED_MARK_EXIT" -v dir=$S \
		-f /vsockscope/tests/vm/nested/l2filter.awk <$S/serial &
	FPID=$!
	uptime_s >$S/t0
	smp=$NESTED_GUEST_SMP
	[ "$NESTED_GUEST_BUILTIN" = 1 ] && smp="$smp,sockets=$smp"
	qemu-system-x86_64 -accel $accel -cpu $cpu -M pc -nodefaults -no-user-config \
		-smp "$smp" -m "$NESTED_GUEST_MEM" -L /usr/share/qemu \
		-display none -serial stdio -no-reboot -nic none \
		-device isa-debug-exit,iobase=0xf4,iosize=0x04 \
		-device vhost-vsock-pci,guest-cid="$NESTED_GUEST_CID" \
		-kernel $N/guest-vmlinux -initrd $N/guest.cpio \
		-append "console=ttyS0 quiet loglevel=3 panic=-1 tsc=reliable vsockscope.testvm=1 vsockscope.cid=$NESTED_GUEST_CID vsockscope.accel=$accel${NESTED_GUEST_TSC_KHZ:+ tsc_early_khz=$NESTED_GUEST_TSC_KHZ}${NESTED_GUEST_APPEND:+ $NESTED_GUEST_APPEND}" \
		</dev/null >$S/serial 2>$S/qemu.err &
	QPID=$!
}

# stop_guest: SIGTERM, then SIGKILL after 5 s.
stop_guest() {
	kill $QPID 2>/dev/null
	i=0
	while kill -0 $QPID 2>/dev/null && [ $i -lt 25 ]; do sleep 0.2; i=$((i + 1)); done
	kill -9 $QPID 2>/dev/null
}

# guest_console_tail: L2's last console lines and QEMU's stderr, for a failure message.
guest_console_tail() {
	tail -n 25 $S/pre.log | sed 's/^/guest-console| /'
	tail -n 5 $S/qemu.err | sed 's/^/guest-qemu| /'
	dmesg | tail -n 8 | sed 's/^/host-dmesg| /'
}

# Boot L2 and wait until its script runs, before SCRIPT1 starts. A guest that crashes (or
# resets) while booting is booted again, at most twice: seen once on 6.12 under nested KVM, a panic on a
# corrupted instruction in enqueue_timer (like the TCG text-patching race tests/vm/run retries).
# Under KVM a guest that is still silent after 120 s is stopped and booted again too (same
# limit): with the patched kernel as host VM, 3 of 6 nested guests (patched and Debian 6.1) did
# not reach their script in 120-300 s, where the others took 17-31 s. The cause was the host VM's
# jiffies clock (tests/vm/run: machine_tsc_khz); since it has the TSC, 4-13 s.
if [ $accel = kvm ]; then boot_limit=120; else boot_limit=900; fi
try=0
while :; do
	start_guest
	say "nested guest: kernel $NESTED_GUEST_KERNEL ($NESTED_GUEST_RELEASE), CID $NESTED_GUEST_CID, $NESTED_GUEST_SMP CPUs, $NESTED_GUEST_MEM MB, under $accel (QEMU pid $QPID)"
	end=$(($(cut -d. -f1 /proc/uptime) + boot_limit))
	while [ ! -f $S/started ] && kill -0 $QPID 2>/dev/null && [ "$(cut -d. -f1 /proc/uptime)" -lt $end ]; do
		sleep 0.2
	done
	[ -f $S/started ] && break
	if kill -0 $QPID 2>/dev/null; then
		stop_guest
		wait $QPID
		wait $FPID
		say "the nested guest did not reach its script within $boot_limit s; its last console lines and QEMU's stderr:"
		guest_console_tail
		if [ $accel = kvm ] && [ $try -lt 2 ]; then
			try=$((try + 1))
			say "booting it again ($try/2)"
			continue
		fi
		exit 124
	fi
	wait $QPID
	qrc=$?
	wait $FPID
	cause=$(grep -m 1 -E 'Kernel panic|BUG: |Oops|general protection fault' $S/pre.log | sed 's/^\[[ 0-9.]*\] *//')
	# With -no-reboot a guest that resets exits with status 0: seen once in a loaded make check,
	# before any console line (a reset under emulated SVM while booting).
	[ -z "$cause" ] && [ "$qrc" = 0 ] && cause="QEMU exited with status 0 before the script: the guest reset"
	if [ -n "$cause" ] && [ $try -lt 2 ]; then
		try=$((try + 1))
		say "the nested guest crashed while booting ($cause); booting it again ($try/2)"
		continue
	fi
	say "the nested guest did not reach its script (QEMU status $qrc); its last console lines and QEMU's stderr:"
	guest_console_tail
	check_transports "after the run"
	exit 125
done

# SCRIPT1, labelled; its status through a file (a pipeline's status is awk's).
(
	export VSOCKSCOPE_ROLE=host VSOCKSCOPE_LOCAL_CID=2 VSOCKSCOPE_PEER_CID=$NESTED_GUEST_CID
	export VSOCKSCOPE_GUEST_PID=$QPID VSOCKSCOPE_NESTED_ACCEL=$accel
	sh $N/host-script "$@" </dev/null
	echo $? >$S/host.rc
) 2>&1 | awk '{ print "host| " $0; fflush() }'
host_rc=$(cat $S/host.rc 2>/dev/null || echo 125)

# Wait for L2: long when SCRIPT1 passed (L2 may still be at work), short when it failed (L2 may
# be waiting for it in a vs_sync).
if [ "$host_rc" = 0 ]; then grace=600; else grace=20; fi
deadline=$(awk -v u="$(uptime_s)" -v g=$grace 'BEGIN { print int(u + g) }')
timed_out=0
while kill -0 $QPID 2>/dev/null; do
	if [ "$(cut -d. -f1 /proc/uptime)" -ge "$deadline" ]; then
		say "the nested guest did not finish within $grace s after the host script ended; stopping it"
		stop_guest
		timed_out=1
		break
	fi
	sleep 0.2
done
wait $QPID
qrc=$?
wait $FPID

if [ -f $S/rc ]; then
	guest_rc=$(cat $S/rc)
else
	if [ $timed_out = 1 ]; then guest_rc=124; else guest_rc=125; fi
	say "the nested guest ended without an exit status (QEMU status $qrc); its last console lines and QEMU's stderr:"
	guest_console_tail
fi
check_transports "after the run"
say "host script exited $host_rc, guest script exited $guest_rc"
[ "$host_rc" != 0 ] && exit "$host_rc"
exit "$guest_rc"
