#!/bin/bash
# make deps: install the Debian packages the build, the tests and the test VM
# need. Idempotent: installs only what is missing and says what that is.
set -euo pipefail

packages=(
	# build: the C tools, and (for the tracing tools) BPF objects and skeletons
	gcc make libc6-dev clang llvm libbpf-dev bpftool libelf-dev zlib1g-dev pkg-config
	# the test VM: QEMU, the guest userland, unpacking Debian's kernel images
	qemu-system-x86 busybox-static cpio xz-utils zstd kmod iproute2
	# make bench's baseline, and the plots
	socat gnuplot-nox
	# make fuzz: libFuzzer's runtime (clang only recommends it)
	libclang-rt-14-dev
	# make kernel: the patched test kernel (scripts/kernel.sh; pahole is in dwarves)
	linux-source-6.1 bc bison flex libssl-dev dwarves ccache git
)

missing=()
for p in "${packages[@]}"; do
	status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
	[ "$status" = "install ok installed" ] || missing+=("$p")
done

if [ ${#missing[@]} -eq 0 ]; then
	echo "deps: all ${#packages[@]} packages present"
	exit 0
fi
echo "deps: installing ${missing[*]}"
if [ "$(id -u)" -ne 0 ]; then
	echo "deps: need root to install ${missing[*]} (run 'make deps' as root)" >&2
	exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "deps: installed ${missing[*]}"
