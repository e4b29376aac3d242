# tests/vm/lib.sh: helpers for guest-side test scripts run by tests/vm/run (POSIX sh).
# Usage inside a guest script:  . /vsockscope/tests/vm/lib.sh
# Sourcing this file is the safety guard: outside the vsockscope test VM it exits 3.
# There is deliberately no variable or option that skips the guard.

# vs_require_testvm: exit 3 unless the kernel command line carries vsockscope.testvm=1.
vs_require_testvm() {
    _vs_cmdline=$(cat /proc/cmdline 2>/dev/null) || _vs_cmdline=
    for _vs_word in $_vs_cmdline; do
        if [ "$_vs_word" = "vsockscope.testvm=1" ]; then
            unset _vs_cmdline _vs_word
            return 0
        fi
    done
    echo "refusing to run: not inside the vsockscope test VM (no vsockscope.testvm=1 on the kernel command line); vsock traffic tests run only via tests/vm/run" >&2
    exit 3
}

vs_require_testvm

# The repo's files in the guest, and the assertions every shell test uses.
VS_ROOT=${VSOCKSCOPE_ROOT:-/vsockscope}
. "$VS_ROOT/tests/lib/assert.sh"

# vs_wait_listen PORT: return once a vsock socket listens on PORT (fail after 5 s).
vs_wait_listen() {
    _vs_i=0
    until ss -H -a --vsock 2>/dev/null | grep -q ":$1\b"; do
        _vs_i=$((_vs_i + 1))
        [ $_vs_i -lt 400 ] || vs_fail "nothing listens on vsock port $1 after 20 s"
        sleep 0.05
    done
}

# vs_modprobe NAME...: insmod cached modules (and their dependencies) that /init did not load,
# e.g. vs_modprobe vsockmon. The VM caches the modules listed in tests/vm/run (EXTRA_MODULES).
vs_modprobe() {
    for _vs_m in "$@"; do
        _vs_modprobe1 "$(echo "$_vs_m" | tr - _)"
    done
}

_vs_modprobe1() {
    # The host VM of a nested run has vhost_vsock as its only transport (tests/vm/nested/l1.sh).
    if [ "${VSOCKSCOPE_ROLE:-}" = host ]; then
        case $1 in vmw_vsock_virtio_transport|vsock_loopback)
            vs_fail "vs_modprobe $1: refused in the nested run's host VM (its only vsock transport is vhost_vsock toward the nested guest)" ;;
        esac
    fi
    grep -qx "$1" /vsockscope/modules/modules.builtin.names 2>/dev/null && return 0
    grep -q "^$1 " /proc/modules && return 0
    [ -f "/vsockscope/modules/$1.ko" ] || vs_fail "module $1 is not in the VM's module cache"
    # shellcheck disable=SC2013
    for _vs_d in $(sed -n "s/^$1: *//p" /vsockscope/modules/modules.dep); do
        _vs_modprobe1 "$_vs_d"
    done
    insmod "/vsockscope/modules/$1.ko" || vs_fail "insmod $1 failed"
}


# vs_wait_status PID STATUS NAME FILE...: wait for a background process and check its exit
# status; on a mismatch show its FILEs (prefixed "NAME| ") and fail.
vs_wait_status() {
    _vs_pid=$1 _vs_want=$2 _vs_name=$3
    shift 3
    wait "$_vs_pid"
    _vs_rc=$?
    if [ "$_vs_rc" != "$_vs_want" ]; then
        sed "s/^/  $_vs_name| /" "$@" >&2
        vs_fail "$_vs_name exited $_vs_rc, expected $_vs_want"
    fi
}

