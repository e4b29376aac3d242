# vsockscope: top-level build. `make` builds every tool into build/bin/.
# `make demo` and `make check` install missing Debian packages first (make deps).

CC      ?= cc
BUILD   ?= build
SAN     ?=
CFLAGS  ?= -O2 -g
CFLAGS  += -std=gnu11 -Wall -Wextra -Werror -D_GNU_SOURCE -Isrc/lib -Isrc/trace -Ibpf \
           -I$(BUILD)/bpf -MMD -MP
LDLIBS  += -lpthread -lm
BPF_LIBS = -lbpf -lelf -lz
BPF_CLANG ?= clang
ifneq ($(SAN),)
CFLAGS  += -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
LDFLAGS += -fsanitize=address,undefined
endif

LIB_SRCS   := $(wildcard src/lib/*.c)
LIB_OBJS   := $(LIB_SRCS:%.c=$(BUILD)/obj/%.o)
LIB        := $(BUILD)/libvsockscope.a

# src/perf/vsock_sweep.c is a tool of its own (it runs vsock_perf); the rest is vsock_perf.
PERF_SRCS  := $(filter-out src/perf/vsock_sweep.c,$(wildcard src/perf/*.c))
PERF_OBJS  := $(PERF_SRCS:%.c=$(BUILD)/obj/%.o)
# The tracer (src/trace/vst.c) loads bpf/vsock_trace.bpf.c through its skeleton.
BPF_SKEL   := $(BUILD)/bpf/vsock_trace.skel.h
VST_OBJS   := $(BUILD)/obj/src/trace/vst.o
BENCH_SRCS := $(wildcard bench/*.c)
# Zerocopy receive (src/zerocopy/vsock_zc.h): rx_zerocopy, and zc_test, the
# conformance cases tests/vm/t_zc_patched.sh runs on the patched kernel.
ZC_OBJS    := $(BUILD)/obj/src/zerocopy/zc.o $(BUILD)/obj/src/zerocopy/zc_compare.o
ZC_TOOLS   := $(BUILD)/bin/rx_zerocopy $(BUILD)/bin/zc_test

# vsock_conform: the conformance suite (src/conformance/).
CONFORM_SRCS := $(wildcard src/conformance/*.c)
CONFORM_OBJS := $(CONFORM_SRCS:%.c=$(BUILD)/obj/%.o)

TOOLS      := $(BUILD)/bin/vsock_perf $(BUILD)/bin/vsock_trace $(BUILD)/bin/vsock_sweep \
              $(BUILD)/bin/vs_plotdata $(BUILD)/bin/vsock_conform \
              $(BENCH_SRCS:bench/%.c=$(BUILD)/bin/%) $(ZC_TOOLS)
# Helpers the shell tests use (in the VM too: tests/vm/run copies build/testbin).
TESTBINS   := $(patsubst tests/tools/%.c,$(BUILD)/testbin/%,$(wildcard tests/tools/*.c))
UNIT_SRCS  := $(wildcard tests/unit/test_*.c)
UNIT_BINS  := $(UNIT_SRCS:tests/unit/%.c=$(BUILD)/tests/%)
SHIM       := $(BUILD)/tests/novsock.so

.PHONY: all tools unit asan deps check demo bench bench-zerocopy report clean
.SECONDARY:
all: tools
tools: $(TOOLS) $(TESTBINS)
unit: $(UNIT_BINS) $(SHIM)

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -c -o $@ $<

# CO-RE BPF object (types from bpf/vmlinux.h, relocated at load time) and its skeleton.
$(BUILD)/bpf/%.bpf.o: bpf/%.bpf.c bpf/%.h bpf/vmlinux.h
	@mkdir -p $(dir $@)
	$(BPF_CLANG) -g -O2 -Wall -Werror -target bpf -D__TARGET_ARCH_x86 -Ibpf -c $< -o $@
	llvm-strip -g $@

$(BUILD)/bpf/%.skel.h: $(BUILD)/bpf/%.bpf.o
	bpftool gen skeleton $< name $*_bpf > $@.tmp
	mv $@.tmp $@

$(BUILD)/obj/src/trace/vst.o $(BUILD)/obj/src/trace/vsock_trace.o $(PERF_OBJS): $(BPF_SKEL)

$(LIB): $(LIB_OBJS)
	@mkdir -p $(dir $@)
	$(AR) rcs $@ $^

$(BUILD)/bin/vsock_perf: $(PERF_OBJS) $(VST_OBJS) $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(BPF_LIBS) $(LDLIBS)

$(BUILD)/bin/vsock_trace: $(BUILD)/obj/src/trace/vsock_trace.o $(VST_OBJS) $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(BPF_LIBS) $(LDLIBS)

# vsock_sweep runs vsock_perf over a grid; vs_plotdata makes gnuplot tables (plots/).
$(BUILD)/bin/vsock_sweep: $(BUILD)/obj/src/perf/vsock_sweep.o $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/bin/vs_plotdata: $(BUILD)/obj/src/report/vs_plotdata.o $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(ZC_TOOLS): $(BUILD)/bin/%: $(BUILD)/obj/src/zerocopy/%.o $(ZC_OBJS) $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/bin/vsock_conform: $(CONFORM_OBJS) $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/bin/%: $(BUILD)/obj/bench/%.o $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/tests/%: $(BUILD)/obj/tests/unit/%.o $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/testbin/%: $(BUILD)/obj/tests/tools/%.o $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^

# An LD_PRELOAD shim that makes socket(AF_VSOCK) fail and records the
# attempt: host tests use it to prove a tool created no vsock socket.
$(SHIM): tests/unit/novsock.c
	@mkdir -p $(dir $@)
	$(CC) -std=gnu11 -Wall -Wextra -Werror -O2 -fPIC -shared -o $@ $< -ldl

# The unit tests and the tools again under AddressSanitizer and UBSan, in their
# own tree (tests/run runs the VM suite once more with build/asan/bin).
asan:
	$(MAKE) BUILD=$(BUILD)/asan SAN=1 unit tools

deps:
	scripts/deps.sh

check: deps
	$(MAKE) tools unit asan
	tests/run

# The demo runs in the VM; its credit trace comes back (scripts/vm_extract) and is plotted here.
demo: deps tools
	@mkdir -p $(BUILD)/demo
	{ tests/vm/run scripts/demo.sh; echo $$? >$(BUILD)/demo/rc; } | tee $(BUILD)/demo/demo.log | \
		awk '/^@@vsockscope-file / { s = 1 } !s { print; fflush() } /^@@vsockscope-end / { s = 0 }'
	@[ "$$(cat $(BUILD)/demo/rc)" = 0 ] || { echo "demo: the VM run failed" >&2; exit 1; }
	scripts/vm_extract $(BUILD)/demo/demo.log $(BUILD)/demo
	plots/plot credit --title "make demo: credit of the sender while the reader pauses 300 ms" \
		-o $(BUILD)/demo/credit.png $(BUILD)/demo/credit.jsonl
	plots/plot credit --title "make demo: credit of the sender while the reader pauses 300 ms" \
		-o $(BUILD)/demo/credit.svg $(BUILD)/demo/credit.jsonl
	@echo "demo: plotted the slow reader's credit timeline: $(BUILD)/demo/credit.png (and .svg)"

# Sweeps on 6.1 and 6.12 in the VM, every plot, and build/report/report.md (scripts/report.sh).
report: deps tools
	scripts/report.sh

# The full nested host<->guest sets (tests/vm/nested: vsock_perf both ways, every mode, traced on
# both sides; vsock_conform in both role assignments) on 6.1 and 6.12; make check runs only the
# smoke test. Then rx_zerocopy copy and zerocopy both ways with the patched kernel (kernel-patches/)
# as host VM and nested guest (tests/vm/nested/{host,guest}_zc.sh).
.PHONY: check-nested
check-nested: deps tools
	tests/run --no-unit --no-vm --nested 'perf conform'
	tests/run --no-unit --no-vm --nested zc --kernel patched

# The tracing overhead runs twice: in the normal VM (wall clock, noisy) and in
# one whose clock counts instructions (tests/vm/run --icount: deterministic).
bench: deps tools
	tests/vm/run --timeout 1800 bench/bench.sh
	tests/vm/run --icount --smp 1 --timeout 1800 bench/bench.sh overhead 1 "instructions (QEMU -icount), 1 vCPU"

# Copy against zerocopy receive (rx_zerocopy --compare) on ZC_KERNEL: the
# patched kernel of kernel-patches/ once tests/vm/run boots it; on a Debian
# kernel only the copy row is measured and the target fails saying why.
# ZC_SMP sets the guest's vCPUs (default 2; 1 keeps the host's load from
# stalling guest spinlocks, see README). Then once more on the instruction
# clock (tests/vm/run --icount, 1 vCPU): one round, since it repeats exactly.
ZC_KERNEL ?= patched
ZC_SMP ?= 2
bench-zerocopy: deps tools
	tests/vm/run --kernel $(ZC_KERNEL) --smp $(ZC_SMP) --timeout 1800 bench/zerocopy.sh
	tests/vm/run --kernel $(ZC_KERNEL) --smp 1 --icount --timeout 1800 bench/zerocopy.sh 1 256
	$(MAKE) bench-zerocopy-nested

# The same table across the nested host<->guest path, both directions (bench/zerocopy_nested.sh):
# ZC_KERNEL as host VM and as nested guest.
.PHONY: bench-zerocopy-nested
bench-zerocopy-nested: deps tools
	tests/vm/run --kernel $(ZC_KERNEL) --guest-kernel $(ZC_KERNEL) --timeout 3600 \
		--guest bench/zerocopy_nested.sh bench/zerocopy_nested.sh

clean:
	rm -rf $(BUILD)

# ---------------------------------------------------------------- vsock_diag, vsock_cap, fuzzing
# vsock_diag lists sockets (netlink, src/lib/vs_diag.c) with owners and, with --credit, the
# credit state from a BPF task_file iterator (src/diag/vsock_diag.bpf.c); vsock_cap captures
# and decodes vsockmon packets (src/lib/vs_pcap.c).
DIAG_SKEL  := $(BUILD)/bpf/vsock_diag.skel.h
DIAG_OBJS  := $(addprefix $(BUILD)/obj/src/diag/,vsock_diag.o credit.o owners.o)
DIAG_TOOLS := $(BUILD)/bin/vsock_diag $(BUILD)/bin/vsock_cap
tools: $(DIAG_TOOLS)

$(BUILD)/bpf/vsock_diag.bpf.o: src/diag/vsock_diag.bpf.c src/diag/vsock_diag.h bpf/vmlinux.h
	@mkdir -p $(dir $@)
	$(BPF_CLANG) -g -O2 -Wall -Werror -target bpf -D__TARGET_ARCH_x86 -Ibpf -Isrc/diag -c $< -o $@
	llvm-strip -g $@

$(DIAG_OBJS): $(DIAG_SKEL)

$(BUILD)/bin/vsock_diag: $(DIAG_OBJS) $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(BPF_LIBS) $(LDLIBS)

$(BUILD)/bin/vsock_cap: $(BUILD)/obj/src/diag/vsock_cap.o $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

# Fuzzing: every tests/fuzz/fuzz_NAME.c defines LLVMFuzzerTestOneInput over a parser of
# src/lib. `make fuzz` runs each under libFuzzer for FUZZ_SECONDS with its corpus
# tests/fuzz/corpus/NAME/ as seeds (new inputs go to build/fuzz/corpus/NAME/, crashes to
# build/fuzz/artifacts/NAME/: copy a crash into tests/fuzz/corpus/NAME/ once it is fixed).
# `make unit` builds build/tests/test_fuzz_NAME: the same target with a replay main
# (tests/fuzz/replay.c) that runs every corpus file once, so make check keeps them fixed.
FUZZ_SRCS    := $(wildcard tests/fuzz/fuzz_*.c)
FUZZ_NAMES   := $(FUZZ_SRCS:tests/fuzz/fuzz_%.c=%)
FUZZ_BINS    := $(FUZZ_NAMES:%=$(BUILD)/fuzz/fuzz_%)
FUZZ_REPLAYS := $(FUZZ_NAMES:%=$(BUILD)/tests/test_fuzz_%)
FUZZ_SECONDS ?= 60
FUZZ_CFLAGS  := -g -O1 -std=gnu11 -D_GNU_SOURCE -Isrc/lib -fsanitize=fuzzer,address,undefined \
                -fno-sanitize-recover=undefined
unit: $(FUZZ_REPLAYS)

$(BUILD)/fuzz/fuzz_%: tests/fuzz/fuzz_%.c $(LIB_SRCS) $(wildcard src/lib/*.h)
	@mkdir -p $(dir $@)
	$(BPF_CLANG) $(FUZZ_CFLAGS) -o $@ $< $(LIB_SRCS) -lpthread -lm

$(BUILD)/tests/test_fuzz_%: $(BUILD)/obj/tests/fuzz/fuzz_%.o $(BUILD)/obj/tests/fuzz/replay.o $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/obj/tests/fuzz/replay.o: CFLAGS += -DFUZZ_CORPUS_ROOT='"tests/fuzz/corpus"'

.PHONY: fuzz
fuzz: $(FUZZ_BINS)
	@for n in $(FUZZ_NAMES); do \
		mkdir -p tests/fuzz/corpus/$$n $(BUILD)/fuzz/corpus/$$n $(BUILD)/fuzz/artifacts/$$n; \
		echo "fuzz: $$n for $(FUZZ_SECONDS) s"; \
		$(BUILD)/fuzz/fuzz_$$n -max_total_time=$(FUZZ_SECONDS) -print_final_stats=1 \
			-artifact_prefix=$(BUILD)/fuzz/artifacts/$$n/ $(BUILD)/fuzz/corpus/$$n tests/fuzz/corpus/$$n \
			2>$(BUILD)/fuzz/$$n.log || { tail -40 $(BUILD)/fuzz/$$n.log; \
			echo "fuzz: $$n found a crash: add the input from $(BUILD)/fuzz/artifacts/$$n/ to tests/fuzz/corpus/$$n/ once fixed"; exit 1; }; \
		grep -E '^stat::number_of_executed_runs|^Done' $(BUILD)/fuzz/$$n.log | tr '\n' ' '; echo; \
	done

-include $(shell find $(BUILD)/obj -name '*.d' 2>/dev/null)

# ---- zerocopy receive kernel (kernel-patches/, scripts/kernel.sh) ----
# make kernel: the patched test kernel (cached, see scripts/kernel.sh);
# make kernel-kasan: the same with KASAN and lockdep.
# make check builds the patched kernel first (seconds when cached) and tests/run runs the VM
# suite on it too; make check-kasan (nightly: a cold KASAN build is too slow for every CI run)
# runs the VM suite on the KASAN + lockdep build.
.PHONY: kernel kernel-kasan check-kasan
kernel: deps
	scripts/kernel.sh

kernel-kasan: deps
	scripts/kernel.sh --kasan

check: kernel

# tools and asan: tests/run also runs the suite with build/asan/bin, which must not be stale
check-kasan: kernel-kasan
	$(MAKE) tools asan
	tests/run --no-unit --kernel patched-kasan

# zc_kernel_test (tests/vm/t_zc_kernel.sh) uses the guard and the payload pattern.
$(BUILD)/testbin/zc_kernel_test: $(BUILD)/obj/tests/tools/zc_kernel_test.o $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

# ---- rx_zerocopy --compare --csv (src/zerocopy/zc_compare.c) ----
# zc_csv (tests/host/t_zc_cli.sh) writes the zerocopy CSV with rx_zerocopy's own code.
$(BUILD)/testbin/zc_csv: $(BUILD)/obj/tests/tools/zc_csv.o $(BUILD)/obj/src/zerocopy/zc_compare.o $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)
