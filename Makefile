# SPDX-License-Identifier: GPL-2.0-only
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

# CFLAGS, CPPFLAGS and LDFLAGS are the user's (or dpkg-buildflags' hardening flags):
# they are added to the flags the project needs, never replace them.
CFLAGS  ?= -O2 -g
ALL_CFLAGS = -std=gnu11 -Wall -Wextra -Werror -D_GNU_SOURCE -Iinclude -I$(BUILD) $(CPPFLAGS) $(CFLAGS)
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
# Linked statically: no dynamic loader, so their syscalls are only their own.
STATIC_WORKLOADS := syscall_mix fd_reuse

.PHONY: workloads all setup test unit asan asan-unit asan-e2e e2e demo bench clean fuzz fuzz-build fuzz-bins fuzz-short soak \
	man install uninstall deb install-test format format-check
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

# Syscall names, one X(name) per SYS_name the C library's headers define on
# this architecture (src/syscall_names.c turns them into a table).
$(BUILD)/syscall_names.inc:
	@mkdir -p $(BUILD)
	printf '#include <sys/syscall.h>\n' | $(CC) -dM -E - | \
		sed -n 's/^#define SYS_\([a-z0-9_]*\) .*/X(\1)/p' | LC_ALL=C sort -u > $@
$(BUILD)/obj/syscall_names.o: $(BUILD)/syscall_names.inc

$(BUILD)/obj/%.o: src/%.c $(HEADERS) $(SKELS)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(SAN) -c $< -o $@

$(BUILD)/libperfanity.a: $(LIB_OBJS)
	ar rcs $@ $^

$(BUILD)/perfanity: $(BUILD)/obj/main.o $(BUILD)/libperfanity.a
	$(CC) $(ALL_CFLAGS) $(SAN) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/tests/%: tests/unit/%.c $(BUILD)/libperfanity.a $(HEADERS)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(SAN) -Itests/unit -o $@ $< $(BUILD)/libperfanity.a $(LDLIBS) -lcmocka

$(BUILD)/workloads/%: tests/workloads/%.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(if $(filter $*,$(STATIC_WORKLOADS)),-static) -o $@ $<

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
		/usr/bin/python3 -m pytest -q -p no:cacheprovider -k "not pex_configuration and not bench_pants_preset and not pex_phases" \
		test_trace_core.py test_trace_process.py test_trace_python.py test_report.py test_trace_attach.py test_trace_sched.py test_trace_cgroup.py test_trace_faults.py test_trace_sample.py \
		test_pants.py test_pictures.py

# Fuzzing (libFuzzer, clang, ASan+UBSan): the trace JSON loader of `report`, the bench
# matrix loader and the template renderer, each in its own tree under build/fuzz. Seeds
# are tests/fuzz/<target>/ (crashes once found stay there, replayed on every run); what a
# run adds goes to build/fuzz/corpus/<target>. `make fuzz` runs each FUZZ_SECONDS (an
# hour); `make fuzz-short` runs each a few seconds and is part of `make test`.
FUZZ_TARGETS := report_load matrix_load template
FUZZ_SECONDS ?= 3600
FUZZ_SAN := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
FUZZ_BUILD := build/fuzz
fuzz-bins: $(addprefix $(BUILD)/fuzz_,$(FUZZ_TARGETS))
$(BUILD)/fuzz_%: tests/fuzz/fuzz_%.c $(BUILD)/libperfanity.a $(HEADERS)
	$(CC) $(ALL_CFLAGS) $(SAN) -fsanitize=fuzzer -o $@ $< $(BUILD)/libperfanity.a $(LDLIBS)
fuzz-build:
	$(MAKE) BUILD=$(FUZZ_BUILD) CC=$(CLANG) SAN="$(FUZZ_SAN) -fsanitize=fuzzer-no-link" fuzz-bins
fuzz: fuzz-build
	@set -e; for t in $(FUZZ_TARGETS); do mkdir -p $(FUZZ_BUILD)/corpus/$$t $(FUZZ_BUILD)/crashes; \
		echo "== fuzz_$$t for $(FUZZ_SECONDS) s"; \
		$(FUZZ_BUILD)/fuzz_$$t -max_total_time=$(FUZZ_SECONDS) -timeout=25 -print_final_stats=1 \
			-artifact_prefix=$(FUZZ_BUILD)/crashes/$$t- $(FUZZ_BUILD)/corpus/$$t tests/fuzz/$$t; done
