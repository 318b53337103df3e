# keel-blkback, dom0's user-space block backend (included by the Makefile): one static binary
# (libc only) for dom0's busybox initramfs. It speaks xenstore through keelctl's client (xs.c).

BLKBACK := $(BUILD)/backend-drivers/keel-blkback
BLKBACK_DIR := backend-drivers/blkback
BLKBACK_SRCS := $(wildcard $(BLKBACK_DIR)/*.c) dom0-tools/keelctl/xs.c dom0-tools/keelctl/util.c \
	dom0-tools/lib/alloc.c dom0-tools/lib/privcmd.c
BLKBACK_HDRS := $(wildcard $(BLKBACK_DIR)/*.h) dom0-tools/keelctl/xs.h dom0-tools/keelctl/util.h \
	dom0-tools/lib/alloc.h dom0-tools/lib/privcmd.h $(HV)/include/public/keel_domctl.h
BLKBACK_INCLUDES := -D_GNU_SOURCE -I$(BLKBACK_DIR) -Idom0-tools/keelctl -Idom0-tools/lib \
	-I$(HV)/include
BLKBACK_CFLAGS := -std=gnu11 -O2 -g -Wall -Wextra -Werror -Wno-unused-parameter \
	$(BLKBACK_INCLUDES)
# What the host unit tests and the fuzzer link: the backend without main() and the devices.
BLKBACK_CORE_SRCS := $(addprefix $(BLKBACK_DIR)/,aio.c backend.c dev.c io.c req.c ring.c \
	target.c util.c) dom0-tools/lib/alloc.c

.PHONY: blkback
blkback: $(BLKBACK)

$(BLKBACK): $(BLKBACK_SRCS) $(BLKBACK_HDRS)
	@mkdir -p $(@D)
	@echo "  HOSTCC  $@"
	@$(CC) $(BLKBACK_CFLAGS) -static -o $@ $(BLKBACK_SRCS)
