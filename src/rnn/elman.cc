// The Elman RNN's forward pass, its losses and its backward pass (BPTT), side by side; see elman.h for the
// recurrence. Every product goes through rnn/gemm.h (one fixed summation order: the same bits on every CPU and
// BLAS); sums are plain loops in the order written. No BLAS call feeds a result.
#include "rnn/elman.h"

#include <cmath>
#include <type_traits>
#include <vector>

#if defined(__SSE__)
#include <xmmintrin.h>
#endif
#if defined(__AVX2__)
#include <immintrin.h>
#endif

#include "rnn/elman_lanes.h"
#include "rnn/fast_math.h"
#include "rnn/gemm.h"
#include "rnn/simd_loop.h"
#include "util/error.h"

namespace flbench {
namespace {

#if defined(__AVX2__)
#pragma GCC push_options
#pragma GCC target("avx512f,avx512vl,avx512bw,avx512dq")
// GCC 12's AVX-512 intrinsics pass _mm512_undefined_ps() to their builtins: false "(may be) used uninitialized".
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#pragma GCC diagnostic ignored "-Wuninitialized"
// BinaryCrossEntropy's (below) whole blocks of 16 on a CPU with AVX-512: the operations of its AVX2 loop, 16 lanes at
// a time, element i + k of a block still added into double lane k. Returns the elements done (a multiple of 16).
size_t CrossEntropyBlocks512(const float* __restrict y, const float* __restrict target, float scale,
                             float* __restrict dy, size_t n, double* lane) {
  __m512d acc[2] = {_mm512_setzero_pd(), _mm512_setzero_pd()};
  const __m512 zero = _mm512_setzero_ps(), one_f = _mm512_set1_ps(1.0f), vscale = _mm512_set1_ps(scale);
  size_t i = 0;
  for (; i + 16 <= n; i += 16) {
    const __m512 yv = _mm512_loadu_ps(y + i), t = _mm512_loadu_ps(target + i);
    const __m512 minus_y = _mm512_xor_ps(yv, _mm512_set1_ps(-0.0f));
    const __m512 neg_abs = _mm512_mask_blend_ps(_mm512_cmp_ps_mask(yv, zero, _CMP_LT_OQ), minus_y, yv);
    const __m512 e = FastExp16(neg_abs);
    const __m512 inv = _mm512_div_ps(one_f, _mm512_add_ps(one_f, e));
    const __m512 sigma = _mm512_mask_blend_ps(_mm512_cmp_ps_mask(yv, zero, _CMP_GE_OQ), _mm512_mul_ps(e, inv), inv);
    _mm512_storeu_ps(dy + i, _mm512_mul_ps(vscale, _mm512_sub_ps(sigma, t)));
    const __m512 pos = _mm512_mask_blend_ps(_mm512_cmp_ps_mask(yv, zero, _CMP_GT_OQ), zero, yv);
    const __m512 term = _mm512_add_ps(_mm512_sub_ps(pos, _mm512_mul_ps(yv, t)), FastLog1p16(e));
    acc[0] = _mm512_add_pd(acc[0], _mm512_cvtps_pd(_mm512_castps512_ps256(term)));
    acc[1] = _mm512_add_pd(acc[1], _mm512_cvtps_pd(_mm512_extractf32x8_ps(term, 1)));
  }
  _mm512_storeu_pd(lane, acc[0]);
  _mm512_storeu_pd(lane + 8, acc[1]);
  return i;
}
#pragma GCC diagnostic pop
#pragma GCC pop_options
#endif

// The binary cross-entropy of n logits against 0/1 targets, BCE(σ(y), t) = max(y, 0) − y·t + log(1 + e^−|y|),
// and scale times its gradient, dy = scale·(σ(y) − t). Returns Σ BCE. float: vectorised fast math (fast_math.h),
// summed in kLanes double lanes so the loop vectorises without reordering a single sum (the lanes are added in a
// fixed order at the end: deterministic); double: libm, exact for gradient checks.
[[gnu::noinline]] double BinaryCrossEntropy(const float* __restrict y, const float* __restrict target, float scale,
                                            float* __restrict dy, size_t n) {
  constexpr size_t kLanes = 16;
  double lane[kLanes] = {};
  auto one = [&](size_t i, size_t k) {
    const float e = FastExp(y[i] < 0 ? y[i] : -y[i]);  // e^−|y|
    const float inv = 1.0f / (1.0f + e);
    const float sigma = y[i] >= 0 ? inv : e * inv;
    dy[i] = scale * (sigma - target[i]);
    lane[k] += double((y[i] > 0 ? y[i] : 0.0f) - y[i] * target[i] + FastLog1p(e));
  };
  size_t i = 0;
#if defined(__AVX2__)
  // The same operations 16 at a time where the CPU has AVX-512 (CrossEntropyBlocks512), else 8 at a time
  // (FastExp8/FastLog1p8 give the scalar bits) with the 16 double lanes as 4 registers.
  if (UseAvx512()) {
    i = CrossEntropyBlocks512(y, target, scale, dy, n, lane);
  } else {
    __m256d acc[4] = {_mm256_setzero_pd(), _mm256_setzero_pd(), _mm256_setzero_pd(), _mm256_setzero_pd()};
    const __m256 zero = _mm256_setzero_ps(), one_f = _mm256_set1_ps(1.0f), vscale = _mm256_set1_ps(scale);
    for (; i + kLanes <= n; i += kLanes) {
      for (size_t h = 0; h < 2; ++h) {
        const __m256 yv = _mm256_loadu_ps(y + i + 8 * h), t = _mm256_loadu_ps(target + i + 8 * h);
        const __m256 minus_y = _mm256_xor_ps(yv, _mm256_set1_ps(-0.0f));  // −y exactly (also −0 for +0)
        const __m256 neg_abs = _mm256_blendv_ps(minus_y, yv, _mm256_cmp_ps(yv, zero, _CMP_LT_OQ));
        const __m256 e = FastExp8(neg_abs);
        const __m256 inv = _mm256_div_ps(one_f, _mm256_add_ps(one_f, e));
        const __m256 sigma = _mm256_blendv_ps(_mm256_mul_ps(e, inv), inv, _mm256_cmp_ps(yv, zero, _CMP_GE_OQ));
        _mm256_storeu_ps(dy + i + 8 * h, _mm256_mul_ps(vscale, _mm256_sub_ps(sigma, t)));
        const __m256 pos = _mm256_blendv_ps(zero, yv, _mm256_cmp_ps(yv, zero, _CMP_GT_OQ));
        const __m256 term = _mm256_add_ps(_mm256_sub_ps(pos, _mm256_mul_ps(yv, t)), FastLog1p8(e));
        acc[2 * h] = _mm256_add_pd(acc[2 * h], _mm256_cvtps_pd(_mm256_castps256_ps128(term)));
        acc[2 * h + 1] = _mm256_add_pd(acc[2 * h + 1], _mm256_cvtps_pd(_mm256_extractf128_ps(term, 1)));
      }
    }
    for (int r = 0; r < 4; ++r) _mm256_storeu_pd(lane + 4 * r, acc[r]);
  }
#else
  for (; i + kLanes <= n; i += kLanes)
    for (size_t k = 0; k < kLanes; ++k) one(i + k, k);
#endif
  for (; i < n; ++i) one(i, 0);
  double sum = 0;
  for (double l : lane) sum += l;
  return sum;
}
double BinaryCrossEntropy(const double* y, const double* target, double scale, double* dy, size_t n) {
  double sum = 0;
  for (size_t i = 0; i < n; ++i) {
    const double e = std::exp(-std::fabs(y[i]));
    const double sigma = y[i] >= 0 ? 1.0 / (1.0 + e) : e / (1.0 + e);
    dy[i] = scale * (sigma - target[i]);
    sum += (y[i] > 0 ? y[i] : 0.0) - y[i] * target[i] + std::log1p(e);
  }
  return sum;
}

// H[:, j] += UB[:, symbols[j]] for the n columns of one step (m rows each): the one-hot input's U x_t + b. One
// call per step, not per column (at small widths the calls cost more than the adds).
template <typename Real>
[[gnu::noinline]] void AddInputs(Real* __restrict H, const Real* __restrict UB, const int* __restrict symbols, int m,
                                 int n) {
  for (int j = 0; j < n; ++j) {
    Real* h = H + size_t(j) * m;
    const Real* ub = UB + size_t(symbols[j]) * m;
    ForEachIndex(m, [&](size_t i) { h[i] += ub[i]; });
  }
}

// dU[:, symbols[j]] += D[:, j] for the n columns of one step: ∂U gathers δ_t by input symbol.
template <typename Real>
[[gnu::noinline]] void GatherBySymbol(Real* __restrict dU, const Real* __restrict D, const int* __restrict symbols,
                                      int m, int n) {
  for (int j = 0; j < n; ++j) {
    Real* du = dU + size_t(symbols[j]) * m;
    const Real* dz = D + size_t(j) * m;
    ForEachIndex(m, [&](size_t i) { du[i] += dz[i]; });
  }
}

// target[k] = bit a of masks[k] as 0 or 1, for the k < n outputs of one output unit (next-symbol targets).
template <typename Real>
[[gnu::noinline]] void TargetBits(const uint32_t* __restrict masks, int a, Real* __restrict target, size_t n) {
  ForEachIndex(n, [&](size_t k) { target[k] = Real((masks[k] >> a) & 1u); });
}

// wrong[k] |= 1 where the thresholded output (y > 0, i.e. σ(y) > 0.5) differs from the 0/1 target.
template <typename Real>
[[gnu::noinline]] void MarkWrong(const Real* __restrict y, const Real* __restrict target, uint32_t* __restrict wrong,
                                 size_t n) {
  ForEachIndex(n, [&](size_t k) { wrong[k] |= uint32_t(y[k] > 0) ^ uint32_t(target[k] > Real(0.5)); });
}

// Grows v to at least n elements, never shrinks it: scratch keeps its largest size, so a short shard after a long one
// zero-fills nothing (std::vector::resize value-initialises every element it adds back; perf saw those memsets).
template <typename T>
void AtLeast(std::vector<T>& v, size_t n) {
  if (v.size() < n) v.resize(n);
}

// out[q] += Σ_r y[q·ld + r] for the k ≤ 4 columns q of y, r = 0 … rows−1 in order: each sum its own chain in row
// order, the k chains advancing side by side (one after another, each add waits on the last: ∂c over a next-symbol
// shard's rows was 3.7% of a Table 1 cell in perf).
// (Four named sums, not an array: GCC 12 packed an array's sums into a vector kept on the stack, a store and reload
// per row.)
template <int K, typename Real>
void SumColumnsK(const Real* y, size_t ld, int rows, Real* out) {
  Real s0 = 0, s1 = 0, s2 = 0, s3 = 0;
  const Real *y0 = y, *y1 = y + ld, *y2 = y + 2 * ld, *y3 = y + 3 * ld;
  for (int r = 0; r < rows; ++r) {
    s0 += y0[r];
    if constexpr (K > 1) s1 += y1[r];
    if constexpr (K > 2) s2 += y2[r];
    if constexpr (K > 3) s3 += y3[r];
  }
  out[0] += s0;
  if constexpr (K > 1) out[1] += s1;
  if constexpr (K > 2) out[2] += s2;
  if constexpr (K > 3) out[3] += s3;
}
template <typename Real>
void SumColumns(const Real* y, size_t ld, int rows, int k, Real* out) {
  switch (k) {
    case 1: return SumColumnsK<1>(y, ld, rows, out);
    case 2: return SumColumnsK<2>(y, ld, rows, out);
    case 3: return SumColumnsK<3>(y, ld, rows, out);
    default: return SumColumnsK<4>(y, ld, rows, out);
  }
}

// Flushes denormal floats to zero (FTZ and DAZ in this thread's MXCSR) while alive, then restores the previous
// mode. Backpropagated errors vanish geometrically over long strings and reach the denormal range, where every
// float operation costs ~100× (seen as training epochs running 4× slower until the net's dynamics change).
class FlushDenormals {
 public:
#if defined(__SSE__)
  FlushDenormals() : saved_(_mm_getcsr()) { _mm_setcsr(saved_ | 0x8040u); }  // FTZ (bit 15) | DAZ (bit 6)
  ~FlushDenormals() { _mm_setcsr(saved_); }