fuzz-short:
	$(MAKE) fuzz FUZZ_SECONDS=5

# The soak (tests/e2e/test_trace_soak.py) at full size: 1,000 processes, 64 threads,
# 10 million syscalls, pids reused; prints its figures. make test runs it scaled down.
soak: all workloads
	cd tests/e2e && PERFANITY_SOAK=full PERFANITY=$(CURDIR)/$(BUILD)/perfanity WORKLOADS=$(CURDIR)/$(BUILD)/workloads \
		/usr/bin/python3 -m pytest -q -s -p no:cacheprovider test_trace_soak.py

e2e: all workloads
	cd tests/e2e && PERFANITY=$(CURDIR)/$(BUILD)/perfanity WORKLOADS=$(CURDIR)/$(BUILD)/workloads /usr/bin/python3 -m pytest -q -p no:cacheprovider .

test: setup
	$(MAKE) all
	$(MAKE) unit
	$(MAKE) install-test
	$(MAKE) asan-unit
	$(MAKE) asan
	$(MAKE) e2e
	$(MAKE) asan-e2e
	$(MAKE) fuzz-short

demo: setup
	$(MAKE) all
	bash scripts/demo.sh

bench: setup
	$(MAKE) all
	bash bench/run.sh

# Man pages, made from the binary's --help texts (the one source; scripts/gen-man.py).
MANPAGES := $(addprefix $(BUILD)/man/,perfanity.1 perfanity-trace.1 perfanity-report.1 perfanity-bench.1 \
	perfanity-recommend.1)
man: $(MANPAGES)
$(MANPAGES) &: $(BUILD)/perfanity scripts/gen-man.py
	/usr/bin/python3 scripts/gen-man.py $(BUILD)/perfanity $(BUILD)/man

# `make install` (GNU conventions: PREFIX, DESTDIR). What perfanity reads at run time goes
# to $(PREFIX)/share/perfanity, found from the binary as ../share/perfanity.
PREFIX  ?= /usr/local
BINDIR  := $(PREFIX)/bin
DATADIR := $(PREFIX)/share/perfanity
MANDIR  := $(PREFIX)/share/man/man1
COMPDIR := $(PREFIX)/share/bash-completion/completions
DATA_FILES := $(shell find examples -type f \( -name '*.py' -o -name '*.toml' -o -name '*.txt' \
	-o -name BUILD \) -not -path '*/__pycache__/*' -not -path '*/.*' -not -path '*/dist/*' | sort) \
	scripts/bench_fixture.py scripts/bench_infer.py
DATA_SCRIPTS := scripts/setup.d/50-bench-wheelhouse.sh
INSTALLED := $(BINDIR)/perfanity $(addprefix $(DATADIR)/,$(DATA_FILES) $(DATA_SCRIPTS)) \
	$(patsubst $(BUILD)/man/%,$(MANDIR)/%,$(MANPAGES)) $(COMPDIR)/perfanity

install: $(BUILD)/perfanity $(MANPAGES)
	install -D -m 755 $(BUILD)/perfanity $(DESTDIR)$(BINDIR)/perfanity
	for f in $(DATA_FILES); do install -D -m 644 $$f $(DESTDIR)$(DATADIR)/$$f || exit 1; done
	for f in $(DATA_SCRIPTS); do install -D -m 755 $$f $(DESTDIR)$(DATADIR)/$$f || exit 1; done
	install -d $(DESTDIR)$(MANDIR)
	install -m 644 $(MANPAGES) $(DESTDIR)$(MANDIR)/
	install -D -m 644 completion/perfanity.bash $(DESTDIR)$(COMPDIR)/perfanity

