// Shared helpers for bare-metal guests on the virt board: the PL011 console and PSCI.
#pragma once
#include <stdint.h>
#include <stddef.h>

#define UART_DR ((volatile uint32_t *)0x09000000)
#define UART_FR ((volatile uint32_t *)0x09000018)

void putc_uart(char c);
void puts_uart(const char *s);
void put_hex(uint64_t value);
void put_dec(uint64_t value);
// "<label><value in hex>\n": the result line of a benchmark guest.
void put_result(const char *label, uint64_t value);
void system_off(void) __attribute__((noreturn));

// An SMCCC call through HVC: x0-x3 in, x0 out.
static inline uint64_t hvc_call(uint64_t x0, uint64_t x1, uint64_t x2, uint64_t x3) {
    register uint64_t r0 __asm__("x0") = x0;
    register uint64_t r1 __asm__("x1") = x1;
    register uint64_t r2 __asm__("x2") = x2;
    register uint64_t r3 __asm__("x3") = x3;
    __asm__ volatile("hvc #0" : "+r"(r0), "+r"(r1), "+r"(r2), "+r"(r3) : : "memory");
    return r0;
}

// Identity-maps the first 2 GiB (devices below 1 GiB, RAM above, write-back cacheable) with
// 1 GiB blocks and turns the MMU and caches on (common/mmu.S).
void enable_mmu(void);
