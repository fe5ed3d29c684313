// Vector traits for x86-64-v3 (AVX2 + FMA, 8 float lanes) and AVX-512 (F, VL, BW, DQ; 16 lanes): the operations the
// lanes kernels (elman_lanes_kernels.inc) and the vector forms of fast_math.h (fast_math_vector.inc) are written over
// once, each one instruction with IEEE semantics per lane and identical in the two ISAs, so code written over them
// gives the same bits under either. Entry points: simd::Avx2, simd::Avx512 (the latter only for code compiled inside
// a matching `#pragma GCC target` region and run where the CPU has AVX-512: see UseAvx512 in elman_lanes.h).
#pragma once

#if defined(__AVX2__) && defined(__FMA__)
#include <immintrin.h>

#include <array>
#include <cstdint>

namespace flbench::simd {

// The vector traits that elman_lanes_kernels.inc and fast_math_vector.inc are written over. Each operation is one instruction with
// IEEE semantics per lane, identical in the two ISAs: _mm256_max_ps / _mm512_max_ps alike return the second operand
// when either is NaN, and Relu is z > 0 ? z : +0 in both (the AVX2 form ANDs with the compare mask).
struct Avx2 {
  using V = __m256;
  using I = __m256i;
  using M = __m256i;
  static constexpr int kW = 8;
  static constexpr std::array<int, 4> kProductTiles = {3, 4, 6, 8};  // rows per tile for 4, 3, 2, 1 lane blocks
  static constexpr int kDeltaHCols = 6;
  static constexpr int kDeltaHCols2 = 6;  // per shard with two shards side by side (one vector of rows: 12 + 3 registers)
  static V Load(const float* p) { return _mm256_loadu_ps(p); }
  static void Store(float* p, V v) { _mm256_storeu_ps(p, v); }
  static V Set1(float x) { return _mm256_set1_ps(x); }
  static V Bcast(const float* p) { return _mm256_broadcast_ss(p); }
  static V Zero() { return _mm256_setzero_ps(); }
  static V Fma(V a, V b, V c) { return _mm256_fmadd_ps(a, b, c); }
  static V Add(V a, V b) { return _mm256_add_ps(a, b); }
  static V Sub(V a, V b) { return _mm256_sub_ps(a, b); }
  static V Mul(V a, V b) { return _mm256_mul_ps(a, b); }
  static V Neg(V a) { return _mm256_xor_ps(a, _mm256_set1_ps(-0.0f)); }
  static V Div(V a, V b) { return _mm256_div_ps(a, b); }
  static V Min(V a, V b) { return _mm256_min_ps(a, b); }
  static V Max(V a, V b) { return _mm256_max_ps(a, b); }
  static V Pow2(V k) {  // 2^k for integral k ∈ [−126, 127] (k in float), by writing the exponent bits
    return _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_add_epi32(_mm256_cvttps_epi32(k), _mm256_set1_epi32(127)), 23));
  }
  static V Relu(V z) { return _mm256_and_ps(_mm256_cmp_ps(z, _mm256_setzero_ps(), _CMP_GT_OQ), z); }
  static V KeepWherePositive(V h, V g) { return _mm256_and_ps(_mm256_cmp_ps(h, _mm256_setzero_ps(), _CMP_GT_OQ), g); }
  // Whether *x == a, as all-ones or zero lanes; AddWhere: acc + (on ? g : +0), an AND, no branch (a branch on random
  // symbols mispredicts half the time).
  using Sel = __m256;
  static Sel SymbolIs(const int32_t* x, int a) {
    return _mm256_castsi256_ps(_mm256_cmpeq_epi32(_mm256_set1_epi32(*x), _mm256_set1_epi32(a)));
  }
  static V AddWhere(V acc, Sel on, V g) { return _mm256_add_ps(acc, _mm256_and_ps(on, g)); }
  static I LoadIdx(const int32_t* p) { return _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p)); }
  static V PermuteRow(const float* row8, I x) { return _mm256_permutevar8x32_ps(_mm256_loadu_ps(row8), x); }
  static V Gather(const float* base, I x, int stride) {
    return _mm256_i32gather_ps(base, _mm256_mullo_epi32(x, _mm256_set1_epi32(stride)), 4);
  }
  static M MaskFor(int rows) {  // lanes [0, rows) on
    return _mm256_cmpgt_epi32(_mm256_set1_epi32(rows), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
  }
  static V MaskLoad(const float* p, M m) { return _mm256_maskload_ps(p, m); }
  static void MaskStore(float* p, M m, V v) { _mm256_maskstore_ps(p, m, v); }
};

