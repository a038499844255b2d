# phoenix-storage build. `make` builds build/phoenix-storage and the unit test
# binaries; `make SAN=1` builds the ASan+UBSan variant in build-san/.
#   make check       the unit tier, no root needed (the binaries of this build)
#   make valgrind    the unit binaries of the release build under valgrind
#   make fuzz        the libFuzzer targets (tests/fuzz/fuzz_*.c, clang, ASan+UBSan) in build-fuzz/fuzz/
#   make test        every host test (tests/run: unit + integration, as root)
#   make install / uninstall   PREFIX (/usr/local), DESTDIR
# CPPFLAGS, CFLAGS and LDFLAGS from the environment or the command line reach
# every compile and link (dpkg-buildflags hardening); WERROR=0 drops -Werror
# (on by default: CI relies on it).
CC ?= cc
SAN ?= 0
WERROR ?= 1
FUZZ ?= 0
# clang for the fuzz targets: clang-14 (Debian 12) or any clang with libFuzzer.
FUZZ_CC ?= $(firstword $(shell command -v clang-14 clang 2>/dev/null) clang)
PKGS := jansson blkid
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS))
PKG_LIBS := $(shell pkg-config --libs $(PKGS)) -lm
WARN := -Wall -Wextra -Wshadow -Wformat=2 -Wno-format-nonliteral
ifeq ($(WERROR),1)
WARN += -Werror
endif
CFLAGS_BASE := -std=c11 -D_GNU_SOURCE $(WARN) -Isrc $(PKG_CFLAGS)
ifeq ($(FUZZ),1)
# The library is instrumented for coverage (fuzzer-no-link); only the targets link libFuzzer.
BUILD := build-fuzz
CC := $(FUZZ_CC)
CFLAGS_MODE := -O1 -g -fno-omit-frame-pointer -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=undefined
LDFLAGS_MODE := -fsanitize=fuzzer,address,undefined
else ifeq ($(SAN),1)
BUILD := build-san
CFLAGS_MODE := -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=undefined
LDFLAGS_MODE := -fsanitize=address,undefined
else
BUILD := build
CFLAGS_MODE := -O2 -g
LDFLAGS_MODE :=
endif
CFLAGS_ALL := $(CPPFLAGS) $(CFLAGS_BASE) $(CFLAGS_MODE) $(CFLAGS)
LDFLAGS_ALL := $(LDFLAGS_MODE) $(LDFLAGS)

LIB_SRC := $(filter-out src/cmd/main.c,$(shell find src -name '*.c' | sort))
LIB_OBJ := $(patsubst src/%.c,$(BUILD)/obj/%.o,$(LIB_SRC))
UNIT_SRC := $(sort $(wildcard tests/unit/test_*.c))
UNIT_BIN := $(patsubst tests/unit/%.c,$(BUILD)/tests/%,$(UNIT_SRC))
VALGRIND := valgrind --quiet --error-exitcode=1 --leak-check=full --errors-for-leak-kinds=definite,possible
FUZZ_SRC := $(sort $(wildcard tests/fuzz/fuzz_*.c))
FUZZ_BIN := $(patsubst tests/fuzz/fuzz_%.c,build-fuzz/fuzz/%,$(FUZZ_SRC))

all: $(BUILD)/phoenix-storage $(UNIT_BIN)

$(BUILD)/obj/%.o: src/%.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) -MMD -MP -c $< -o $@

$(BUILD)/libphoenix.a: $(LIB_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(BUILD)/phoenix-storage: $(BUILD)/obj/cmd/main.o $(BUILD)/libphoenix.a
	$(CC) $(CFLAGS_ALL) $(LDFLAGS_ALL) -o $@ $^ $(PKG_LIBS)

$(BUILD)/tests/%: tests/unit/%.c $(BUILD)/libphoenix.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) -Itests/unit $(LDFLAGS_ALL) -o $@ $< $(BUILD)/libphoenix.a $(PKG_LIBS) -lcmocka

# One libFuzzer target per parser; tests/fuzz/run SECONDS runs them on their corpus.
fuzz:
	@command -v $(FUZZ_CC) >/dev/null || { echo "make fuzz: $(FUZZ_CC) not found (apt-get install clang-14 libclang-rt-14-dev)" >&2; exit 1; }
	$(MAKE) FUZZ=1 fuzz-targets

fuzz-targets: $(FUZZ_BIN)

build-fuzz/fuzz/%: tests/fuzz/fuzz_%.c tests/fuzz/fuzz.h $(BUILD)/libphoenix.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) -Itests/fuzz $(LDFLAGS_ALL) -o $@ $< $(BUILD)/libphoenix.a $(PKG_LIBS)

test:
	tests/run

# No file of src/ includes a header of a higher layer (README, "Architecture").
check-layers:
	scripts/check-layers

# The unit tier of this build (release, or SAN=1), as any user.
check: $(UNIT_BIN)
	tests/run-unit $(BUILD)

# The unit binaries of the release build (no sanitizers: valgrind cannot run
# under ASan) under valgrind: any memory error or leak fails.
valgrind:
ifeq ($(SAN),1)
	$(error make valgrind runs the release build: leave SAN unset)
endif
	@command -v valgrind >/dev/null || { echo "valgrind not found (apt-get install valgrind)"; exit 1; }
	$(MAKE) --no-print-directory $(UNIT_BIN)
	PHOENIX_UNIT_WRAPPER="$(VALGRIND)" tests/run-unit $(BUILD)

# Benchmark drivers (bench/*.c): `make build/bench/retention_1m`, run by bench/retention_1m.sh.
$(BUILD)/bench/%: bench/%.c $(BUILD)/libphoenix.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) -o $@ $< $(BUILD)/libphoenix.a $(PKG_LIBS) $(LDFLAGS_ALL)

PREFIX ?= /usr/local
# systemd reads units from /usr/local/lib/systemd/system and /usr/lib/systemd/system alike.
UNITDIR ?= $(PREFIX)/lib/systemd/system
DOCDIR ?= $(PREFIX)/share/doc/phoenix-storage
UNITS := phoenix-storage-snapshot.service phoenix-storage-snapshot.timer phoenix-storage-prune.service \
	 phoenix-storage-prune.timer phoenix-storage-scrub.service phoenix-storage-scrub.timer
install: $(BUILD)/phoenix-storage
	install -D -m 0755 $(BUILD)/phoenix-storage $(DESTDIR)$(PREFIX)/sbin/phoenix-storage
	install -D -m 0644 README.md $(DESTDIR)$(DOCDIR)/README.md
	install -d $(DESTDIR)$(UNITDIR)
	for u in $(UNITS); do \
		if [ -f units/$$u.in ]; then \
			sed -e 's|@SBINDIR@|$(PREFIX)/sbin|g' -e 's|@DOCDIR@|$(DOCDIR)|g' units/$$u.in >$(DESTDIR)$(UNITDIR)/$$u; \
			chmod 0644 $(DESTDIR)$(UNITDIR)/$$u; \
		else install -m 0644 units/$$u $(DESTDIR)$(UNITDIR)/$$u; fi; \
	done

uninstall:
	rm -f $(DESTDIR)$(PREFIX)/sbin/phoenix-storage
	rm -rf $(DESTDIR)$(DOCDIR)
	for u in $(UNITS); do rm -f $(DESTDIR)$(UNITDIR)/$$u; done

clean:
	rm -rf build build-san build-fuzz

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)

.PHONY: all test check check-layers valgrind clean install uninstall fuzz fuzz-targets
