# xenstored, dom0's xenstore daemon (included by the Makefile): one static binary with no
# library but libc, to run from dom0's busybox initramfs.

XENSTORED := $(BUILD)/dom0-tools/xenstored
XENSTORED_DIR := dom0-tools/xenstored
XENSTORED_SRCS := $(wildcard $(XENSTORED_DIR)/*.c) dom0-tools/lib/alloc.c dom0-tools/lib/privcmd.c
XENSTORED_HDRS := $(wildcard $(XENSTORED_DIR)/*.h) dom0-tools/lib/alloc.h dom0-tools/lib/privcmd.h \
	hypervisor/include/public/keel_domctl.h
# dom0-tools/lib's alloc.h and privcmd.h, and keel's public ABI as <public/...>.
XENSTORED_INCLUDES := -Idom0-tools/lib -Ihypervisor/include
XENSTORED_CFLAGS := -std=gnu11 -D_GNU_SOURCE $(XENSTORED_INCLUDES) -O2 -g -Wall -Wextra -Werror -Wno-unused-parameter
# What the host unit tests link: everything but main() and the ring backends.
XENSTORED_CORE_SRCS := $(filter-out %/main.c %/ring_xen.c %/ring_file.c %/privcmd.c,$(XENSTORED_SRCS))

.PHONY: xenstored
xenstored: $(XENSTORED)

$(XENSTORED): $(XENSTORED_SRCS) $(XENSTORED_HDRS)
	@mkdir -p $(@D)
	@echo "  HOSTCC  $@"
	@$(CC) $(XENSTORED_CFLAGS) -static -o $@ $(XENSTORED_SRCS)
