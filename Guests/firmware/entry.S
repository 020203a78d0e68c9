// The firmware blob's monitor vector table and its calls out. Conduit enters a call at
// vectors + 0x400 (synchronous, lower EL, AArch64) with the caller's X0-X17, EL1h, the MMU off
// and SP at this vCPU's firmware stack. The blob answers in Swift (Firmware.swift) and returns
// with HVC #0xFFFF, X0-X17 holding the results.
    .section .text.vectors, "ax"
    .balign 2048
    .global firmware_vectors
firmware_vectors:
    .rept 8
    .balign 128
    b       .                       // nothing else should arrive: Conduit stops the world first
    .endr
    .balign 128                     // + 0x400: a call
    sub     sp, sp, #160
    stp     x0, x1, [sp]
    stp     x2, x3, [sp, #16]
    stp     x4, x5, [sp, #32]
    stp     x6, x7, [sp, #48]
    stp     x8, x9, [sp, #64]
    stp     x10, x11, [sp, #80]
    stp     x12, x13, [sp, #96]
    stp     x14, x15, [sp, #112]
    stp     x16, x17, [sp, #128]
    mov     x0, sp
    bl      firmware_dispatch
    ldp     x0, x1, [sp]
    ldp     x2, x3, [sp, #16]
    ldp     x4, x5, [sp, #32]
    ldp     x6, x7, [sp, #48]
    ldp     x8, x9, [sp, #64]
    ldp     x10, x11, [sp, #80]
    ldp     x12, x13, [sp, #96]
    ldp     x14, x15, [sp, #112]
    ldp     x16, x17, [sp, #128]
    add     sp, sp, #160
    hvc     #0xffff                 // return to the caller
    b       .

    .text
// void firmware_call(uint64_t regs[4], int smc): a call the firmware itself makes.
    .global firmware_call
firmware_call:
    mov     x9, x0
    mov     w10, w1
    ldp     x0, x1, [x9]
    ldp     x2, x3, [x9, #16]
    cbnz    w10, 1f
    hvc     #0
    b       2f
1:  smc     #0
2:  stp     x0, x1, [x9]
    stp     x2, x3, [x9, #16]
    ret

// uint64_t read_physical(uint64_t address): for the deliberate-fault test function.
    .global read_physical
read_physical:
    ldr     x0, [x0]
    ret

    .global spin_forever
spin_forever:
    b       .
