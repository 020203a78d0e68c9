// Mixed integer workload with the MMU and caches on: sorting, CRC-32 and hashing over RAM, the
// kind of code a kernel runs between firmware calls. Prints one checksum per kernel, so runs on
// Conduit and QEMU can be compared line for line.
#include "../common/guest.h"

#define COUNT 65536
#ifndef ROUNDS
#define ROUNDS 6  // scripts/build-guests.sh builds bench-mixed-long with 60
#endif

static uint32_t values[COUNT];
static uint8_t bytes[COUNT * 4];
static uint32_t crc_table[256];

static uint64_t state = 0x2545F4914F6CDD1Dull;

static uint64_t next_random(void) {
    // xorshift64*: fast and identical on every machine.
    state ^= state >> 12;
    state ^= state << 25;
    state ^= state >> 27;
    return state * 0x2545F4914F6CDD1Dull;
}

static void quicksort(uint32_t *a, long lo, long hi) {
    while (lo < hi) {
        uint32_t pivot = a[(lo + hi) / 2];
        long i = lo, j = hi;
        while (i <= j) {
            while (a[i] < pivot) i++;
            while (a[j] > pivot) j--;
            if (i <= j) {
                uint32_t t = a[i];
                a[i] = a[j];
                a[j] = t;
                i++;
                j--;
            }
        }
        // Recurse into the smaller half, loop on the larger: bounded stack.
        if (j - lo < hi - i) {
            quicksort(a, lo, j);
            lo = i;
        } else {
            quicksort(a, i, hi);
            hi = j;
        }
    }
}

static void crc_init(void) {
    for (uint32_t n = 0; n < 256; n++) {
        uint32_t c = n;
        for (int k = 0; k < 8; k++) c = c & 1 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
        crc_table[n] = c;
    }
}

static uint32_t crc32(const uint8_t *p, size_t length) {
    uint32_t c = 0xFFFFFFFFu;
    for (size_t n = 0; n < length; n++) c = crc_table[(c ^ p[n]) & 0xFF] ^ (c >> 8);
    return c ^ 0xFFFFFFFFu;
}

static uint64_t fnv1a(const uint8_t *p, size_t length) {
    uint64_t h = 0xcbf29ce484222325ull;
    for (size_t n = 0; n < length; n++) {
        h ^= p[n];
        h *= 0x100000001b3ull;
    }
    return h;
}

// A small open-addressing hash table: insert and look up every value.
#define TABLE_SIZE (COUNT * 2)
static uint32_t table_keys[TABLE_SIZE];

static uint64_t hash_table_pass(void) {
    for (int n = 0; n < TABLE_SIZE; n++) table_keys[n] = 0;
    uint64_t probes = 0;
    for (int n = 0; n < COUNT; n++) {
        uint32_t key = values[n] | 1;
        uint32_t slot = (key * 2654435761u) & (TABLE_SIZE - 1);
        while (table_keys[slot] != 0 && table_keys[slot] != key) {
            slot = (slot + 1) & (TABLE_SIZE - 1);
            probes++;
        }
        table_keys[slot] = key;
    }
    return probes;
}

int main(void) {
    enable_mmu();
    crc_init();
    uint64_t sorted = 0, crc = 0, hash = 0, probes = 0;
    for (int round = 0; round < ROUNDS; round++) {
        for (int n = 0; n < COUNT; n++) values[n] = (uint32_t)next_random();
        quicksort(values, 0, COUNT - 1);
        for (int n = 0; n < COUNT; n += 97) sorted += values[n];
        for (int n = 0; n < COUNT * 4; n++) bytes[n] = (uint8_t)(values[n / 4] >> ((n & 3) * 8));
        crc ^= crc32(bytes, sizeof bytes);
        hash ^= fnv1a(bytes, sizeof bytes);
        probes += hash_table_pass();
    }
    puts_uart("mixed: sort ");
    put_hex(sorted);
    puts_uart(" crc ");
    put_hex(crc);
    puts_uart(" fnv ");
    put_hex(hash);
    puts_uart(" probes ");
    put_dec(probes);
    puts_uart("\n");
    return 0;
}
