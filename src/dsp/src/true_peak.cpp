// True peak by polyphase interpolation with a bound that skips quiet blocks.
#include "roomcal/dsp/true_peak.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstring>
#include <numbers>
#include <vector>

#include "roomcal/dsp/level_sums.hpp"
#include "simd_clones.hpp"

namespace roomcal::dsp {
namespace {

constexpr std::size_t taps_per_phase = 16;
constexpr std::size_t block = 256;

// Largest |interpolated value| over positions [from, to) of x, every tap inside x: for
// each phase (taps [phase][taps_per_phase]) sixteen positions at a time, one per SIMD lane.
ROOMCAL_SIMD_CLONES double interpolated_peak(const float* x, std::size_t from, std::size_t to, const float* taps,
                                             std::size_t phases) noexcept {
    constexpr std::size_t half = taps_per_phase / 2, lanes = 16;
    using Lanes = float __attribute__((vector_size(lanes * sizeof(float))));
    Lanes best{};
    std::size_t i = from;
    for (; i + lanes <= to; i += lanes)
        for (std::size_t p = 0; p < phases; ++p) {
            const float* t = taps + p * taps_per_phase;
            Lanes acc{};
            for (std::size_t k = 0; k < taps_per_phase; ++k) {
                Lanes w;
                std::memcpy(&w, x + i + half - k, sizeof w);
                acc += t[k] * w;
            }
            const Lanes a = acc < 0.0f ? -acc : acc;
            best = best > a ? best : a;
        }
    float peak = 0.0f;
    for (std::size_t s = 0; s < lanes; ++s) peak = std::max(peak, best[s]);
    for (; i < to; ++i)
        for (std::size_t p = 0; p < phases; ++p) {
            float y = 0.0f;
            for (std::size_t k = 0; k < taps_per_phase; ++k) y += taps[p * taps_per_phase + k] * x[i + half - k];
            peak = std::max(peak, std::abs(y));
        }
    return peak;
}

}  // namespace

namespace detail {

struct TruePeakInterpolator {
    std::size_t phases = 1;
    std::vector<double> taps;                            // [phase][taps_per_phase]
    std::array<float, 4 * taps_per_phase> float_taps{};  // the same in float, for peak_inside
    double bound = 1.0;                                  // max over phases of Σ|taps|

    explicit TruePeakInterpolator(double rate) {
        phases = rate < 96000.0 ? 4 : rate < 192000.0 ? 2 : 1;
        taps.assign(phases * taps_per_phase, 0.0);
        if (phases == 1) {
            taps[0] = 1.0;
            bound = 1.0;
            return;
        }
        const std::size_t n = phases * taps_per_phase;
        const double centre = 0.5 * static_cast<double>(n - 1), beta = 8.0;
        const auto bessel_i0 = [](double x) {
            double sum = 1.0, term = 1.0;
            for (int k = 1; k < 40; ++k) {
                term *= (x / (2.0 * k)) * (x / (2.0 * k));
                sum += term;
            }
            return sum;
        };
        std::vector<double> h(n);
        for (std::size_t i = 0; i < n; ++i) {
            const double t = (static_cast<double>(i) - centre) / static_cast<double>(phases);
            const double sinc = t == 0.0 ? 1.0 : std::sin(std::numbers::pi * t) / (std::numbers::pi * t);
            const double r = (static_cast<double>(i) - centre) / centre;
            h[i] = sinc * bessel_i0(beta * std::sqrt(std::max(0.0, 1.0 - r * r))) / bessel_i0(beta);
        }
        bound = 0.0;
        for (std::size_t p = 0; p < phases; ++p) {
            double sum = 0.0, abs_sum = 0.0;
            for (std::size_t k = 0; k < taps_per_phase; ++k) sum += h[p + k * phases];
            for (std::size_t k = 0; k < taps_per_phase; ++k) {
                taps[p * taps_per_phase + k] = h[p + k * phases] / sum;  // each phase passes DC at unity
                abs_sum += std::abs(taps[p * taps_per_phase + k]);
            }
            bound = std::max(bound, abs_sum);
        }
        std::copy(taps.begin(), taps.end(), float_taps.begin());
    }

