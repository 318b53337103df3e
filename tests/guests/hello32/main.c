/*
 * hello32: hello (the PVH entry, start info and xen_version) shipped in an
 * ELF32 container: the file elf32 beside this one makes the build put the
 * linked guest through objcopy -O elf32-i386, as XTF and several PVH
 * kernels ship (64-bit code in ELFCLASS32, entered in 32-bit mode as every
 * PVH kernel is). It passes as hello does once keel has loaded it.
 */
#define HELLO_NAME "hello32"
#include "../hello/main.c"
