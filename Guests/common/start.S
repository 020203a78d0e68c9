// Entry for every bare-metal guest: EL1h, MMU off, DAIF masked (Linux's booting contract and
// QEMU's ELF boot). Clears .bss, installs a vector table that reports any exception and powers
// off, calls main(), then PSCI SYSTEM_OFF.
    .include "entry.inc"
    .section .text.boot, "ax"
    .global _start
_start:
    boot_cpu_entry vectors, main
    b       system_off

// PSCI SYSTEM_OFF through the conduit the device tree named (smccc_use_smc), HVC unless a
// guest set it: the conduit of QEMU's and Conduit's default policy. Should the call return, or
// fault, the CPU parks with interrupts masked, and the VMM sees a halted machine.
    .global system_off
system_off:
    movz    x0, #0x0008
    movk    x0, #0x8400, lsl #16
    adrp    x1, smccc_use_smc
    ldr     w1, [x1, :lo12:smccc_use_smc]
    cbnz    w1, 1f
    hvc     #0
    b       park
1:  smc     #0
park:
    msr     daifset, #0xf
3:  wfi
    b       3b

// Every vector prints "exception <vector> ESR FAR ELR" and powers off.
    .balign 2048
vectors:
    .irp n, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15
    .balign 128
    mov     x0, #\n
    b       unexpected_exception
    .endr

// Reports once: an exception while reporting, or from SYSTEM_OFF itself (its conduit made
// undefined by the policy), parks the CPU instead of looping.
unexpected_exception:
    adrp    x4, reporting_exception
    ldr     w5, [x4, :lo12:reporting_exception]
    cbnz    w5, park
    mov     w5, #1
    str     w5, [x4, :lo12:reporting_exception]
    mrs     x1, esr_el1
    mrs     x2, far_el1
    mrs     x3, elr_el1
    bl      report_exception
    b       system_off

    .bss
    .balign 4
reporting_exception:
    .word   0
