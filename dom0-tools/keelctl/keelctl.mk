# keelctl, dom0's toolstack (included by the Makefile): one static binary (libc and liblzma)
# for dom0's busybox initramfs. It compiles keel's own PVH ELF loader (elf_loader.c, hosted)
# and bzimage2elf's unpacker rather than having second copies.

KEELCTL := $(BUILD)/dom0-tools/keelctl
KEELCTL_DIR := dom0-tools/keelctl
# bash completion for keelctl, installed in dom0's image (boot/linux.mk).
KEELCTL_COMPLETION := $(KEELCTL_DIR)/completion.bash
KEELCTL_SRCS := $(wildcard $(KEELCTL_DIR)/*.c)
KEELCTL_HDRS := $(wildcard $(KEELCTL_DIR)/*.h) dom0-tools/bzimage2elf/bzimage2elf.h \
	$(HV)/include/public/keel_domctl.h $(HV)/include/keel/elf.h \
	$(HV)/include/keel/pvh_layout.h dom0-tools/lib/alloc.h dom0-tools/lib/privcmd.h \
	$(HV)/include/keel/build_info.h $(HV)/include/keel/main.h
KEELCTL_SHARED_SRCS := $(HV)/common/elf_loader.c dom0-tools/bzimage2elf/bzimage2elf.c \
	dom0-tools/lib/alloc.c dom0-tools/lib/privcmd.c
# What keel and keelctl were built from (keelctl --version): the Makefile's compile_info.c.
KEELCTL_SHARED_SRCS += $(BUILD)/compile_info.c
KEELCTL_INCLUDES := -D_GNU_SOURCE -DKEEL_HOSTED -I$(KEELCTL_DIR) -Idom0-tools/bzimage2elf -Idom0-tools/lib \
	-I$(HV)/include
KEELCTL_CFLAGS := -std=gnu11 -O2 -g -Wall -Wextra -Werror -Wno-unused-parameter \
	$(KEELCTL_INCLUDES)
# What the host unit tests link: everything but main().
KEELCTL_CORE_SRCS := $(filter-out %/main.c,$(KEELCTL_SRCS)) $(KEELCTL_SHARED_SRCS)

.PHONY: keelctl
keelctl: $(KEELCTL)

$(KEELCTL): $(KEELCTL_SRCS) $(KEELCTL_SHARED_SRCS) $(KEELCTL_HDRS)
	@mkdir -p $(@D)
	@echo "  HOSTCC  $@"
	@$(CC) $(KEELCTL_CFLAGS) -static -o $@ $(KEELCTL_SRCS) $(KEELCTL_SHARED_SRCS) -llzma
