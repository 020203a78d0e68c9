// Where PSCI CPU_ON starts the secondary CPUs: X0 is the context ID, here the CPU's index.
// Each gets its 16 KiB stack from guest.ld's secondary stacks, then runs secondary_main(index).
    .text
    .global secondary_entry
secondary_entry:
    ldr     x1, =__secondary_stacks_top
    and     x2, x0, #0x3f             // the CPU's index, from the context ID
    lsl     x2, x2, #14               // 16 KiB each (guest.ld)
    sub     x1, x1, x2
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
