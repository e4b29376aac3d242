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

# vs_fail MSG: print "FAIL: MSG" to stderr and exit 1.
vs_fail() {
    echo "FAIL: $*" >&2
    exit 1
}

# vs_assert_eq NAME EXPECTED ACTUAL
vs_assert_eq() {
    [ "$2" = "$3" ] || vs_fail "$1: expected '$2', got '$3'"
}

# vs_assert_match NAME REGEX TEXT  (extended regex, grep -E)
vs_assert_match() {
    printf '%s\n' "$3" | grep -Eq -- "$2" || vs_fail "$1: '$3' does not match /$2/"
}

# vs_field FILE PREFIX: print what follows PREFIX on the first line of FILE that starts with it
# (leading blanks ignored), e.g. vs_field out.txt 'total bytes received: '. Returns 1 if no line matches.
vs_field() {
    awk -v p="$2" '{ s = $0; sub(/^[ \t]*/, "", s) }
                   index(s, p) == 1 { print substr(s, length(p) + 1); found = 1; exit }
                   END { exit !found }' "$1"
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

vs_require_testvm