# vs_export FILE [NAME]: print FILE between marker lines on the console, for the host to
# extract from tests/vm/run's output with scripts/vm_extract (the guest has no other way
# out). The opening marker carries the size and MD5, which the host checks.
vs_export() {
    [ -f "$1" ] || vs_fail "vs_export: no file $1"
    _vs_n=${2:-$(basename "$1")}
    echo "@@vsockscope-file $_vs_n $(wc -c <"$1" | tr -d ' ') $(md5sum <"$1" | cut -d' ' -f1)@@"
    cat "$1"
    [ -z "$(tail -c 1 "$1")" ] || echo
    echo "@@vsockscope-end $_vs_n@@"
}

# vs_trace_bg OUT ARG...: start `vsock_trace ARG...` in the background (stdout to OUT, stderr
# to OUT.err, pid in $vs_trace_pid) and return once its hooks are attached (its banner);
# vs_trace_end OUT stops it with SIGINT (it prints its summary) and checks its status.
vs_trace_bg() {
    _vs_o=$1
    shift
    vsock_trace "$@" >"$_vs_o" 2>"$_vs_o.err" &
    vs_trace_pid=$!
    _vs_i=0
    until grep -q '^Tracing vsock' "$_vs_o.err"; do
        kill -0 $vs_trace_pid 2>/dev/null || vs_fail "vsock_trace $* exited: $(cat "$_vs_o.err")"
        _vs_i=$((_vs_i + 1))
        [ $_vs_i -lt 600 ] || vs_fail "vsock_trace $* did not attach within 60 s"
        sleep 0.1
    done
}

vs_trace_end() {
    kill -INT $vs_trace_pid
    wait $vs_trace_pid || vs_fail "vsock_trace failed: $(cat "$1.err")"
}

# vs_sync NAME [VALUE]: a barrier between the two sides of a nested run (tests/vm/run --guest,
# VSOCKSCOPE_ROLE host or guest), over vsock port ${VS_SYNC_PORT:-9999}: the host listens, the
# guest connects. Each side sends "NAME VALUE" and gets the peer's; NAME must agree (else the
# scripts are out of step: fail) and the peer's VALUE lands in $vs_peer_value. The guest retries
# while the host is not listening yet (ECONNRESET), which also covers the nested guest's boot.
# Fails after ${VS_SYNC_TIMEOUT:-300} s, and on the host as soon as the nested guest's QEMU
# ($VSOCKSCOPE_GUEST_PID) has exited.
vs_sync() {
    case ${VSOCKSCOPE_ROLE:-} in
    host) _vs_addr=VSOCK-LISTEN:${VS_SYNC_PORT:-9999} ;;
    guest) _vs_addr=VSOCK-CONNECT:${VSOCKSCOPE_PEER_CID:-2}:${VS_SYNC_PORT:-9999} ;;
    *) vs_fail "vs_sync $1: not in a nested run (VSOCKSCOPE_ROLE is '${VSOCKSCOPE_ROLE:-}')" ;;
    esac
    _vs_end=$(($(cut -d. -f1 /proc/uptime) + ${VS_SYNC_TIMEOUT:-300}))
    while :; do
        _vs_got=$(printf '%s %s\n' "$1" "${2:-}" | timeout 10 socat -t 10 - "$_vs_addr" 2>/dev/null)
        if [ $? = 0 ] && [ -n "$_vs_got" ]; then
            [ "${_vs_got%% *}" = "$1" ] || vs_fail "vs_sync $1: the peer is at '$_vs_got' (the two scripts are out of step)"
            vs_peer_value=${_vs_got#* }
            return 0
        fi
        if [ "$VSOCKSCOPE_ROLE" = host ] && [ -n "${VSOCKSCOPE_GUEST_PID:-}" ] &&
            ! kill -0 "$VSOCKSCOPE_GUEST_PID" 2>/dev/null; then
            vs_fail "vs_sync $1: the nested guest has exited"
        fi
        [ "$(cut -d. -f1 /proc/uptime)" -lt $_vs_end ] ||
            vs_fail "vs_sync $1: the peer did not arrive within ${VS_SYNC_TIMEOUT:-300} s"
        [ "$VSOCKSCOPE_ROLE" = host ] || sleep 0.2
    done
}
