// Timing-marker location, drift estimation and compensation.
#include "roomcal/measure/drift.hpp"

#include <samplerate.h>

#include <algorithm>
#include <cmath>
#include <complex>
#include <numbers>

#include "roomcal/core/error.hpp"
#include "roomcal/core/format.hpp"
#include "roomcal/dsp/fft.hpp"

namespace roomcal::measure {
namespace {

constexpr double max_plausible_drift_ppm = 300.0;

// Cross-correlation r[l] = Σ a[n + l]·b[n] for l in [0, a.size() − b.size()].
std::vector<double> correlate(std::span<const double> a, std::span<const double> b) {
    if (a.size() < b.size()) throw Error("correlation window is shorter than the signal searched for");
    const std::size_t n = dsp::next_fast_size(a.size() + b.size());
    auto fa = dsp::rfft(a, n);
    const auto fb = dsp::rfft(b, n);
    for (std::size_t k = 0; k < fa.size(); ++k) fa[k] *= std::conj(fb[k]);
    auto r = dsp::irfft(fa, n);
    r.resize(a.size() - b.size() + 1);
    return r;
}

std::span<const double> clip(std::span<const double> x, std::size_t from, std::size_t len) {
    if (from >= x.size()) return {};
    return x.subspan(from, std::min(len, x.size() - from));
}

// Sub-sample delay of b relative to a (b ≈ a delayed by the result), from the slope of
// the cross-spectrum's phase, weighted by its magnitude within [lo, hi] Hz.
double phase_slope_delay(std::span<const double> a, std::span<const double> b, double fs, double lo, double hi) {
    const std::size_t n = dsp::next_fast_size(2 * std::max(a.size(), b.size()));
    const auto fa = dsp::rfft(a, n);
    const auto fb = dsp::rfft(b, n);
    double num = 0.0, den = 0.0;
    for (std::size_t k = 1; k < fa.size(); ++k) {
        const double f = static_cast<double>(k) * fs / static_cast<double>(n);
        if (f < lo || f > hi) continue;
        const auto c = std::conj(fa[k]) * fb[k];
        const double w = std::abs(c);
        const double omega = 2.0 * std::numbers::pi * static_cast<double>(k) / static_cast<double>(n);
        num += w * omega * -std::arg(c);
        den += w * omega * omega;
    }
    return den > 0 ? num / den : 0.0;
}

double normalised_correlation(std::span<const double> a, std::span<const double> b) {
    double ab = 0, aa = 0, bb = 0;
    for (std::size_t i = 0; i < std::min(a.size(), b.size()); ++i) {
        ab += a[i] * b[i];
        aa += a[i] * a[i];
        bb += b[i] * b[i];
    }
    return aa > 0 && bb > 0 ? ab / std::sqrt(aa * bb) : 0.0;
}

}  // namespace

std::optional<MarkerTiming> measure_marker_timing(std::span<const double> recording, const Sweep& sweep) {
    if (!sweep.has_markers()) return std::nullopt;
    const double fs = sweep.spec.sample_rate.value;
    const std::size_t m = sweep.marker.size();
    const std::size_t a0 = sweep.marker_offsets[0];
    const std::size_t spacing = sweep.marker_offsets[1] - a0;
    const std::size_t max_latency = sweep.sweep_offset - a0 - m;  // the gap after the first marker
    if (recording.size() < sweep.marker_offsets[1] + m)
        throw Error("the recording ends before the sweep's closing timing marker (" + std::to_string(recording.size()) +
                    " samples, need " + std::to_string(sweep.marker_offsets[1] + m) + "); record the whole sweep file");

    // Coarse: where the first marker lands (largest correlation peak: the direct sound).
    const auto search = clip(recording, a0, max_latency + m);
    const auto r = correlate(search, sweep.marker);
    std::size_t best = 0;
    for (std::size_t i = 0; i < r.size(); ++i)
        if (std::abs(r[i]) > std::abs(r[best])) best = i;
    // A marker stands far above the correlation's spread; in unrelated audio the largest
    // value of a Gaussian correlation over this window is about 4–5 times its RMS.
    double r_power = 0.0;
    for (double v : r) r_power += v * v;
    const double r_rms = std::sqrt(r_power / static_cast<double>(r.size()));
    if (!(std::abs(r[best]) > 12.0 * r_rms))
        throw Error(
            "the timing marker before the sweep is not in the recording: was this sweep file played, and the "
            "mic's input recorded?");

    // Fine: the two recorded markers (with their early reflections) against each other.
    const std::size_t pre = static_cast<std::size_t>(0.002 * fs);
    const std::size_t window = m + static_cast<std::size_t>(0.1 * fs);
    const std::size_t first = a0 + best > pre ? a0 + best - pre : 0;
    const std::size_t coarse_second = first + spacing;
    const auto seg_a = clip(recording, first, window);
    // Search B within ±500 ppm of the nominal spacing (beyond the plausible ±300).
    const std::size_t slack = static_cast<std::size_t>(5e-4 * static_cast<double>(spacing)) + 2;
    if (coarse_second + window + slack > recording.size())
        throw Error(
            "the recording ends before the closing timing marker has fully arrived; record a little longer "
            "after the sweep file ends");
    const auto seg_b_wide = clip(recording, coarse_second - slack, window + 2 * slack);
    const auto rb = correlate(seg_b_wide, seg_a);
    std::size_t lag = 0;
    for (std::size_t i = 0; i < rb.size(); ++i)
        if (rb[i] > rb[lag]) lag = i;
    const auto seg_b = clip(recording, coarse_second - slack + lag, window);
    const double hi = std::min(16000.0, 0.45 * fs);
    const double fine = phase_slope_delay(seg_a, seg_b, fs, 500.0, hi);
    const double measured_spacing =
        static_cast<double>(coarse_second - slack + lag) - static_cast<double>(first) + fine;

    const double ppm = (measured_spacing / static_cast<double>(spacing) - 1.0) * 1e6;
    // Real converter clocks stay within ~±200 ppm of each other; a larger offset means the
    // device lost or repeated samples between the markers.
    if (std::abs(ppm) > max_plausible_drift_ppm)
        throw Error("the timing markers arrived " + fmt(ppm, 3) +
                    " ppm off their spacing: the device lost or "
                    "repeated samples during the sweep (an xrun); close other audio programs or raise the buffer "
                    "size, and measure again");
    MarkerTiming t;
    t.first_arrival = static_cast<double>(a0 + best);
    t.drift_ppm = ppm;
    t.correlation = std::abs(normalised_correlation(seg_a, seg_b));
    return t;
}

std::vector<double> compensate_drift(std::span<const double> recording, double drift_ppm) {
    const double ratio = 1.0 / (1.0 + drift_ppm * 1e-6);
    std::vector<float> in(recording.begin(), recording.end());
    std::vector<float> out(static_cast<std::size_t>(std::ceil(static_cast<double>(in.size()) * ratio)) + 16);
    SRC_DATA data{};
    data.data_in = in.data();
    data.data_out = out.data();
    data.input_frames = static_cast<long>(in.size());
    data.output_frames = static_cast<long>(out.size());
    data.src_ratio = ratio;
    if (const int err = src_simple(&data, SRC_SINC_BEST_QUALITY, 1); err != 0)
        throw Error(std::string("drift compensation failed: ") + src_strerror(err));
    return {out.begin(), out.begin() + data.output_frames_gen};
}

}  // namespace roomcal::measure
