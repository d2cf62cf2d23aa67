// The encoder's linear layers in bf16 on Intel AMX tiles (TDPBF16PS: bf16 products summed
// in fp32), for CPUs that have them (Sapphire Rapids and later). Swift has no AMX
// intrinsics, so this one kernel is C; LoreEmbed calls it only where
// lore_tiles_available() says the CPU and the kernel allow it, and keeps its fp32 path
// on BLAS everywhere else.
#ifndef LORE_MATRIX_TILES_H
#define LORE_MATRIX_TILES_H
#include <stddef.h>
#include <stdint.h>

/// 1 when the CPU has AMX-TILE and AMX-BF16 and the kernel granted this process the tile
/// state (arch_prctl ARCH_REQ_XCOMP_PERM); 0 otherwise. The first call asks; later calls
/// return the answer.
int lore_tiles_available(void);

/// The number of bf16 values `lore_tiles_pack` writes for an [n × k] weight matrix.
size_t lore_tiles_packed_count(int n, int k);

/// Rounds `w` ([n × k], row-major: one row per output, PyTorch's layout) to bf16 (to nearest,
/// ties to even) and lays it out as the tiles the product reads. n and k must be multiples of 32.
void lore_tiles_pack(const float *w, int n, int k, uint16_t *packed);

/// out[m × n] (row stride ldo) += x[m × k] (row stride ldx) · wᵀ, with w packed by
/// lore_tiles_pack. x is rounded to bf16 row by row; products are summed in fp32. Each
/// output row depends on its own input row alone (not on m, nor on the other rows).
/// Returns 0, or -1 when its scratch memory could not be allocated (out is then unchanged).
int lore_tiles_linear(int m, int n, int k, const float *x, int ldx, const uint16_t *packed, float *out, int ldo);

#endif
