// The C library routines every bare-metal guest (and the firmware blob) needs, once:
// what clang emits for struct copies and initialisers, and what Embedded Swift's runtime links
// against. The image's linker script provides __heap_start.
    .text

// void *memset(void *destination, int value, size_t count)
    .global memset
memset:
    mov     x3, x0
1:  cbz     x2, 2f
    strb    w1, [x3], #1
    sub     x2, x2, #1
    b       1b
2:  ret

// void *memcpy(void *, const void *, size_t), void *memmove(...): one routine, copying
// backwards when the destination is above the source, so overlapping moves are right.
    .global memcpy
    .global memmove
memcpy:
memmove:
    cmp     x0, x1
    b.hi    3f
    mov     x3, x0
1:  cbz     x2, 2f
    ldrb    w4, [x1], #1
    strb    w4, [x3], #1
    sub     x2, x2, #1
    b       1b
2:  ret
3:  add     x1, x1, x2
    add     x3, x0, x2
4:  cbz     x2, 2b
    ldrb    w4, [x1, #-1]!
    strb    w4, [x3, #-1]!
    sub     x2, x2, #1
    b       4b

// size_t strlen(const char *)
    .global strlen
strlen:
    mov     x1, x0
1:  ldrb    w2, [x1], #1
    cbnz    w2, 1b
    sub     x0, x1, x0
    sub     x0, x0, #1
    ret

// int posix_memalign(void **result, size_t alignment, size_t size): a bump allocator over the
// memory from __heap_start; free does nothing (guests and the blob never give memory back).
    .global posix_memalign
posix_memalign:
    adr     x3, heap_next
    ldr     x4, [x3]
    cbnz    x4, 1f
    ldr     x4, =__heap_start
1:  sub     x5, x1, #1
    add     x4, x4, x5
    bic     x4, x4, x5
    str     x4, [x0]
    add     x4, x4, x2
    str     x4, [x3]
    mov     w0, #0
    ret
    .global free
free:
    ret

// void arc4random_buf(void *, size_t): Embedded Swift's hashing seed. A guest has no entropy
// source of its own, so the seed is fixed (and runs are reproducible).
    .global arc4random_buf
arc4random_buf:
    cbz     x1, 2f
    mov     w2, #0x5a
1:  strb    w2, [x0], #1
    subs    x1, x1, #1
    b.ne    1b
2:  ret

    .data
    .balign 8
heap_next: .quad 0