    // Largest interpolated |value| between samples [from, to) of x (and the samples themselves).
    double peak(std::span<const float> x, std::size_t from, std::size_t to) const {
        double best = 0.0;
        const auto len = static_cast<long>(x.size());
        const long half = static_cast<long>(taps_per_phase / 2);
        for (std::size_t i = from; i < to; ++i) {
            best = std::max(best, static_cast<double>(std::abs(x[i])));
            if (phases == 1) continue;
            for (std::size_t p = 0; p < phases; ++p) {
                const double* t = &taps[p * taps_per_phase];
                double y = 0.0;
                for (std::size_t k = 0; k < taps_per_phase; ++k) {
                    const long j = static_cast<long>(i) + half - static_cast<long>(k);
                    if (j >= 0 && j < len) y += t[k] * x[static_cast<std::size_t>(j)];
                }
                best = std::max(best, std::abs(y));
            }
        }
        return best;
    }

    // The same over positions [from, to) of x whose every tap lies inside x, in float (a
    // stream's meter reads every sample of loud programme: this is its cost).
    double peak_inside(const float* x, std::size_t from, std::size_t to) const {
        return interpolated_peak(x, from, to, float_taps.data(), phases);
    }
};

}  // namespace detail

namespace {

using Interpolator = detail::TruePeakInterpolator;

double max_abs(std::span<const float> x, std::size_t from, std::size_t to) {
    return dsp::max_abs(x.data() + from, to - from);
}

}  // namespace

double true_peak(std::span<const float> x, Hz rate) {
    const Interpolator ip(rate.value);
    if (x.empty()) return 0.0;
    const std::size_t blocks = (x.size() + block - 1) / block;
    std::vector<float> block_max(blocks);
    for (std::size_t b = 0; b < blocks; ++b)
        block_max[b] = static_cast<float>(max_abs(x, b * block, std::min(x.size(), (b + 1) * block)));
    double best = *std::max_element(block_max.begin(), block_max.end());
    // The interpolator reaches taps_per_phase/2 samples either side: a block's neighbours count.
    std::vector<std::size_t> order(blocks);
    for (std::size_t b = 0; b < blocks; ++b) order[b] = b;
    std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return block_max[a] > block_max[b]; });
    for (std::size_t b : order) {
        const double reach =
            std::max({block_max[b], b > 0 ? block_max[b - 1] : 0.0f, b + 1 < blocks ? block_max[b + 1] : 0.0f});
        if (reach * ip.bound <= best) {
            // Blocks come loudest first, but a neighbour can lift `reach`: only skip, never stop.
            continue;
        }
        best = std::max(best, ip.peak(x, b * block, std::min(x.size(), (b + 1) * block)));
    }
    return best;
}

double true_peak_exhaustive(std::span<const float> x, Hz rate) {
    const Interpolator ip(rate.value);
    return ip.peak(x, 0, x.size());
}

TruePeakStream::TruePeakStream() = default;
TruePeakStream::~TruePeakStream() = default;
TruePeakStream::TruePeakStream(TruePeakStream&&) noexcept = default;
TruePeakStream& TruePeakStream::operator=(TruePeakStream&&) noexcept = default;

void TruePeakStream::prepare(Hz rate) {
    ip_ = std::make_unique<Interpolator>(rate.value);
    reset();
}

void TruePeakStream::reset() {
    // A point needs taps_per_phase/2 samples after it and taps_per_phase/2 - 1 before.
    work_.assign(std::max(work_.size(), taps_per_phase - 1), 0.0f);
    carried_ = taps_per_phase - 1;
}

double TruePeakStream::push(std::span<const float> chunk) {
    if (!ip_) return 0.0;
    constexpr std::size_t before = taps_per_phase / 2 - 1, after = taps_per_phase / 2;
    const std::size_t n = carried_ + chunk.size();
    if (work_.size() < n) work_.resize(n);
    std::copy(chunk.begin(), chunk.end(), work_.begin() + static_cast<std::ptrdiff_t>(carried_));
    double best = max_abs(chunk, 0, chunk.size());
    if (ip_->phases > 1 && n >= before + after + 1) {
        // Points [before, n - after) have all their taps; blocks of them are interpolated
        // only where the bound lets them pass what the chunk has reached.
        const float* x = work_.data();
        for (std::size_t from = before; from < n - after; from += block) {
            const std::size_t to = std::min(n - after, from + block);
            const float reach = dsp::max_abs(x + from - before, to + after - (from - before));
            // (1 + 1e-5): the float sums may round a hair above the exact bound.
            if (static_cast<double>(reach) * ip_->bound * (1.0 + 1e-5) > best)
                best = std::max(best, ip_->peak_inside(x, from, to));
        }
    }
    // Carry the samples the points still to come need.
    const std::size_t keep = std::min(n, before + after);
    std::copy(work_.begin() + static_cast<std::ptrdiff_t>(n - keep), work_.begin() + static_cast<std::ptrdiff_t>(n),
              work_.begin());
    carried_ = keep;
    return best;
}

}  // namespace roomcal::dsp
