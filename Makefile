# phoenix-storage build. `make` builds build/phoenix-storage; `make SAN=1`
# builds the ASan+UBSan variant in build-san/; `make test` runs every test.
CC ?= cc
SAN ?= 0
PKGS := jansson blkid
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS))
PKG_LIBS := $(shell pkg-config --libs $(PKGS)) -lm
WARN := -Wall -Wextra -Werror -Wshadow -Wformat=2 -Wno-format-nonliteral
CFLAGS_BASE := -std=c11 -D_GNU_SOURCE $(WARN) -Isrc $(PKG_CFLAGS)
ifeq ($(SAN),1)
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

test:
	tests/run

# No file of src/ includes a header of a higher layer (README, "Architecture").
check-layers:
	scripts/check-layers

PREFIX ?= /usr/local
install: $(BUILD)/phoenix-storage
	install -D -m 0755 $(BUILD)/phoenix-storage $(DESTDIR)$(PREFIX)/sbin/phoenix-storage

clean:
	rm -rf build build-san

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)

.PHONY: all test check-layers clean install
