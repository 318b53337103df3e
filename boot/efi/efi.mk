# Build rules for keel.efi, the native UEFI loader (included by the Makefile).

BUILD ?= build
EFI_CC ?= $(CC)
EFI_LD ?= ld
EFI_OBJCOPY ?= objcopy
EFI_INC ?= /usr/include/efi
EFI_LIB ?= /usr/lib
EFI_HV_INCLUDE ?= hypervisor/include
EFI_HV ?= hypervisor

# Keep the includer's default goal: this file must not change it.
efi_saved_goal := $(.DEFAULT_GOAL)

EFI_CFLAGS := -std=gnu11 -O2 -g -fpic -fshort-wchar -mno-red-zone \
	-ffreestanding -fno-stack-protector -fno-strict-aliasing \
	-fno-asynchronous-unwind-tables -mgeneral-regs-only \
	-maccumulate-outgoing-args -DGNU_EFI_USE_MS_ABI \
	-Wall -Wextra -Werror -MMD -MP \
	-I$(EFI_INC) -I$(EFI_INC)/x86_64 -I$(EFI_HV_INCLUDE) -I$(EFI_HV_INCLUDE)/../arch/x86/include

EFI_SRCS := main.c alloc.c files.c config.c core.c memmap.c enter.c \
	cfg.c loadopt.c elfload.c pagetable.c efi_memtype.c
EFI_HV_SRCS := common/bootinfo.c common/string.c mm/pagetable.c

EFI_OBJS := $(addprefix $(BUILD)/efi/,$(EFI_SRCS:.c=.o)) \
	$(addprefix $(BUILD)/efi/hv/,$(EFI_HV_SRCS:.c=.o))

$(BUILD)/efi/%.o: boot/efi/%.c
	@mkdir -p $(@D)
	@echo "  EFICC   $<"
	@$(EFI_CC) $(EFI_CFLAGS) -c $< -o $@

# Shared hypervisor files, weakened so libefi's memset/memcpy win the link.
$(BUILD)/efi/hv/%.o: $(EFI_HV)/%.c
	@mkdir -p $(@D)
	@echo "  EFICC   $<"
	@$(EFI_CC) $(EFI_CFLAGS) -c $< -o $@
	@$(EFI_OBJCOPY) --weaken $@

# keel.elf without debug info as data, with symbols _binary_core_bin_start/_end.
$(BUILD)/efi/core_blob.o: $(BUILD)/keel.elf
	@mkdir -p $(@D)
	@$(EFI_OBJCOPY) --strip-debug $< $(BUILD)/efi/core.bin
	@cd $(BUILD)/efi && $(EFI_OBJCOPY) -I binary -O elf64-x86-64 \
		-B i386:x86-64 \
		--rename-section .data=.rodata.keel_core,alloc,load,readonly,data,contents \
		--set-section-alignment .data=16 \
		--add-section .note.GNU-stack=/dev/null \
		core.bin core_blob.o

$(BUILD)/efi/keel.so: $(EFI_OBJS) $(BUILD)/efi/core_blob.o
	@$(EFI_LD) -nostdlib -znocombreloc -T $(EFI_LIB)/elf_x86_64_efi.lds \
		-shared -Bsymbolic -L$(EFI_LIB) $(EFI_LIB)/crt0-efi-x86_64.o \
		$(EFI_OBJS) $(BUILD)/efi/core_blob.o -lefi -lgnuefi -o $@

$(BUILD)/keel.efi: $(BUILD)/efi/keel.so $(BUILD)/keel.elf
	@echo "  EFI     $@"
	@$(EFI_OBJCOPY) -j .text -j .sdata -j .data -j .dynamic -j .dynsym \
		-j .rel -j .rela -j .rel.* -j .rela.* -j .reloc \
		--target efi-app-x86_64 --subsystem=10 $< $@

# A tree for QEMU's vvfat: -drive format=raw,file=fat:rw:$(BUILD)/esp
$(BUILD)/esp/EFI/BOOT/BOOTX64.EFI: $(BUILD)/keel.efi
	@mkdir -p $(@D)
	@cp $< $@

$(BUILD)/esp/EFI/BOOT/keel.cfg: boot/efi/keel.cfg.example
	@mkdir -p $(@D)
	@cp $< $@

$(BUILD)/esp: $(BUILD)/esp/EFI/BOOT/BOOTX64.EFI $(BUILD)/esp/EFI/BOOT/keel.cfg
	@touch $@

# Rebuild everything when these rules change.
$(EFI_OBJS) $(BUILD)/efi/core_blob.o: boot/efi/efi.mk

-include $(EFI_OBJS:.o=.d)

.DEFAULT_GOAL := $(efi_saved_goal)
