# phoenix-storage build. `make` builds build/phoenix-storage; `make SAN=1`
# builds the ASan+UBSan variant in build-san/; `make fuzz` builds the libFuzzer
# targets (tests/fuzz/fuzz_*.c, clang, ASan+UBSan) in build-fuzz/fuzz/;
# `make test` runs every test.
CC ?= cc
SAN ?= 0
FUZZ ?= 0
# clang for the fuzz targets: clang-14 (Debian 12) or any clang with libFuzzer.
FUZZ_CC ?= $(firstword $(shell command -v clang-14 clang 2>/dev/null) clang)
PKGS := jansson blkid
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS))
PKG_LIBS := $(shell pkg-config --libs $(PKGS)) -lm
WARN := -Wall -Wextra -Werror -Wshadow -Wformat=2 -Wno-format-nonliteral
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
CFLAGS_ALL := $(CFLAGS_BASE) $(CFLAGS_MODE) $(CFLAGS)

LIB_SRC := $(filter-out src/cmd/main.c,$(shell find src -name '*.c' | sort))
LIB_OBJ := $(patsubst src/%.c,$(BUILD)/obj/%.o,$(LIB_SRC))
UNIT_SRC := $(sort $(wildcard tests/unit/test_*.c))
UNIT_BIN := $(patsubst tests/unit/%.c,$(BUILD)/tests/%,$(UNIT_SRC))
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
	$(CC) $(LDFLAGS_MODE) -o $@ $^ $(PKG_LIBS)

$(BUILD)/tests/%: tests/unit/%.c $(BUILD)/libphoenix.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) -Itests/unit -o $@ $< $(BUILD)/libphoenix.a $(PKG_LIBS) -lcmocka $(LDFLAGS_MODE)

# One libFuzzer target per parser; tests/fuzz/run SECONDS runs them on their corpus.
fuzz:
	@command -v $(FUZZ_CC) >/dev/null || { echo "make fuzz: $(FUZZ_CC) not found (apt-get install clang-14 libclang-rt-14-dev)" >&2; exit 1; }
	$(MAKE) FUZZ=1 fuzz-targets

fuzz-targets: $(FUZZ_BIN)

build-fuzz/fuzz/%: tests/fuzz/fuzz_%.c tests/fuzz/fuzz.h $(BUILD)/libphoenix.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) -Itests/fuzz -o $@ $< $(BUILD)/libphoenix.a $(PKG_LIBS) $(LDFLAGS_MODE)

test:
	tests/run

PREFIX ?= /usr/local
install: $(BUILD)/phoenix-storage
	install -D -m 0755 $(BUILD)/phoenix-storage $(DESTDIR)$(PREFIX)/sbin/phoenix-storage

clean:
	rm -rf build build-san build-fuzz

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)

.PHONY: all test clean install fuzz fuzz-targets
