/*
 * tests/guest/plx-guest/entry.S: where plx-vm starts the guest (see
 * vmm/simple-entry.h): 64-bit mode at CPL 3, RSP = top of the stack,
 * RDI = struct plx_boot_info *.  Clears .bss (the loader zeroes it too,
 * but this costs nothing) and calls pg_main(), which never returns.
 */
    .section .text.entry, "ax"
    .globl _start
    .type _start, @function
_start:
    mov %rdi, %r12
    cld
    mov $__bss_start, %rdi
    mov $__bss_end, %rcx
    sub %rdi, %rcx
    xor %eax, %eax
    rep stosb
    mov %r12, %rdi
    and $-16, %rsp
    call pg_main
1:  pause
    jmp 1b
    .size _start, . - _start

    .section .note.GNU-stack, "", @progbits
