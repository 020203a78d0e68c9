// PSCI-style HVC loop: 2 million PSCI_VERSION calls through HVC (4 instructions per
// iteration). The cost per call is the wall time over the count; it includes leaving and
// re-entering the interpreter and routing through the firmware policy.
    .text
    .global main
main:
    stp     x29, x30, [sp, #-16]!
    movz    x10, #0x8480             // 2,000,000 = 0x1e8480
    movk    x10, #0x1e, lsl #16
    mov     x19, #0
1:  movz    x0, #0x0000
    movk    x0, #0x8400, lsl #16      // PSCI_VERSION
    hvc     #0
    add     x19, x19, x0
    subs    x10, x10, #1
    b.ne    1b
    adr     x0, label
    bl      puts_uart
    mov     x0, x19
    bl      put_hex
    mov     x0, #10
    bl      putc_uart
    ldp     x29, x30, [sp], #16
    ret

    .section .rodata
label:
    .asciz  "hvc: sum of PSCI_VERSION results "
