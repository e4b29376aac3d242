# tests/vm/nested/harness.bash: the nested host<->guest run of tests/vm/run (sourced by it for
# --guest; bash, uses run's functions and globals).
#
#   tests/vm/run --guest SCRIPT2 [--guest-kernel K2] [--kernel K1] [options] SCRIPT1 [ARG...]
#
# K1 and K2: 6.1, 6.12 (Debian, modules loaded as below), or patched, patched-kasan, /abs/bzImage
# (everything built in, kernel-patches/vsockscope.config: KVM, kvm_amd, vhost_vsock, virtio-pci and
# the virtio vsock transport, so one patched kernel serves as host VM and as nested guest).
#
# Topology: the bare machine (L0) runs the test VM (L1) under TCG as always. L1 is the vsock
# *host*: it loads vsock, vmw_vsock_virtio_transport_common, vsock_diag and vhost_vsock (and
# kvm_amd for the nested guest), and never vmw_vsock_virtio_transport or vsock_loopback: its only
# vsock transport is vhost toward the nested guest, none leads to L0 (tests/vm/nested/l1.sh
# checks this before and after SCRIPT1). L1 starts the nested guest (L2) with
# `-device vhost-vsock-pci,guest-cid=3` under KVM (`-accel kvm -cpu host`), or under TCG when
# /dev/kvm is unusable in L1 (slow: said on stderr), and once L2's script runs (an L2 that
# crashed while booting is booted again, at most twice), runs SCRIPT1 while L2 runs SCRIPT2.
#
# Both scripts get ARG..., the usual guest contract of tests/vm/run (/vsockscope/{bin,tests},
# VSOCKSCOPE_KERNEL, vsockscope.testvm=1 on both kernel command lines), and:
#   VSOCKSCOPE_ROLE=host|guest, VSOCKSCOPE_LOCAL_CID (2|3), VSOCKSCOPE_PEER_CID (3|2),
#   VSOCKSCOPE_NESTED_ACCEL=kvm|tcg (how L2 runs); on the host also VSOCKSCOPE_GUEST_PID (L2's
#   QEMU). tests/vm/lib.sh's vs_sync NAME [VALUE] is a barrier between the two over vsock.
# Output: SCRIPT1's lines as `host| ...`, SCRIPT2's as `guest| ...`, the harness's own as
# `nested: ...`. Exit status: SCRIPT1's if non-zero, else SCRIPT2's (124: L2 did not finish in
# time, 125: L2 died without finishing).
#
# Both initramfs images are built here: L2's (its kernel's modules, SCRIPT2) is packed into L1's
# with L2's vmlinux, the machine's qemu-system-x86_64 (with its libraries, and its TCG module for
# the fallback) and its firmware (/usr/share/qemu, /usr/share/seabios). Kernels come from run's cache.
# env: VSOCKSCOPE_VM_GUEST_MEM (MB, default 512), VSOCKSCOPE_VM_GUEST_SMP (default 1: see below),
#      VSOCKSCOPE_VM_NESTED_ACCEL=auto|kvm|tcg (default auto: KVM if usable, else TCG),
#      VSOCKSCOPE_VM_GUEST_APPEND (more kernel arguments for the nested guest, e.g. loglevel=7).
# Defaults in nested mode: --mem 2048 and --timeout 900 unless given.

NESTED_GUEST_CID=3
NESTED_L1_MODULES="vsock vmw_vsock_virtio_transport_common vsock_diag vhost_vsock"
NESTED_L2_MODULES="vsock vmw_vsock_virtio_transport_common virtio_pci vmw_vsock_virtio_transport vsock_diag"
# Never in L1: a guest transport (its only peer would be L0's hypervisor) or loopback. A kernel
# with everything built in (--kernel patched) has both built in: there the invariant is that L1
# has no virtio vsock device (tests/vm/run gives it none; l1.sh checks), so its guest transport
# has nothing to send to and its only path out is vhost toward L2; loopback stays inside L1.
NESTED_L1_FORBIDDEN="vmw_vsock_virtio_transport vsock_loopback"

# nested_append_cpio TREE CPIO: append TREE's files to CPIO as a second newc archive (the kernel
# unpacks concatenated archives in order).
nested_append_cpio() {
  (cd "$1" && find . -mindepth 1 | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet) >>"$2"
}

