// See include/CMatrixTiles.h. The product runs on 8 tile registers: four accumulators of
// 16 × 16 fp32 (a 32 × 32 block of the output), two tiles of the input (16 rows × 32 bf16
// each) and two of the weights (16 pairs of k × 16 outputs × 2), so that each tile loaded
// feeds two TDPBF16PS. The weights are packed once, at load, in the order the loop reads them.
#include "CMatrixTiles.h"

#include <stdlib.h>
#include <string.h>

#if defined(__x86_64__) && defined(__linux__)
#include <cpuid.h>
#include <immintrin.h>
#include <sys/syscall.h>
#include <unistd.h>

#define LORE_ARCH_REQ_XCOMP_PERM 0x1023
#define LORE_XFEATURE_XTILEDATA 18

static int lore_tiles_state = -1;

int lore_tiles_available(void) {
    int state = __atomic_load_n(&lore_tiles_state, __ATOMIC_ACQUIRE);
    if (state >= 0) return state;
    unsigned a = 0, b = 0, c = 0, d = 0;
    int ok = 0;
    if (__get_cpuid_count(7, 0, &a, &b, &c, &d)) {
        int amxBF16 = (d >> 22) & 1, amxTile = (d >> 24) & 1, avx512BW = (b >> 30) & 1;
        // AVX512_BF16 rounds the inputs (leaf 7, subleaf 1); every CPU with AMX-BF16 has it so far.
        unsigned a1 = 0, b1 = 0, c1 = 0, d1 = 0;
        int avx512BF16 = __get_cpuid_count(7, 1, &a1, &b1, &c1, &d1) && ((a1 >> 5) & 1);
        // The tile data is off until the process asks for it (Linux 5.16 and later).
        if (amxBF16 && amxTile && avx512BW && avx512BF16 &&
            syscall(SYS_arch_prctl, LORE_ARCH_REQ_XCOMP_PERM, LORE_XFEATURE_XTILEDATA) == 0)
            ok = 1;
    }
    __atomic_store_n(&lore_tiles_state, ok, __ATOMIC_RELEASE);
    return ok;
}

/// fp32 to bf16, rounded to nearest with ties to even (the inputs are finite).
static inline uint16_t lore_bf16(float f) {
    uint32_t u;
    memcpy(&u, &f, 4);
    u += 0x7FFF + ((u >> 16) & 1);
    return (uint16_t)(u >> 16);
}

size_t lore_tiles_packed_count(int n, int k) { return (size_t)n * (size_t)k; }

// Tile (nb, kb) holds outputs nb*16 ..< nb*16+16 and depths kb*32 ..< kb*32+32 as 16 rows of
// 64 bytes: row kk holds, for each of the 16 outputs, the pair w[o][kb*32+2kk], w[o][kb*32+2kk+1].
void lore_tiles_pack(const float *w, int n, int k, uint16_t *packed) {
    uint16_t *t = packed;
    for (int nb = 0; nb < n / 16; nb++)
        for (int kb = 0; kb < k / 32; kb++)
            for (int kk = 0; kk < 16; kk++)
                for (int o = 0; o < 16; o++)
                    for (int p = 0; p < 2; p++) *t++ = lore_bf16(w[(size_t)(nb * 16 + o) * k + kb * 32 + kk * 2 + p]);
}

typedef struct {
    uint8_t palette, startRow;
    uint8_t reserved[14];
    uint16_t colsb[16];
    uint8_t rows[16];
} LoreTileConfig;

