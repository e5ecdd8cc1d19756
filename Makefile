# perfanity build. `make` builds build/perfanity; `make test` and `make demo`
# first run scripts/setup.sh (idempotent) so a fresh Debian machine needs nothing else.
.DELETE_ON_ERROR:
.SECONDARY:
SHELL := /bin/bash

BUILD   ?= build
CC      ?= gcc
CLANG   ?= clang
BPFTOOL ?= bpftool
ARCH    := $(shell uname -m | sed -e 's/x86_64/x86/' -e 's/aarch64/arm64/')
MULTIARCH := $(shell $(CC) -print-multiarch 2>/dev/null)

CFLAGS_BASE := -std=gnu11 -O2 -g -Wall -Wextra -Werror -D_GNU_SOURCE \
	-Iinclude -I$(BUILD)
CFLAGS  ?= $(CFLAGS_BASE)
LDLIBS  := -lbpf -lelf -ldw -lz -ljansson -lseccomp -lm -lpthread
SAN     :=

BPF_SRCS  := $(wildcard bpf/*.bpf.c)
BPF_OBJS  := $(patsubst bpf/%.bpf.c,$(BUILD)/%.bpf.o,$(BPF_SRCS))
SKELS     := $(patsubst bpf/%.bpf.c,$(BUILD)/%.skel.h,$(BPF_SRCS))
LIB_SRCS  := $(filter-out src/main.c,$(wildcard src/*.c))
LIB_OBJS  := $(patsubst src/%.c,$(BUILD)/obj/%.o,$(LIB_SRCS))
UNIT_SRCS := $(wildcard tests/unit/test_*.c)
UNIT_BINS := $(patsubst tests/unit/%.c,$(BUILD)/tests/%,$(UNIT_SRCS))
HEADERS   := $(wildcard include/*.h)
# Small C programs with known behaviour that the end-to-end tests trace.
WORKLOAD_SRCS := $(wildcard tests/workloads/*.c)
WORKLOADS := $(patsubst tests/workloads/%.c,$(BUILD)/workloads/%,$(WORKLOAD_SRCS))

.PHONY: workloads all setup test unit asan asan-unit asan-e2e e2e demo bench clean
all: $(BUILD)/perfanity

setup:
	@bash scripts/setup.sh

$(BUILD)/vmlinux.h:
	@mkdir -p $(BUILD)
	$(BPFTOOL) btf dump file /sys/kernel/btf/vmlinux format c > $@

$(BUILD)/%.bpf.o: bpf/%.bpf.c $(BUILD)/vmlinux.h $(HEADERS) $(wildcard bpf/*.h)
	$(CLANG) -g -O2 -Wall -Werror -target bpf -mcpu=v3 -D__TARGET_ARCH_$(ARCH) \
		-Iinclude -I$(BUILD) -Ibpf -I/usr/include/$(MULTIARCH) -c $< -o $@
	llvm-strip -g $@

$(BUILD)/%.skel.h: $(BUILD)/%.bpf.o
	$(BPFTOOL) gen skeleton $< > $@

$(BUILD)/obj/%.o: src/%.c $(HEADERS) $(SKELS)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(SAN) -c $< -o $@

$(BUILD)/libperfanity.a: $(LIB_OBJS)
	ar rcs $@ $^

$(BUILD)/perfanity: $(BUILD)/obj/main.o $(BUILD)/libperfanity.a
	$(CC) $(CFLAGS) $(SAN) -o $@ $^ $(LDLIBS)

$(BUILD)/tests/%: tests/unit/%.c $(BUILD)/libperfanity.a $(HEADERS)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(SAN) -Itests/unit -o $@ $< $(BUILD)/libperfanity.a $(LDLIBS) -lcmocka

$(BUILD)/workloads/%: tests/workloads/%.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -o $@ $<

workloads: $(WORKLOADS)

unit: $(UNIT_BINS)
	@set -e; for t in $(UNIT_BINS); do echo "== $$t"; $$t; done

# ASan+UBSan variant in its own tree; `make asan-unit` runs the unit tests under it.
ASAN_FLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
asan:
	$(MAKE) BUILD=build/asan SAN="$(ASAN_FLAGS)" build/asan/perfanity
asan-unit:
	$(MAKE) BUILD=build/asan SAN="$(ASAN_FLAGS)" unit
# The tracer's end-to-end tests (all but the slow pex and Pants matrices) run the ASan build too.
asan-e2e: asan workloads
	cd tests/e2e && PERFANITY=$(CURDIR)/build/asan/perfanity WORKLOADS=$(CURDIR)/$(BUILD)/workloads \
		/usr/bin/python3 -m pytest -q -p no:cacheprovider -k "not pex_configuration and not bench_pants_preset" \
		test_trace_core.py test_trace_process.py test_trace_python.py test_report.py test_trace_attach.py test_trace_sched.py \
		test_pants.py

e2e: all workloads
	cd tests/e2e && PERFANITY=$(CURDIR)/$(BUILD)/perfanity WORKLOADS=$(CURDIR)/$(BUILD)/workloads /usr/bin/python3 -m pytest -q -p no:cacheprovider .

test: setup
	$(MAKE) all
	$(MAKE) unit
	$(MAKE) asan-unit
	$(MAKE) asan
	$(MAKE) e2e
	$(MAKE) asan-e2e

demo: setup
	$(MAKE) all
	bash scripts/demo.sh

bench: setup
	$(MAKE) all
	bash bench/run.sh

clean:
	rm -rf build