// AVX-512: 16 lanes and 32 registers, the same operations.
#pragma GCC push_options
#pragma GCC target("avx512f,avx512vl,avx512bw,avx512dq")
// GCC 12's AVX-512 intrinsics pass _mm512_undefined_ps() to their builtins: false "(may be) used uninitialized".
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#pragma GCC diagnostic ignored "-Wuninitialized"
struct Avx512 {
  using V = __m512;
  using I = __m512i;
  using M = __mmask16;
  static constexpr int kW = 16;
  static constexpr std::array<int, 4> kProductTiles = {6, 8, 12, 16};
  static constexpr int kDeltaHCols = 12;
  static constexpr int kDeltaHCols2 = 12;  // 24 accumulators + 2 δ + 1 broadcast of 32 registers
  static V Load(const float* p) { return _mm512_loadu_ps(p); }
  static void Store(float* p, V v) { _mm512_storeu_ps(p, v); }
  static V Set1(float x) { return _mm512_set1_ps(x); }
  static V Bcast(const float* p) { return _mm512_set1_ps(*p); }
  static V Zero() { return _mm512_setzero_ps(); }
  static V Fma(V a, V b, V c) { return _mm512_fmadd_ps(a, b, c); }
  static V Add(V a, V b) { return _mm512_add_ps(a, b); }
  static V Sub(V a, V b) { return _mm512_sub_ps(a, b); }
  static V Mul(V a, V b) { return _mm512_mul_ps(a, b); }
  static V Neg(V a) { return _mm512_xor_ps(a, _mm512_set1_ps(-0.0f)); }
  static V Div(V a, V b) { return _mm512_div_ps(a, b); }
  static V Min(V a, V b) { return _mm512_min_ps(a, b); }
  static V Max(V a, V b) { return _mm512_max_ps(a, b); }
  static V Pow2(V k) {
    return _mm512_castsi512_ps(_mm512_slli_epi32(_mm512_add_epi32(_mm512_cvttps_epi32(k), _mm512_set1_epi32(127)), 23));
  }
  static V Relu(V z) { return _mm512_maskz_mov_ps(_mm512_cmp_ps_mask(z, _mm512_setzero_ps(), _CMP_GT_OQ), z); }
  static V KeepWherePositive(V h, V g) {
    return _mm512_maskz_mov_ps(_mm512_cmp_ps_mask(h, _mm512_setzero_ps(), _CMP_GT_OQ), g);
  }
  // on ? acc + g : acc (a masked add, no branch): the same as AVX2's acc + (+0) where acc is not −0, which is how
  // it is used (sums from +0: see DeltaHGather2).
  using Sel = __mmask16;
  static Sel SymbolIs(const int32_t* x, int a) { return _mm512_cmpeq_epi32_mask(_mm512_set1_epi32(*x), _mm512_set1_epi32(a)); }
  static V AddWhere(V acc, Sel on, V g) { return _mm512_mask_add_ps(acc, on, acc, g); }
  static I LoadIdx(const int32_t* p) { return _mm512_loadu_si512(p); }
  static V PermuteRow(const float* row8, I x) {  // x < d ≤ 8: only the low 8 lanes of the table are read
    return _mm512_permutexvar_ps(x, _mm512_maskz_loadu_ps(M(0x00FF), row8));
  }
  static V Gather(const float* base, I x, int stride) {
    return _mm512_mask_i32gather_ps(_mm512_setzero_ps(), M(0xFFFF), _mm512_mullo_epi32(x, _mm512_set1_epi32(stride)), base, 4);
  }
  static M MaskFor(int rows) { return rows >= 16 ? M(0xFFFF) : rows <= 0 ? M(0) : M((1u << rows) - 1); }
  static V MaskLoad(const float* p, M m) { return _mm512_maskz_loadu_ps(m, p); }
  static void MaskStore(float* p, M m, V v) { _mm512_mask_storeu_ps(p, m, v); }
};
#pragma GCC diagnostic pop
#pragma GCC pop_options

}  // namespace flbench::simd

#endif
