// SMCCC calls from bare-metal guests, through the conduit the device tree names.
#pragma once
#include <stdint.h>

struct smccc_result { uint64_t x0, x1, x2, x3; };

static inline struct smccc_result smccc_hvc(uint64_t x0, uint64_t x1, uint64_t x2, uint64_t x3) {
    register uint64_t r0 __asm__("x0") = x0, r1 __asm__("x1") = x1, r2 __asm__("x2") = x2, r3 __asm__("x3") = x3;
    __asm__ volatile("hvc #0" : "+r"(r0), "+r"(r1), "+r"(r2), "+r"(r3) : : "memory");
    return (struct smccc_result){r0, r1, r2, r3};
}

static inline struct smccc_result smccc_smc(uint64_t x0, uint64_t x1, uint64_t x2, uint64_t x3) {
    register uint64_t r0 __asm__("x0") = x0, r1 __asm__("x1") = x1, r2 __asm__("x2") = x2, r3 __asm__("x3") = x3;
    __asm__ volatile("smc #0" : "+r"(r0), "+r"(r1), "+r"(r2), "+r"(r3) : : "memory");
    return (struct smccc_result){r0, r1, r2, r3};
}

// The conduit to use: set from the device tree's /psci method before any call.
extern int smccc_use_smc;

static inline struct smccc_result smccc_call(uint64_t x0, uint64_t x1, uint64_t x2, uint64_t x3) {
    return smccc_use_smc ? smccc_smc(x0, x1, x2, x3) : smccc_hvc(x0, x1, x2, x3);
}

#define PSCI_VERSION 0x84000000u
#define PSCI_CPU_OFF 0x84000002u
#define PSCI_CPU_ON_64 0xC4000003u
#define PSCI_AFFINITY_INFO_64 0xC4000004u
#define PSCI_SYSTEM_OFF 0x84000008u
#define PSCI_FEATURES 0x8400000Au
#define SMCCC_VERSION 0x80000000u
#define TRNG_RND64 0xC4000053u