/// c[32 × n] (row stride ldc) += a[32 × k] (bf16, row stride k) · wᵀ.
__attribute__((target("amx-tile,amx-bf16")))
static void lore_tiles_block(int n, int k, const uint16_t *a, const uint16_t *packed, float *c, int ldc) {
    size_t lda = (size_t)k * 2, stride = (size_t)ldc * 4;
    int depth = k / 32;
    for (int nb = 0; nb < n / 16; nb += 2) {
        float *c0 = c + nb * 16;
        _tile_loadd(0, c0, stride);
        _tile_loadd(1, c0 + 16, stride);
        _tile_loadd(2, c0 + (size_t)16 * ldc, stride);
        _tile_loadd(3, c0 + (size_t)16 * ldc + 16, stride);
        const uint16_t *w0 = packed + (size_t)nb * depth * 512, *w1 = w0 + (size_t)depth * 512;
        for (int kb = 0; kb < depth; kb++) {
            _tile_loadd(4, a + kb * 32, lda);
            _tile_loadd(5, a + (size_t)16 * k + kb * 32, lda);
            _tile_loadd(6, w0 + (size_t)kb * 512, 64);
            _tile_loadd(7, w1 + (size_t)kb * 512, 64);
            _tile_dpbf16ps(0, 4, 6);
            _tile_dpbf16ps(1, 4, 7);
            _tile_dpbf16ps(2, 5, 6);
            _tile_dpbf16ps(3, 5, 7);
        }
        _tile_stored(0, c0, stride);
        _tile_stored(1, c0 + 16, stride);
        _tile_stored(2, c0 + (size_t)16 * ldc, stride);
        _tile_stored(3, c0 + (size_t)16 * ldc + 16, stride);
    }
}

/// Rows of x to bf16, 16 at a time with VCVTNEPS2BF16 (to nearest, ties to even, as
/// lore_bf16; denormal inputs become zero).
__attribute__((target("avx512f,avx512bw,avx512vl,avx512bf16")))
static void lore_tiles_round(int m, int k, const float *x, int ldx, uint16_t *a) {
    for (int i = 0; i < m; i++) {
        const float *row = x + (size_t)i * ldx;
        uint16_t *dst = a + (size_t)i * k;
        int t = 0;
        for (; t + 16 <= k; t += 16) {
            __m256bh v = _mm512_cvtneps_pbh(_mm512_loadu_ps(row + t));
            _mm256_storeu_si256((__m256i *)(dst + t), (__m256i)v);
        }
        for (; t < k; t++) dst[t] = lore_bf16(row[t]);
    }
}

__attribute__((target("amx-tile,amx-bf16,avx512f,avx512bw,avx512vl,avx512bf16")))
int lore_tiles_linear(int m, int n, int k, const float *x, int ldx, const uint16_t *packed, float *out, int ldo) {
    if (m <= 0) return 0;
    int padded = (m + 31) / 32 * 32, full = m / 32 * 32, rest = m - full;
    // The bf16 copy of x (rows past m are zero), then 32 rows of output for the last, partial block.
    size_t aBytes = (size_t)padded * k * 2, cBytes = rest ? (size_t)32 * n * 4 : 0;
    uint16_t *a = aligned_alloc(64, (aBytes + cBytes + 63) / 64 * 64);
    if (!a) return -1;
    lore_tiles_round(m, k, x, ldx, a);
    memset(a + (size_t)m * k, 0, (size_t)(padded - m) * k * 2);
    LoreTileConfig config;
    memset(&config, 0, sizeof config);
    config.palette = 1;
    for (int t = 0; t < 8; t++) {
        config.rows[t] = 16;
        config.colsb[t] = 64;
    }
    _tile_loadconfig(&config);
    for (int i = 0; i < full; i += 32) lore_tiles_block(n, k, a + (size_t)i * k, packed, out + (size_t)i * ldo, ldo);
    if (rest) {
        float *c = (float *)((char *)a + aBytes);
        for (int i = 0; i < 32; i++) {
            if (i < rest) memcpy(c + (size_t)i * n, out + (size_t)(full + i) * ldo, (size_t)n * 4);
            else memset(c + (size_t)i * n, 0, (size_t)n * 4);
        }
        lore_tiles_block(n, k, a + (size_t)full * k, packed, c, n);
        for (int i = 0; i < rest; i++) memcpy(out + (size_t)(full + i) * ldo, c + (size_t)i * n, (size_t)n * 4);
    }
    _tile_release();
    free(a);
    return 0;
}

#else

int lore_tiles_available(void) { return 0; }
size_t lore_tiles_packed_count(int n, int k) { return (size_t)n * (size_t)k; }
void lore_tiles_pack(const float *w, int n, int k, uint16_t *packed) {
    (void)w; (void)n; (void)k; (void)packed;
}
int lore_tiles_linear(int m, int n, int k, const float *x, int ldx, const uint16_t *packed, float *out, int ldo) {
    (void)m; (void)n; (void)k; (void)x; (void)ldx; (void)packed; (void)out; (void)ldo;
    return -1;
}

#endif
