// ALU loop: 200 million integer data-processing instructions (25 per iteration, 8 million
// iterations), no memory access. Prints the accumulated value so runs can be compared.
    .text
    .global main
main:
    stp     x29, x30, [sp, #-16]!
    movz    x10, #0x1200             // 8,000,000 iterations = 0x7a1200
    movk    x10, #0x7a, lsl #16
    mov     x1, #1
    mov     x2, #3
    mov     x3, #5
    mov     x4, #7
1:  add     x1, x1, x2
    eor     x2, x2, x1, lsl #3
    sub     x3, x3, x4
    orr     x4, x4, x3, lsr #7
    and     x5, x1, x2
    eor     x1, x1, x5, ror #13
    madd    x6, x1, x2, x3
    eor     x2, x2, x6
    lsr     x7, x6, #17
    add     x3, x3, x7
    bic     x4, x4, x1
    adds    x5, x5, x4
    adc     x1, x1, x3
    csel    x2, x2, x1, ne
    ubfx    x6, x2, #5, #20
    add     x4, x4, x6
    clz     x7, x1
    add     x3, x3, x7
    rev     x6, x3
    eor     x1, x1, x6
    sub     x2, x2, #1
    orr     x3, x3, #1
    mul     x7, x3, x4
    subs    x10, x10, #1
    b.ne    1b
    eor     x0, x1, x2
    eor     x0, x0, x3
    eor     x0, x0, x4
    eor     x1, x0, x7
    adr     x0, label
    bl      put_result
    ldp     x29, x30, [sp], #16
    ret

    .section .rodata
label:
    .asciz  "alu: "
