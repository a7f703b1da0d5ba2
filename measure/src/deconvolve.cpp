// Regularised spectral-division deconvolution of sweep recordings.
#include "roomcal/measure/deconvolve.hpp"

#include <algorithm>
#include <cmath>
#include <complex>
#include <numbers>

#include "roomcal/core/error.hpp"
#include "roomcal/dsp/fft.hpp"

namespace roomcal::measure {
namespace {

// Regularisation weights: ~0 inside the swept band, rising over a third of an octave at
// each edge to 1 outside, so out-of-band noise is not amplified by dividing by ~0.
double edge_ramp(double octaves_outside) {
    constexpr double edge = 1.0 / 3.0;  // octaves
    return 0.5 - 0.5 * std::cos(std::numbers::pi * std::clamp(octaves_outside / edge, 0.0, 1.0));
}
double low_edge(double f, double lo) { return f <= 0.0 ? 1.0 : edge_ramp(std::log2(lo / f)); }
double high_edge(double f, double hi) { return edge_ramp(std::log2(f / hi)); }

// The regularised inverse of the sweep at FFT size n: X*/(|X|² + ε), exact where the
// sweep has full level. Its band limit W = |X|²/(|X|² + ε) is real (zero-phase), so the
// in-band response is exact in magnitude and phase; the price is that the band edges
// ring on both sides of every arrival — at the low edge (~10 Hz) for a few hundred
// milliseconds, which is why a measured response keeps time before its arrival.
std::vector<std::complex<double>> sweep_inverse(const Sweep& sweep, std::size_t n) {
    const double fs = sweep.spec.sample_rate.value;
    const auto x = dsp::rfft(sweep.sweep, n);
    double max_power = 0.0;
    for (const auto& v : x) max_power = std::max(max_power, std::norm(v));
    // The fades make the first and last few per cent of the band weak; keep the exact
    // division to where the sweep has full level.
    const double lo = sweep.frequency_at(sweep.spec.fade_in.value * fs) * 1.05;
    const double hi = sweep.frequency_at(static_cast<double>(sweep.sweep_samples) - sweep.spec.fade_out.value * fs);
    constexpr double floor = 1e-10;
    std::vector<std::complex<double>> inverse(x.size());
    for (std::size_t k = 0; k < x.size(); ++k) {
        const double f = static_cast<double>(k) * fs / static_cast<double>(n);
        const double reg = (floor + std::max(low_edge(f, lo), high_edge(f, hi))) * max_power;
        inverse[k] = std::conj(x[k]) / (std::norm(x[k]) + reg);
    }
    return inverse;
}

}  // namespace

Deconvolution deconvolve(std::span<const double> segment, const Sweep& sweep) {
    if (segment.size() < sweep.sweep_samples)
        throw Error("the recording is shorter than the sweep (" + std::to_string(segment.size()) + " < " +
                    std::to_string(sweep.sweep_samples) + " samples); was it cut short?");
    const std::size_t n = dsp::next_fast_size(segment.size() + sweep.sweep_samples);
    const auto inverse = sweep_inverse(sweep, n);
    auto y = dsp::rfft(segment, n);
    for (std::size_t k = 0; k < y.size(); ++k) y[k] *= inverse[k];
    Deconvolution d;
    d.h = dsp::irfft(y, n);
    d.rate_l = sweep.rate_l;
    d.sample_rate = sweep.spec.sample_rate;
    return d;
}

std::vector<double> Deconvolution::linear(long from, std::size_t length) const {
    std::vector<double> out(length);
    const auto n = static_cast<long>(h.size());
    for (std::size_t i = 0; i < length; ++i) {
        const long idx = ((from + static_cast<long>(i)) % n + n) % n;
        out[i] = h[static_cast<std::size_t>(idx)];
    }
    return out;
}

std::vector<double> Deconvolution::harmonic(int k, double arrival, std::size_t pre, std::size_t length) const {
    if (k < 2) throw Error("harmonic order must be 2 or more");
    const double advance = rate_l * std::log(static_cast<double>(k)) * sample_rate.value;
    const auto start = static_cast<long>(std::lround(arrival - advance)) - static_cast<long>(pre);
    return linear(start, length);
}

std::size_t Deconvolution::harmonic_span(int k) const {
    const double fs = sample_rate.value;
    return static_cast<std::size_t>(rate_l * (std::log(static_cast<double>(k)) - std::log(k - 1.0)) * fs);
}

double peak_lag(const std::vector<double>& h, std::size_t from, std::size_t to) {
    to = std::min(to, h.size());
    if (from >= to) throw Error("peak search window is empty");
    std::size_t best = from;
    for (std::size_t i = from; i < to; ++i)
        if (std::abs(h[i]) > std::abs(h[best])) best = i;
    if (best == 0 || best + 1 >= h.size()) return static_cast<double>(best);
    const double a = std::abs(h[best - 1]), b = std::abs(h[best]), c = std::abs(h[best + 1]);
    const double denom = a - 2 * b + c;
    const double offset = denom != 0.0 ? 0.5 * (a - c) / denom : 0.0;
    return static_cast<double>(best) + std::clamp(offset, -0.5, 0.5);
}

}  // namespace roomcal::measure
