// Load/store loop: walks a 64 KiB buffer with word, pair and byte accesses (16 instructions per
// iteration, 12 of them memory accesses) 12.5 million times: 200 million instructions.
    .text
    .global main
main:
    stp     x29, x30, [sp, #-16]!
    ldr     x8, =buffer
    mov     x9, #0                    // offset
    movz    x10, #0xbc20             // 12,500,000 = 0xbebc20
    movk    x10, #0xbe, lsl #16
    mov     x1, #0x1234
1:  add     x11, x8, x9
    ldr     x2, [x11]
    ldr     x3, [x11, #8]
    add     x1, x1, x2
    ldp     x4, x5, [x11, #16]
    eor     x1, x1, x3
    str     x1, [x11]
    stp     x5, x4, [x11, #16]
    ldrb    w6, [x11, #33]
    strb    w1, [x11, #40]
    ldr     w7, [x11, #44]
    str     w6, [x11, #48]
    add     x1, x1, x7
    add     x9, x9, #64
    and     x9, x9, #0xffff
    subs    x10, x10, #1
    b.ne    1b
    adr     x0, label
    bl      put_result
    ldp     x29, x30, [sp], #16
    ret

    .section .rodata
label:
    .asciz  "ldst: "

    .bss
    .balign 4096
buffer:
    .skip   65536
