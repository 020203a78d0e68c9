// The MMU set-up every guest shares (the demo, the benchmarks, the conformance suite).
    .text
// void enable_mmu(void): identity map of the first 2 GiB with 1 GiB blocks (Device below 1 GiB,
// Normal write-back above), 39-bit VA, MMU and caches on. The table is shared by every CPU.
    .global enable_mmu
enable_mmu:
    adr     x0, level1_table
    mov     x1, #0x0401                // block at 0: valid, AttrIndx 0 (Device), AF
    orr     x1, x1, #(3 << 53)         // PXN, UXN
    str     x1, [x0]
    mov     x1, #0x40000000
    movk    x1, #0x0705                // block at 1 GiB: valid, AttrIndx 1 (Normal), SH inner, AF
    str     x1, [x0, #8]
    dsb     ish
    mov     x1, #0xff00                // MAIR: attr0 Device-nGnRnE, attr1 Normal WB
    msr     mair_el1, x1
    mov     x1, #25                    // T0SZ = 25
    orr     x1, x1, #(1 << 8)          // IRGN0 write-back
    orr     x1, x1, #(1 << 10)         // ORGN0 write-back
    orr     x1, x1, #(3 << 12)         // SH0 inner shareable
    orr     x1, x1, #(1 << 23)         // EPD1
    orr     x1, x1, #(2 << 32)         // IPS 40 bits
    msr     tcr_el1, x1
    msr     ttbr0_el1, x0
    isb
    tlbi    vmalle1
    dsb     nsh
    isb
    mrs     x1, sctlr_el1
    orr     x1, x1, #1                 // M
    orr     x1, x1, #(1 << 2)          // C
    orr     x1, x1, #(1 << 12)         // I
    msr     sctlr_el1, x1
    isb
    ret

    .bss
    .balign 4096
level1_table: .skip 4096
