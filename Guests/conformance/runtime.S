// The assembly half of the conformance guest: entry, exception vectors, the SMCCC trampolines,
// MMIO and atomic helpers, EL0 excursions and the secondary-CPU entry. The cases themselves are
// Embedded Swift (Conformance.swift and friends).
//
// Exceptions: a synchronous exception from EL1 or EL0 is recorded (ESR_EL1 in exception_esr,
// a count in exception_count) and, unless it is the SVC that ends an EL0 excursion, the faulting
// instruction is skipped: a test expecting an undefined instruction sees the count go up.

    .include "entry.inc"
    .section .text.boot, "ax"
    .global _start
_start:
    boot_cpu_entry vectors, conformance_main
3:  wfi
    b       3b

// void smccc(uint64_t regs[8], int conduit): X0-X7 from regs, HVC (0) or SMC (1) #0, X0-X7
// back into regs.
    .text
    .global smccc
smccc:
    stp     x29, x30, [sp, #-32]!
    str     x0, [sp, #16]
    mov     x9, x0
    mov     w10, w1
    ldp     x0, x1, [x9]
    ldp     x2, x3, [x9, #16]
    ldp     x4, x5, [x9, #32]
    ldp     x6, x7, [x9, #48]
    cbnz    w10, 1f
    hvc     #0
    b       2f
1:  cmp     w10, #2
    b.eq    3f
    smc     #0
    b       2f
3:  smc     #1              // conduit 2: SMC with a non-zero immediate
2:  ldr     x9, [sp, #16]
    stp     x0, x1, [x9]
    stp     x2, x3, [x9, #16]
    stp     x4, x5, [x9, #32]
    stp     x6, x7, [x9, #48]
    ldp     x29, x30, [sp], #32
    ret

// uint32_t mmio_read32(uint64_t address); void mmio_write32(uint64_t address, uint32_t value)
    .global mmio_read32
mmio_read32:
    ldr     w0, [x0]
    ret
    .global mmio_write32
mmio_write32:
    str     w1, [x0]
    ret
    .global mmio_write8
mmio_write8:
    strb    w1, [x0]
    ret

// uint64_t atomic_add(uint64_t *p, uint64_t value): returns the old value (LDAXR/STLXR).
    .global atomic_add
atomic_add:
1:  ldaxr   x2, [x0]
    add     x3, x2, x1
    stlxr   w4, x3, [x0]
    cbnz    w4, 1b
    mov     x0, x2
    ret

// uint64_t atomic_load(uint64_t *p); void atomic_store(uint64_t *p, uint64_t value)
    .global atomic_load
atomic_load:
    ldar    x0, [x0]
    ret
    .global atomic_store
atomic_store:
    stlr    x1, [x0]
    sev
    ret

    .global cpu_relax
cpu_relax:
    yield
    ret
    .global wait_for_event
wait_for_event:
    wfe
    ret

// System registers the Swift side reads or writes.
    .global read_mpidr
read_mpidr:
    mrs     x0, mpidr_el1
    ret
    .global read_counter
read_counter:
    isb
    mrs     x0, cntvct_el0
    ret
    .global read_current_el
read_current_el:
    mrs     x0, CurrentEL
    ret
    .global read_sctlr
read_sctlr:
    mrs     x0, sctlr_el1
    ret
    .global write_virtual_timer
write_virtual_timer:          // (ticks from now, control)
    msr     cntv_tval_el0, x0
    msr     cntv_ctl_el0, x1
    isb
    ret
    .global gicv3_cpu_interface_enable
gicv3_cpu_interface_enable:
    mov     x0, #0xff
    msr     icc_pmr_el1, x0
    mov     x0, #1
    msr     icc_igrpen1_el1, x0
    isb
    ret
    .global gicv3_acknowledge
gicv3_acknowledge:            // returns the INTID taken, after EOI
    mrs     x0, icc_iar1_el1
    msr     icc_eoir1_el1, x0
    ret

// void run_at_el0(uint64_t regs[8], int conduit): drops to EL0t, makes the call there with the
// given conduit (0 HVC, 1 SMC), stores X0-X3 back and returns to EL1 with SVC #0.
    .global run_at_el0
run_at_el0:
    stp     x29, x30, [sp, #-96]!
    stp     x19, x20, [sp, #16]
    stp     x21, x22, [sp, #32]
    stp     x23, x24, [sp, #48]
    stp     x25, x26, [sp, #64]
    stp     x27, x28, [sp, #80]
    adr     x9, el1_saved_sp
    mov     x10, sp
    str     x10, [x9]
    mov     x19, x0
    mov     w20, w1
    // The identity map gives EL0 no access, and an EL0-writable mapping would make it
    // privileged execute-never: run the excursion with the MMU off (no permission checks).
    mrs     x10, sctlr_el1
    bic     x10, x10, #1
    msr     sctlr_el1, x10
    isb
    ldr     x10, =__stack_top
    sub     x10, x10, #0x8000         // an EL0 stack inside the primary's stack region
    msr     sp_el0, x10
    adr     x10, el0_code
    msr     elr_el1, x10
    mov     x10, #0x3c0               // EL0t with DAIF masked
    msr     spsr_el1, x10
    eret
el0_code:
    ldp     x0, x1, [x19]
    ldp     x2, x3, [x19, #16]
    cbnz    w20, 1f
    hvc     #0
    b       2f
1:  smc     #0
2:  stp     x0, x1, [x19]
    stp     x2, x3, [x19, #16]
    svc     #0                        // back to EL1: see lower_sync
el0_return:
    mrs     x10, sctlr_el1
    orr     x10, x10, #1
    msr     sctlr_el1, x10
    isb
    adr     x9, el1_saved_sp
    ldr     x10, [x9]
    mov     sp, x10
    ldp     x19, x20, [sp, #16]
    ldp     x21, x22, [sp, #32]
    ldp     x23, x24, [sp, #48]
    ldp     x25, x26, [sp, #64]
    ldp     x27, x28, [sp, #80]
    ldp     x29, x30, [sp], #96
    ret

// uint64_t exception_count_now(void), exception_esr_now(void): what the vectors recorded.
    .global exception_count_now
exception_count_now:
    adr     x0, exception_count
    ldr     x0, [x0]
    ret
    .global exception_esr_now
exception_esr_now:
    adr     x0, exception_esr
    ldr     x0, [x0]
    ret

// Secondary CPUs start here with X0 = a context ID: their index, used to pick a stack.
    .global secondary_entry
secondary_entry:
    secondary_cpu_entry vectors, secondary_main
1:  wfi
    b       1b

// The vector table. Synchronous exceptions from EL1 (SP_ELx) and from EL0 are recorded.
    .balign 2048
vectors:
    .balign 128
    b       unexpected          // current EL, SP_EL0
    .balign 128
    b       unexpected
    .balign 128
    b       unexpected
    .balign 128
    b       unexpected
    .balign 128
    b       current_sync        // current EL, SP_ELx: synchronous
    .balign 128
    b       current_irq
    .balign 128
    b       unexpected
    .balign 128
    b       unexpected
    .balign 128
    b       lower_sync          // lower EL, AArch64: synchronous
    .balign 128
    b       unexpected
    .balign 128
    b       unexpected
    .balign 128
    b       unexpected
    .rept 4
    .balign 128
    b       unexpected
    .endr

// Records ESR_EL1 in exception_esr, counts the exception and moves ELR_EL1 past the
// instruction. Clobbers X9 and X10.
.macro record_and_skip
    mrs     x9, esr_el1
    adr     x10, exception_esr
    str     x9, [x10]
    adr     x10, exception_count
    ldr     x9, [x10]
    add     x9, x9, #1
    str     x9, [x10]
    mrs     x9, elr_el1
    add     x9, x9, #4
    msr     elr_el1, x9
.endm

current_sync:
    stp     x9, x10, [sp, #-16]!
    record_and_skip
    ldp     x9, x10, [sp], #16
    eret

lower_sync:
    mrs     x9, esr_el1
    lsr     x10, x9, #26
    cmp     x10, #0x15                // SVC from EL0: the excursion is over
    b.eq    el0_return
    record_and_skip                   // the EL0 stub keeps nothing in X9 or X10
    eret

current_irq:
    b       unexpected

unexpected:
    mrs     x0, esr_el1
    mrs     x1, elr_el1
    bl      unexpected_exception
2:  wfi
    b       2b

    .data
    .balign 8
    .global exception_esr
exception_esr: .quad 0
    .global exception_count
exception_count: .quad 0
el1_saved_sp: .quad 0

    .text
// uint64_t shared_area(void): the words the CPUs share.
    .global shared_area
shared_area:
    adr     x0, shared_words
    ret

    .bss
    .balign 64
shared_words: .skip 8 * 128