# Removes what install wrote, then the directories under PREFIX it leaves empty.
uninstall:
	rm -f $(addprefix $(DESTDIR),$(INSTALLED))
	rm -rf $(DESTDIR)$(DATADIR)
	for d in $(BINDIR) $(MANDIR) $(PREFIX)/share/man $(COMPDIR) $(PREFIX)/share/bash-completion \
		$(PREFIX)/share; do [ ! -d $(DESTDIR)$$d ] || rmdir --ignore-fail-on-non-empty $(DESTDIR)$$d; done

# The Debian package, built by dpkg-buildpackage from a copy of the sources in
# $(BUILD)/deb (the .deb and .changes land there, not in the checkout's parent).
DEB_VERSION := $(shell dpkg-parsechangelog -S Version 2>/dev/null)
DEB_ARCH    := $(shell dpkg --print-architecture 2>/dev/null)
DEB := $(BUILD)/deb/perfanity_$(DEB_VERSION)_$(DEB_ARCH).deb
deb:
	rm -rf $(BUILD)/deb && mkdir -p $(BUILD)/deb/src
	tar -c --exclude-vcs --exclude=./build --exclude='./.venv*' --exclude=./.cache \
		--exclude='__pycache__' --exclude='.pytest_cache' -f - . | tar -x -C $(BUILD)/deb/src
	cd $(BUILD)/deb/src && dpkg-buildpackage -us -uc -b
	lintian --fail-on error,warning $(BUILD)/deb/*.changes
	@echo "built $(DEB)"

# Install into a temporary prefix, use it from elsewhere, uninstall; then the .deb
# (built, installed with dpkg -i, used, purged). tests/e2e/test_install.py.
install-test: all workloads deb
	cd tests/e2e && PERFANITY=$(CURDIR)/$(BUILD)/perfanity WORKLOADS=$(CURDIR)/$(BUILD)/workloads \
		PERFANITY_DEB=$(CURDIR)/$(DEB) /usr/bin/python3 -m pytest -q -p no:cacheprovider test_install.py

# The C style is .clang-format's. Only the files listed here are kept in it (new or
# rewritten ones): the rest of the tree is not reformatted wholesale, a file joins the
# list when it is next rewritten. `make format` rewrites them; format-check only checks.
CLANG_FORMAT ?= $(firstword $(shell command -v clang-format clang-format-14 2>/dev/null) clang-format)
FORMAT_FILES := include/pf_util.h src/pf_util.c include/pf_table.h src/pf_table.c tests/unit/test_pf_table.c include/pf_cli.h src/pf_cli.c \
	include/bench_cli.h src/bench_cli.c src/bench.c include/bench_load.h src/bench_load.c \
	include/bench_output.h src/bench_output.c include/bench_sweep.h src/bench_sweep.c src/bench_run.c \
	include/bench_docker.h src/bench_docker.c src/bench_docker_layers.c src/bench_docker_pants.c \
	tests/unit/test_bench_exec.c \
	tests/unit/test_bench_cli.c tests/unit/test_pf_util.c \
	include/launch_user.h src/launch_user.c tests/unit/test_launch_user.c \
	include/seccomp_filter.h src/seccomp_filter.c include/seccomp_backend.h src/seccomp_syscalls.c \
	src/trace_backend_seccomp.c include/trace_backend_pick.h src/trace_backend_pick.c \
	include/trace_partial.h src/trace_partial.c tests/workloads/soak.c $(wildcard tests/fuzz/*.c) \
	include/btf_cache.h src/btf_cache.c tests/unit/test_btf_cache.c include/link_handoff.h src/link_handoff.c \
	include/flame_svg.h src/flame_svg.c tests/unit/test_flame_svg.c include/trace_folded.h src/trace_folded.c \
	include/trace_perfetto.h src/trace_perfetto.c include/trace_pictures.h src/trace_pictures.c \
	include/trace_timeline.h src/trace_timeline.c src/report_html.c
format:
	$(CLANG_FORMAT) -i $(FORMAT_FILES)
format-check:
	@command -v $(CLANG_FORMAT) >/dev/null || { echo "format-check: $(CLANG_FORMAT) not found (apt-get install clang-format)" >&2; exit 2; }
	$(CLANG_FORMAT) --dry-run --Werror $(FORMAT_FILES)

clean:
	rm -rf build