# nested_build_guest OUT: L2's initramfs (SCRIPT2 behind tests/vm/nested/l2.sh), in a subshell
# so that run's globals (SCRIPT, KERNEL_*, marks) stay L1's.
nested_build_guest() {
  (
    KERNEL_DIR=$NESTED_G_DIR KERNEL_VMLINUX=$NESTED_G_VMLINUX KERNEL_RELEASE=$NESTED_G_RELEASE
    KERNEL_NAME=$NESTED_G_NAME MARK_START=$NESTED_G_MARK_START MARK_EXIT=$NESTED_G_MARK_EXIT
    SCRIPT=$REPO/tests/vm/nested/l2.sh
    VSOCKSCOPE_VM_MODULES=$NESTED_L2_MODULES
    build_initramfs "$TMP/l2root" "$1"
    mkdir -p "$TMP/l2extra/vsockscope/nested"
    cp "$GUEST_SCRIPT" "$TMP/l2extra/vsockscope/nested/guest-script"
    nested_append_cpio "$TMP/l2extra" "$1"
  )
}

# nested_build_host OUT: L1's initramfs (tests/vm/nested/l1.sh as its script), with SCRIPT1,
# L2's kernel and initramfs, QEMU and its firmware.
nested_build_host() {
  local x=$TMP/l1extra n=$TMP/l1extra/vsockscope/nested d m
  # the safety invariant, checked here too: nothing L1's /init loads pulls in a forbidden module
  # shellcheck disable=SC2086
  for m in $(module_order "$KERNEL_DIR" $NESTED_L1_MODULES); do
    case " $NESTED_L1_FORBIDDEN " in
      *" $m "*) die "the host VM's modules would include $m (through '$NESTED_L1_MODULES'); refusing" ;;
    esac
  done
  (
    SCRIPT=$REPO/tests/vm/nested/l1.sh
    VSOCKSCOPE_VM_MODULES=$NESTED_L1_MODULES
    VSOCKSCOPE_VM_EXTRA_BINS="${VSOCKSCOPE_VM_EXTRA_BINS:-} qemu-system-x86_64"
    build_initramfs "$TMP/root" "$1"
  )
  mkdir -p "$n" "$x/usr/share"
  cp "$ORIG_SCRIPT" "$n/host-script"
  cp "$TMP/l2.cpio" "$n/guest.cpio"
  cp "$NESTED_G_VMLINUX" "$n/guest-vmlinux"
  for d in qemu seabios; do
    [[ -d /usr/share/$d ]] || die "missing /usr/share/$d (QEMU's firmware for the nested guest; see scripts/deps.sh)"
    cp -a "/usr/share/$d" "$x/usr/share/"
  done
  # Debian's QEMU loads TCG as a module (accel-tcg-x86_64.so): the fallback needs it
  for m in /usr/lib/*/qemu/accel-tcg-*.so; do
    [[ -f $m ]] || continue
    mkdir -p "$x$(dirname "$m")"
    cp "$m" "$x$m"
  done
  # what l1.sh needs to know (sourced there)
  {
    printf 'NESTED_GUEST_CID=%s\n' "$NESTED_GUEST_CID"
    printf 'NESTED_GUEST_KERNEL=%s\n' "$(shquote "$NESTED_G_NAME")"
    printf 'NESTED_GUEST_RELEASE=%s\n' "$(shquote "$NESTED_G_RELEASE")"
    printf 'NESTED_GUEST_MEM=%s\nNESTED_GUEST_SMP=%s\n' "$NESTED_GUEST_MEM" "$NESTED_GUEST_SMP"
    # a built-in kernel has no ACPI: -smp N alone would give it one CPU (as in boot_vm)
    printf 'NESTED_GUEST_BUILTIN=%s\n' "$NESTED_G_BUILTIN"
    # ... nor calibrate its TSC (machine_tsc_khz in tests/vm/run): L2's TSC runs at L1's rate
    printf 'NESTED_GUEST_TSC_KHZ=%s\n' "$( ((NESTED_G_BUILTIN)) && echo "$TSC_KHZ")"
    printf 'NESTED_ACCEL=%s\n' "$NESTED_ACCEL"
    printf 'NESTED_GUEST_APPEND=%s\n' "$(shquote "${VSOCKSCOPE_VM_GUEST_APPEND:-}")"
    printf 'NESTED_MARK_START=%s\n' "$(shquote "$NESTED_G_MARK_START")"
    printf 'NESTED_MARK_EXIT=%s\n' "$(shquote "$NESTED_G_MARK_EXIT")"
    printf 'NESTED_L1_FORBIDDEN=%s\n' "$(shquote "$NESTED_L1_FORBIDDEN")"
  } >"$n/guest.conf"
  nested_append_cpio "$x" "$1"
}

nested_main() {
  local v
  [[ -f $GUEST_SCRIPT && -r $GUEST_SCRIPT ]] || usage_error "--guest SCRIPT2 '$GUEST_SCRIPT' is not a readable file"
  # the nested setup picks both module lists itself: an override would be ignored, so refuse it
  [[ -z ${VSOCKSCOPE_VM_MODULES+x} ]] ||
    usage_error "VSOCKSCOPE_VM_MODULES cannot be used with --guest (the host VM loads '$NESTED_L1_MODULES', the nested guest '$NESTED_L2_MODULES'; load more with vs_modprobe in the scripts)"
  NESTED_GUEST_MEM=${VSOCKSCOPE_VM_GUEST_MEM:-512}
  # One vCPU: with two, a 6.12 nested guest died twice in six runs (a panic on a corrupted
  # instruction while booting; a silent reset mid-run), which looks like cross-CPU text patching
  # racing under TCG's emulation of nested SVM; with one, 6.1 and 6.12 passed every run.
  NESTED_GUEST_SMP=${VSOCKSCOPE_VM_GUEST_SMP:-1}
  NESTED_ACCEL=${VSOCKSCOPE_VM_NESTED_ACCEL:-auto}
  for v in NESTED_GUEST_MEM NESTED_GUEST_SMP; do
    [[ ${!v} =~ ^[1-9][0-9]*$ ]] || usage_error "bad VSOCKSCOPE_VM_${v#NESTED_} '${!v}' (positive integer)"
  done
  case $NESTED_ACCEL in auto|kvm|tcg) ;; *) usage_error "bad VSOCKSCOPE_VM_NESTED_ACCEL '$NESTED_ACCEL' (auto, kvm or tcg)" ;; esac
  [[ -n $MEM_GIVEN ]] || MEM=2048
  ((MEM > NESTED_GUEST_MEM + 256)) ||
    usage_error "--mem $MEM leaves too little for the host VM beside a $NESTED_GUEST_MEM MB nested guest (give at least $((NESTED_GUEST_MEM + 512)))"
  [[ -n $TIMEOUT_GIVEN ]] || TIMEOUT=900
  NESTED_G_NAME=${GUEST_KERNEL_NAME:-$KERNEL_NAME}

  # TMP first: a bzImage path is resolved into $TMP/kernel (L2's is moved aside for L1's)
  TMP=$(mktemp -d "${TMPDIR:-/tmp}/vsockscope-vm.XXXXXX")
  BUILTIN=0
  resolve_kernel "$NESTED_G_NAME"
  [[ ! -d $TMP/kernel ]] || mv "$TMP/kernel" "$TMP/guest-kernel"
  [[ $KERNEL_DIR != "$TMP/kernel" ]] || KERNEL_DIR=$TMP/guest-kernel
  NESTED_G_DIR=$KERNEL_DIR NESTED_G_VMLINUX=$KERNEL_VMLINUX NESTED_G_RELEASE=$KERNEL_RELEASE
  NESTED_G_BUILTIN=$BUILTIN
  BUILTIN=0
  resolve_kernel "$KERNEL_NAME"
  if ((BUILTIN)); then
    log "nested: the host VM's kernel has vmw_vsock_virtio_transport and vsock_loopback built in; it gets no virtio vsock device, so its only way out is vhost toward the nested guest (l1.sh checks)"
  fi

  NONCE=$(od -An -N6 -tx1 /dev/urandom | tr -d ' \n')
  MARK_START="@@vsockscope-start-$NONCE@@"
  MARK_EXIT="@@vsockscope-exit-$NONCE rc="
  NONCE=$(od -An -N6 -tx1 /dev/urandom | tr -d ' \n')
  NESTED_G_MARK_START="@@vsockscope-start-$NONCE@@"
  NESTED_G_MARK_EXIT="@@vsockscope-exit-$NONCE rc="
  ORIG_SCRIPT=$SCRIPT
  T0=$EPOCHREALTIME
  nested_build_guest "$TMP/l2.cpio"
  nested_build_host "$TMP/initramfs.cpio"
  [[ -n ${VSOCKSCOPE_VM_VERBOSE:-} ]] &&
    log "nested initramfs: $(du -m "$TMP/initramfs.cpio" | cut -f1) MB (guest's $(du -m "$TMP/l2.cpio" | cut -f1) MB) built in $(elapsed "$T0") s"
  log "nested: host VM kernel $KERNEL_NAME ($KERNEL_RELEASE), nested guest kernel $NESTED_G_NAME ($NESTED_G_RELEASE), guest CID $NESTED_GUEST_CID"
  run_vm
  exit "$VM_STATUS"
}
