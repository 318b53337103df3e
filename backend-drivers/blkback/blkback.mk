# keel-blkback, dom0's user-space block backend (included by the Makefile): one static binary
# (libc only) for dom0's busybox initramfs. Its environment is backend-drivers/lib (xenbe.mk).

BLKBACK := $(BUILD)/backend-drivers/keel-blkback
BLKBACK_DIR := backend-drivers/blkback
BLKBACK_SRCS := $(wildcard $(BLKBACK_DIR)/*.c) $(XENBE_SRCS)
BLKBACK_HDRS := $(wildcard $(BLKBACK_DIR)/*.h) $(XENBE_HDRS)
BLKBACK_INCLUDES := -D_GNU_SOURCE -I$(BLKBACK_DIR) $(XENBE_INCLUDES)
BLKBACK_CFLAGS := -std=gnu11 -O2 -g -Wall -Wextra -Werror -Wno-unused-parameter \
	$(BLKBACK_INCLUDES)
# What the host unit tests and the fuzzer link: the backend without main() and the devices.
BLKBACK_CORE_SRCS := $(addprefix $(BLKBACK_DIR)/,aio.c backend.c dev.c io.c mapcopy.c pgnt.c populated.c \
	req.c ring.c target.c) $(XENBE_CORE_SRCS)

.PHONY: blkback
blkback: $(BLKBACK)

$(BLKBACK): $(BLKBACK_SRCS) $(BLKBACK_HDRS)
	@mkdir -p $(@D)
	@echo "  HOSTCC  $@"
	@$(CC) $(BLKBACK_CFLAGS) -pthread -static -o $@ $(BLKBACK_SRCS)
