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

PERF_SRCS  := $(wildcard src/perf/*.c)
PERF_OBJS  := $(PERF_SRCS:%.c=$(BUILD)/obj/%.o)
# The tracer (src/trace/vst.c) loads bpf/vsock_trace.bpf.c through its skeleton.
BPF_SKEL   := $(BUILD)/bpf/vsock_trace.skel.h
VST_OBJS   := $(BUILD)/obj/src/trace/vst.o
BENCH_SRCS := $(wildcard bench/*.c)

TOOLS      := $(BUILD)/bin/vsock_perf $(BUILD)/bin/vsock_trace \
              $(BENCH_SRCS:bench/%.c=$(BUILD)/bin/%)
# Helpers the shell tests use (in the VM too: tests/vm/run copies build/testbin).
TESTBINS   := $(patsubst tests/tools/%.c,$(BUILD)/testbin/%,$(wildcard tests/tools/*.c))
UNIT_SRCS  := $(wildcard tests/unit/test_*.c)
UNIT_BINS  := $(UNIT_SRCS:tests/unit/%.c=$(BUILD)/tests/%)
SHIM       := $(BUILD)/tests/novsock.so

.PHONY: all tools unit asan deps check demo bench clean
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

$(BUILD)/bin/%: $(BUILD)/obj/bench/%.o $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/tests/%: $(BUILD)/obj/tests/unit/%.o $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/testbin/%: $(BUILD)/obj/tests/tools/%.o
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

demo: deps tools
	tests/vm/run scripts/demo.sh

bench: deps tools
	tests/vm/run --timeout 1800 bench/bench.sh

clean:
	rm -rf $(BUILD)

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

check-kasan: kernel-kasan
	$(MAKE) tools
	tests/run --no-unit --kernel patched-kasan

# zc_kernel_test (tests/vm/t_zc_kernel.sh) uses the guard and the payload pattern.
$(BUILD)/testbin/zc_kernel_test: $(BUILD)/obj/tests/tools/zc_kernel_test.o $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)
