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
    grep -qx "$1" /vsockscope/modules/modules.builtin.names 2>/dev/null && return 0
    grep -q "^$1 " /proc/modules && return 0
    [ -f "/vsockscope/modules/$1.ko" ] || vs_fail "module $1 is not in the VM's module cache"
    # shellcheck disable=SC2013
    for _vs_d in $(sed -n "s/^$1: *//p" /vsockscope/modules/modules.dep); do
        _vs_modprobe1 "$_vs_d"
    done
    insmod "/vsockscope/modules/$1.ko" || vs_fail "insmod $1 failed"
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