 private:
  unsigned saved_;
#endif
};

}  // namespace

template <typename Real>
ShardResult ElmanRnn<Real>::Evaluate(const Real* theta, std::span<const Example* const> shard, Real scale,
                                     Real* grad) {
  ShardResult r;
  const Shard one[1] = {shard};
  Run(theta, one, scale, grad != nullptr ? &grad : nullptr, &r, /*loss=*/true);
  return r;
}

template <typename Real>
void ElmanRnn<Real>::EvaluateShards(const Real* theta, std::span<const Shard> shards, Real scale, Real* const* grads,
                                    ShardResult* results) {
  Run(theta, shards, scale, grads, results, /*loss=*/true);
}

template <typename Real>
int ElmanRnn<Real>::CountCorrect(const Real* theta, std::span<const Example* const> shard) {
  ShardResult r;
  const Shard one[1] = {shard};
  Run(theta, one, Real(1), nullptr, &r, /*loss=*/false);
  return r.correct;
}

template <typename Real>
void ElmanRnn<Real>::Run(const Real* theta, std::span<const Shard> shards, Real scale, Real* const* grads,
                         ShardResult* results, bool loss) {
  if (shards.empty()) throw Error("ElmanRnn::Evaluate: no shard");
  lanes_ = std::is_same_v<Real, float> && UseLanes(shape_.m);
  if (!lanes_ && shards.size() > 1) {  // the column-layout path takes one shard at a time
    for (size_t s = 0; s < shards.size(); ++s)
      Run(theta, shards.subspan(s, 1), scale, grads != nullptr ? grads + s : nullptr, results + s, loss);
    return;
  }
  if (shards[0].empty()) throw Error("ElmanRnn::Evaluate: empty shard");
  T_ = static_cast<int>(shards[0][0]->x.size());
  if (T_ < 1) throw Error("ElmanRnn::Evaluate: strings must have at least one symbol");
  slices_.clear();
  int col = 0, lane = 0;
  for (const Shard& shard : shards) {
    if (shard.empty()) throw Error("ElmanRnn::Evaluate: empty shard");
    slices_.push_back({static_cast<int>(shard.size()), col, lane});
    col += static_cast<int>(shard.size());
    lane += (static_cast<int>(shard.size()) + 7) / 8 * 8;
  }
  n_ = col;
  np_ = lane;
  // The strings lie scattered in memory (a batch is a shuffled draw): their data is asked for here, while checking
  // them, so the cache misses overlap instead of queueing in the copies below.
  for (const Shard& shard : shards)
    for (const Example* e : shard) {
      __builtin_prefetch(e->x.data());
      if (shape_.task == Task::kNextSymbol) __builtin_prefetch(e->next.data());
    }
  for (const Shard& shard : shards)
    for (const Example* e : shard) {
      if (static_cast<int>(e->x.size()) != T_) throw Error("ElmanRnn::Evaluate: a shard mixes string lengths");
      if (shape_.task == Task::kNextSymbol && e->next.size() != e->x.size())
        throw Error("ElmanRnn::Evaluate: next-symbol example without one target per prefix");
    }
  // Written step-major: into the batch layout's symbols on the lanes path (the shard's lanes of each step; padding
  // lanes 0: LanesPackSymbols), else string by string into its shard's column block.
  const size_t steps = size_t(T_);
  if (lanes_) {
    AtLeast(Xb_, steps * np_);  // every lane written below (padding lanes 0)
  } else {
    AtLeast(X_, steps * n_);
  }
  if (shape_.task == Task::kNextSymbol) AtLeast(Masks_, steps * n_);
  for (size_t s = 0; s < shards.size(); ++s) {
    const int n = slices_[s].n;  // a local: the stores below may alias an int in slices_, so no reload per element
    if (lanes_) {
      strings_.clear();
      for (const Example* e : shards[s]) strings_.push_back(e->x.data());
      LanesPackSymbols(T_, n, np_, strings_.data(), Xb_.data() + slices_[s].lane0);
    } else {
      int* X = X_.data() + steps * slices_[s].col0;
      for (int j = 0; j < n; ++j) {
        const uint8_t* x = shards[s][j]->x.data();
        for (size_t t = 0; t < steps; ++t) X[t * n + j] = x[t];
      }
    }
    if (shape_.task == Task::kNextSymbol) {
      uint32_t* M = Masks_.data() + steps * slices_[s].col0;
      for (int j = 0; j < n; ++j) {
        const uint32_t* next = shards[s][j]->next.data();
        for (size_t t = 0; t < steps; ++t) M[t * n + j] = next[t];
      }
    }
  }
  const FlushDenormals flush;
  // The views only read θ; ParamViews is one type for reading and writing.
  const ParamViews<Real> p(shape_, const_cast<Real*>(theta));
  Forward(p, grads != nullptr);
  Loss(shards, scale, results, loss || grads != nullptr);
  if (grads != nullptr) Backward(p, grads);
}

// h_t = act((U x_t + b) + (W h_{t−1} + b_hh)) for t = 1 … T from h_0 = 0, then the logits the task reads.
// (The column-layout path runs one shard: n_ columns per step.)
template <typename Real>
void ElmanRnn<Real>::Forward(const ParamViews<Real>& p, bool keep) {
  const int m = shape_.m, n = n_, steps = T_, o = shape_.o;
  const bool cos = shape_.act == Activation::kCos;
  UB_.set_size(m, shape_.d);  // m×d: U + b, one column per symbol (PyTorch's input gates of a one-hot input)
  for (int a = 0; a < shape_.d; ++a)
    for (int i = 0; i < m; ++i) UB_(i, a) = p.U(i, a) + p.b(i);
  if (lanes_) return ForwardLanes(p, keep);
  H_.set_size(m, size_t(steps) * n);
  if (cos) S_.set_size(m, size_t(steps) * n);
  for (int t = 1; t <= steps; ++t) {
    Real* Ht = H_.colptr(size_t(t - 1) * n);  // m×n
    // Hidden gates W h_{t−1} + b_hh: b_hh first, the product added onto it (h_0 = 0 leaves b_hh, or 0).
    for (int j = 0; j < n; ++j)
      for (int i = 0; i < m; ++i) Ht[size_t(j) * m + i] = shape_.two_biases ? p.b_hh(i) : Real(0);
    if (t > 1) Gemm(m, n, m, p.W.memptr(), m, H_.colptr(size_t(t - 2) * n), 1, m, Ht, m, /*accumulate=*/true);
    AddInputs(Ht, UB_.memptr(), &X_[size_t(t - 1) * n], m, n);  // + (U x_t + b)
    Activate(shape_.act, Ht, cos ? S_.colptr(size_t(t - 1) * n) : nullptr, size_t(m) * n);
  }
  // The readout y = c + V h, computed o×cols then stored transposed (one column per output unit), so the loss runs
  // down contiguous columns.
  const size_t cols = shape_.task == Task::kNextSymbol ? size_t(steps) * n : size_t(n);
  const Real* Hr = H_.colptr(shape_.task == Task::kNextSymbol ? 0 : size_t(steps - 1) * n);
  arma::Mat<Real> Yo(o, cols);  // o×cols
  for (size_t q = 0; q < cols; ++q)
    for (int a = 0; a < o; ++a) Yo(a, q) = p.c(a);
  Gemm(o, int(cols), m, p.V.memptr(), o, Hr, 1, m, Yo.memptr(), o, /*accumulate=*/true);
  Y_ = Yo.t();  // (T·n)×o or n×o
}

// The same forward pass with the strings in the vector lanes: the activated states (LanesForward, or LanesStep step
// by step; for cos the same Activate call over each step's block), then at the steps the task reads the column-layout
// copy in H_ where the readout's gradient reads it (keep) and the readout, copied into Y_'s rows.
template <typename Real>
void ElmanRnn<Real>::ForwardLanes(const ParamViews<Real>& p, bool keep) {
  if constexpr (std::is_same_v<Real, float>) {
    const int m = shape_.m, n = n_, steps = T_, o = shape_.o, d = shape_.d;
    const bool cos = shape_.act == Activation::kCos, next_symbol = shape_.task == Task::kNextSymbol;
    const int np = np_;
    const size_t step = size_t(m) * np;
    init_.assign(m, 0.0f);
    if (shape_.two_biases)
      for (int i = 0; i < m; ++i) init_[i] = p.b_hh(i);
    AtLeast(UBrows_, size_t(m) * 8);
    LanesInputRows(m, d, UB_.memptr(), UBrows_.data());
    const int kept = keep ? steps : 2;  // without a backward pass two steps (current, previous) suffice
    AtLeast(Hb_, kept * step);
    if (cos) AtLeast(Sb_, kept * step);
    if (keep) H_.set_size(m, size_t(steps) * n);
    Y_.set_size(next_symbol ? size_t(steps) * n : size_t(n), o);
    // Every step at once where the readouts come after (a step's state is kept until they run: membership reads
    // the last, a training pass keeps all); then the steps the task reads, together: their column-layout copy in H_
    // where the readout's gradient reads it (keep; ∂W reads h from Hb_) and their readouts. Next-symbol evaluation
    // keeps two states and reads out each step as it goes.
    const auto copy_out = [&](int t, const float* yb) {  // step t's readout (o×np) into Y_'s rows
      for (const Slice& s : slices_) {
        const size_t row0 = Row0(s) + (next_symbol ? size_t(t) * s.n : 0);
        for (int a = 0; a < o; ++a) std::copy_n(yb + size_t(a) * np + s.lane0, s.n, Y_.colptr(a) + row0);
      }
    };
    if (keep || !next_symbol) {
      LanesForward(m, np, d, shape_.act, p.W.memptr(), init_.data(), UB_.memptr(), UBrows_.data(), Xb_.data(), steps,
                   /*ring=*/!keep, Hb_.data(), cos ? Sb_.data() : nullptr);
      const int first = next_symbol ? 0 : steps - 1, read = steps - first;
      const float* h0 = Hb_.data() + size_t(keep ? first : first % 2) * step;
      if (keep)
        for (const Slice& s : slices_)
          LanesToColumnsSteps(m, s.n, np, read, h0 + s.lane0, H_.colptr(size_t(steps) * s.col0 + size_t(first) * s.n));
      AtLeast(Yb_, size_t(read) * o * np);
      LanesReadout(o, m, np, p.V.memptr(), p.c.memptr(), h0, Yb_.data(), read);
      for (int t = first; t < steps; ++t) copy_out(t, Yb_.data() + size_t(t - first) * o * np);
    } else {
      AtLeast(Yb_, size_t(o) * np);
      for (int t = 0; t < steps; ++t) {
        float* cur = Hb_.data() + size_t(t % 2) * step;
        const float* prev = t == 0 ? nullptr : Hb_.data() + size_t((t - 1) % 2) * step;
        if (!LanesStep(m, np, d, shape_.act, p.W.memptr(), init_.data(), UB_.memptr(), UBrows_.data(),
                       &Xb_[size_t(t) * np], prev, cur))
          Activate(shape_.act, cur, cos ? Sb_.data() + size_t(t % 2) * step : nullptr, step);  // cos: with sin z
        LanesReadout(o, m, np, p.V.memptr(), p.c.memptr(), cur, Yb_.data());
        copy_out(t, Yb_.data());
      }
    }
  }
}

// Σ of BCEs over the outputs the task reads, per shard; dY_ = scale · ∂/∂y; counts each shard's strings with every
// output right. Per output unit a (a column of Y_): its 0/1 targets, its thresholds checked against them, each shard's
// BCE and gradient, each a vectorised pass down the column.
template <typename Real>
void ElmanRnn<Real>::Loss(std::span<const Shard> shards, Real scale, ShardResult* results, bool loss) {
  const int o = shape_.o;
  const size_t rows = Y_.n_rows;  // T·n (next-symbol) or n (membership)
  Target_.set_size(rows, o);
  if (loss) dY_.set_size(rows, o);
  Wrong_.assign(rows, 0);
  for (size_t s = 0; s < shards.size(); ++s) results[s] = ShardResult{};
  for (int a = 0; a < o; ++a) {
    if (shape_.task == Task::kMembership) {
      for (size_t s = 0; s < shards.size(); ++s)
        for (int j = 0; j < slices_[s].n; ++j) Target_(slices_[s].col0 + j, a) = Real(shards[s][j]->label);
    } else {
      TargetBits(Masks_.data(), a, Target_.colptr(a), rows);
    }
    MarkWrong(Y_.colptr(a), Target_.colptr(a), Wrong_.data(), rows);
    if (loss)
      for (size_t s = 0; s < shards.size(); ++s) {
        const size_t r0 = Row0(slices_[s]);
        results[s].loss_sum +=
            BinaryCrossEntropy(Y_.colptr(a) + r0, Target_.colptr(a) + r0, scale, dY_.colptr(a) + r0, Rows(slices_[s]));
      }
  }
  // A string is right when no row of it (one per step for next-symbol, rows row0 + t·n + j) is wrong.
  for (size_t s = 0; s < shards.size(); ++s) {
    const Slice& sl = slices_[s];
    uint32_t* w = Wrong_.data() + Row0(sl);  // the later steps' rows ORed into the first step's, in place (scratch)
    for (size_t row = sl.n; row < Rows(sl); row += sl.n)
      for (int j = 0; j < sl.n; ++j) w[j] |= w[row + j];
    for (int j = 0; j < sl.n; ++j) results[s].correct += w[j] == 0;
  }
}

// BPTT: each shard's readout gradient, then δ_t for t = T … 1 (the backward loop, all shards in flight together),
// then each shard's input-side gradients.
template <typename Real>
void ElmanRnn<Real>::Backward(const ParamViews<Real>& p, Real* const* grads) {
  const int m = shape_.m, n = n_, steps = T_, o = shape_.o;
  // Readout: ∂V = Σ_t ∂L/∂y_t h_tᵀ, ∂c = Σ_t ∂L/∂y_t; and δ_t starts as Vᵀ ∂L/∂y_t (zero where no output is read).
  // (Y_ and dY_ hold one row per output step, one column per output unit: see Forward.)
  const size_t all_rows = dY_.n_rows;  // T·n (next-symbol) or n (membership)
  const bool next_symbol = shape_.task == Task::kNextSymbol;
  dVt_.set_size(m, o);
  for (size_t s = 0; s < slices_.size(); ++s) {
    const Slice& sl = slices_[s];
    ParamViews<Real> g(shape_, grads[s]);
    const int rows = static_cast<int>(Rows(sl));
    const Real* Hr = H_.colptr(size_t(steps) * sl.col0 + (next_symbol ? 0 : size_t(steps - 1) * sl.n));  // m×rows
    const Real* dY = dY_.memptr() + Row0(sl);
    Gemm(m, o, rows, Hr, m, dY, 1, ptrdiff_t(all_rows), dVt_.memptr(), m, /*accumulate=*/false);  // m×o = H · dY
    for (int a = 0; a < o; ++a)
      for (int i = 0; i < m; ++i) g.V(a, i) += dVt_(i, a);
    for (int a = 0; a < o; a += 4) SumColumns(dY + size_t(a) * all_rows, all_rows, rows, std::min(4, o - a), &g.c(a));
  }
  // Backward loop, t = T … 1: δ_t = act'(z_t) ⊙ (Vᵀ ∂L/∂y_t + Wᵀ δ_{t+1}), into dZ_ (the lanes path: DeltasLanes;
  // the column-layout path runs one shard).
  dZ_.set_size(m, size_t(steps) * n);
  if (lanes_) {
    DeltasLanes(p);
  } else {
    const int rows = static_cast<int>(all_rows);
    if (!next_symbol) std::fill(dZ_.begin(), dZ_.end() - size_t(m) * n, Real(0));
    Real* dZr = dZ_.colptr(next_symbol ? 0 : size_t(steps - 1) * n);
    Vt_ = p.V.t();  // m×o
    Gemm(m, rows, o, Vt_.memptr(), m, dY_.memptr(), rows, 1, dZr, m, /*accumulate=*/false);  // m×rows = Vᵀ · dYᵀ
    // Wᵀ is copied once so the product reads its rows contiguously.
    const bool cos = shape_.act == Activation::kCos;
    Wt_ = p.W.t();
    for (int t = steps; t >= 1; --t) {
      Real* Dt = dZ_.colptr(size_t(t - 1) * n);  // m×n
      if (t < steps) Gemm(m, n, m, Wt_.memptr(), m, dZ_.colptr(size_t(t) * n), 1, m, Dt, m, /*accumulate=*/true);
      MultiplyByDerivative(shape_.act, H_.colptr(size_t(t - 1) * n), cos ? S_.colptr(size_t(t - 1) * n) : nullptr,
                           Dt, size_t(m) * n);
    }
  }

  // ∂W = Σ_{t=2..T} δ_t h_{t−1}ᵀ as one product over all steps (h_0 = 0 drops t = 1), per shard. The lanes path
  // reads h from the batch layout (Forward's H_ holds only what dVt reads) and, at small widths, runs two shards'
  // chains side by side (LanesDeltaH2: the same bits), for small widths and alphabets together with their ∂U sums
  // below (LanesDeltaHGather2: one pass over δ for both, the same bits again).
  auto dZ = [&](size_t s) { return dZ_.colptr(size_t(steps) * slices_[s].col0); };  // shard s: m×(T·n), step-major
  // ∂U[:, a] += Σ of δ_t over the (t, j) that read symbol a (one-hot inputs), gathered in dU_ first; ∂b (and ∂b_hh)
  // = Σ_t δ_t is the sum of dU_'s columns, in symbol order. The lanes path sums in registers (same order, same bits)
  // for small widths and alphabets, two shards side by side where they fit (LanesGatherBySymbol2).
  const int d = shape_.d;
  // Shard s's symbols: step t's run of n at X(s) + t·ld (the batch layout's lanes, or the column block).
  auto X = [&](size_t s) { return lanes_ ? Xb_.data() + slices_[s].lane0 : X_.data() + size_t(steps) * slices_[s].col0; };
  const ptrdiff_t ld = lanes_ ? np_ : slices_[0].n;
  auto apply = [&](size_t s, const Real* dU) {  // dU (m×d) into shard s's gradient
    ParamViews<Real> g(shape_, grads[s]);
    for (int a = 0; a < d; ++a)
      for (int i = 0; i < m; ++i) g.U(i, a) += dU[size_t(a) * m + i];
    for (int i = 0; i < m; ++i) {
      Real sum = 0;
      for (int a = 0; a < d; ++a) sum += dU[size_t(a) * m + i];
      g.b(i) += sum;
      if (shape_.two_biases) g.b_hh(i) += sum;
    }
  };
  gathered_.assign(slices_.size(), 0);  // shards whose ∂U the ∂W pass summed too
  if (steps > 1) {
    for (size_t s = 0; s < slices_.size(); ++s) {
      const Slice& sl = slices_[s];
      ParamViews<Real> g(shape_, grads[s]);
      if constexpr (std::is_same_v<Real, float>) {
        if (lanes_) {
          if (s + 1 < slices_.size()) {  // two shards in one pass: with their ∂U where it fits, else ∂W alone
            const Slice& s1 = slices_[s + 1];
            Real* dW1 = ParamViews<Real>(shape_, grads[s + 1]).W.memptr();
            dU_.zeros(m, 2 * d);
            Real* dU0 = dU_.memptr();
            Real* dU1 = dU0 + size_t(m) * d;
            if (LanesDeltaHGather2(m, d, np_, steps, ld, sl.n, dZ(s), Hb_.data() + sl.lane0, X(s), g.W.memptr(), dU0,
                                   s1.n, dZ(s + 1), Hb_.data() + s1.lane0, X(s + 1), dW1, dU1)) {
              apply(s, dU0);
              apply(s + 1, dU1);
              gathered_[s] = gathered_[s + 1] = 1;
              ++s;
              continue;
            }
            if (LanesDeltaH2(m, np_, steps, sl.n, dZ(s), Hb_.data() + sl.lane0, g.W.memptr(), s1.n, dZ(s + 1),
                             Hb_.data() + s1.lane0, dW1)) {
              ++s;
              continue;
            }
          }
          LanesDeltaH(m, sl.n, np_, steps, dZ(s), Hb_.data() + sl.lane0, g.W.memptr());
          continue;
        }
      }
      const int cols = (steps - 1) * sl.n;  // δ_2…δ_T · Hpᵀ
      Gemm(m, m, cols, dZ(s) + size_t(sl.n) * m, m, H_.memptr(), m, 1, g.W.memptr(), m, /*accumulate=*/true);
    }
  }
  for (size_t s = 0; s < slices_.size(); ++s) {
    if (gathered_[s]) continue;
    const Slice& sl = slices_[s];
    dU_.zeros(m, 2 * d);  // two shards' sums: columns [0, d) and [d, 2d)
    Real* dU0 = dU_.memptr();
    Real* dU1 = dU0 + size_t(m) * d;
    bool gathered = false;
    if constexpr (std::is_same_v<Real, float>) {
      if (lanes_ && s + 1 < slices_.size() &&
          LanesGatherBySymbol2(m, d, steps, ld, sl.n, dZ(s), X(s), dU0, slices_[s + 1].n, dZ(s + 1), X(s + 1), dU1)) {
        apply(s, dU0);
        apply(s + 1, dU1);
        ++s;
        continue;
      }
      gathered = lanes_ && LanesGatherBySymbol(m, d, steps, sl.n, dZ(s), X(s), ld, dU0);
    }
    if (!gathered)
      for (int t = 1; t <= steps; ++t)
        GatherBySymbol(dU0, dZ(s) + size_t(t - 1) * sl.n * m, X(s) + (t - 1) * ld, m, sl.n);
    apply(s, dU0);
  }
}

// The backward loop of the lanes path: δ_t = act'(z_t) ⊙ (Vᵀ ∂L/∂y_t + Wᵀ δ_{t+1}) for t = T … 1 in batch layout
// (LanesDeltas, the derivative in its epilogue), then copied into dZ_'s columns.
template <typename Real>
void ElmanRnn<Real>::DeltasLanes(const ParamViews<Real>& p) {
  if constexpr (std::is_same_v<Real, float>) {
    const int m = shape_.m, steps = T_, o = shape_.o, np = np_;
    const bool cos = shape_.act == Activation::kCos, next_symbol = shape_.task == Task::kNextSymbol;
    const size_t step = size_t(m) * np, out_steps = next_symbol ? steps : 1;
    dYb_.assign(out_steps * o * np, 0.0f);
    for (const Slice& s : slices_)
      for (size_t t = 0; t < out_steps; ++t)
        for (int a = 0; a < o; ++a)
          std::copy_n(dY_.colptr(a) + Row0(s) + t * s.n, s.n, dYb_.data() + (t * o + a) * np + s.lane0);
    AtLeast(Db_, size_t(steps) * step);
    LanesDeltas(m, np, o, shape_.act, p.W.memptr(), p.V.memptr(), dYb_.data(), next_symbol, steps, Hb_.data(),
                cos ? Sb_.data() : nullptr, Db_.data());
    // δ into each shard's column block, all steps in one call (one call per step and shard cost 12% at width 3).
    for (const Slice& s : slices_)
      LanesToColumnsSteps(m, s.n, np, steps, Db_.data() + s.lane0, dZ_.colptr(size_t(steps) * s.col0));
  }
}

template class ElmanRnn<float>;
template class ElmanRnn<double>;

}  // namespace flbench
