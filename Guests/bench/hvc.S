// PSCI-style HVC loop: 2 million PSCI_VERSION calls through HVC (4 instructions per
// iteration). The cost per call is the wall time over the count; it includes leaving and
// re-entering the interpreter and routing through the firmware policy.
    .text
    .global main
main:
    stp     x29, x30, [sp, #-16]!
    movz    x10, #0x8480             // 2,000,000 = 0x1e8480
    movk    x10, #0x1e, lsl #16
    mov     x11, #0                  // the sum (SMCCC 1.1 calls preserve X4-X17)
1:  movz    x0, #0x0000
    movk    x0, #0x8400, lsl #16      // PSCI_VERSION
    hvc     #0
    add     x11, x11, x0
    subs    x10, x10, #1
    b.ne    1b
    mov     x1, x11
    adr     x0, label
    bl      put_result
    ldp     x29, x30, [sp], #16
    ret

    .section .rodata
label:
    .asciz  "hvc: sum of PSCI_VERSION results "
