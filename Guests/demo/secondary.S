// Where PSCI CPU_ON starts the secondary CPUs: X0 is the context ID, here the CPU's index.
// Each gets a 16 KiB stack below the primary's, then runs secondary_main(index).
    .text
    .global secondary_entry
secondary_entry:
    ldr     x1, =__stack_top
    add     x2, x0, #1
    lsl     x2, x2, #14
    sub     x1, x1, x2
    sub     x1, x1, #0x10000
    mov     sp, x1
    adr     x1, vectors_for_secondaries
    msr     vbar_el1, x1
    isb
    bl      secondary_main
1:  wfi
    b       1b

    .balign 2048
vectors_for_secondaries:
    .rept 16
    .balign 128
    b       .
    .endr
