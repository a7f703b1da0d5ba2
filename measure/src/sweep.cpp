// Synchronized exponential sine sweep generation.
#include "roomcal/measure/sweep.hpp"

#include <cmath>
#include <numbers>
#include <string>

#include "roomcal/core/error.hpp"
#include "roomcal/core/format.hpp"

namespace roomcal::measure {

void SweepSpec::validate() const {
    const double nyquist = sample_rate.value / 2.0;
    if (!(sample_rate.value >= 8000.0 && sample_rate.value <= 384000.0))
        throw UsageError("sweep sample rate " + fmt(sample_rate.value) +
                         " Hz is out of range; use 44100, 48000, 88200 or 96000");
    if (!(start.value >= 1.0))
        throw UsageError("sweep start frequency must be at least 1 Hz (got " + fmt(start.value) + ")");
    if (!(end.value > start.value * 2.0))
        throw UsageError("sweep end frequency must be more than an octave above the start");
    if (!(end.value <= nyquist))
        throw UsageError("sweep end frequency " + fmt(end.value) + " Hz is above Nyquist (" + fmt(nyquist) +
                         " Hz) for this sample rate");
    if (length_samples < 4096 || length_samples > (1u << 24))
        throw UsageError("sweep length must be between 4096 and 2^24 samples");
    if (!(level_dbfs <= 0.0 && level_dbfs >= -60.0))
        throw UsageError("sweep level must be between -60 and 0 dBFS (got " + fmt(level_dbfs) + ")");
    if (fade_in.value < 0.0 || fade_out.value < 0.0 || silence_after.value < 0.0)
        throw UsageError("sweep fades and silence must not be negative");
    if ((fade_in.value + fade_out.value) * sample_rate.value > static_cast<double>(length_samples) / 2.0)
        throw UsageError("sweep fades take more than half of the sweep; shorten them");
}

double Sweep::frequency_at(double n) const { return spec.start.value * std::exp(n / spec.sample_rate.value / rate_l); }

Seconds Sweep::harmonic_advance(int k) const { return Seconds(rate_l * std::log(static_cast<double>(k))); }

namespace {

// Synchronized exponential sweep samples: x(t) = sin(2π f1 L (exp(t/L) − 1)) with a
// raised-cosine fade at each end.
std::vector<double> exponential_sweep(double f1, double l, std::size_t samples, double fs, double amplitude,
                                      std::size_t fade_in, std::size_t fade_out) {
    std::vector<double> x(samples);
    for (std::size_t n = 0; n < samples; ++n) {
        const double t = static_cast<double>(n) / fs;
        double g = amplitude;
        if (n < fade_in)
            g *= 0.5 - 0.5 * std::cos(std::numbers::pi * static_cast<double>(n) / static_cast<double>(fade_in));
        const std::size_t from_end = samples - 1 - n;
        if (from_end < fade_out)
            g *= 0.5 - 0.5 * std::cos(std::numbers::pi * static_cast<double>(from_end) / static_cast<double>(fade_out));
        x[n] = g * std::sin(2.0 * std::numbers::pi * f1 * l * (std::exp(t / l) - 1.0));
    }
    return x;
}

}  // namespace

Sweep make_sweep(const SweepSpec& spec) {
    spec.validate();
    const double fs = spec.sample_rate.value;
    const double f1 = spec.start.value;
    const double ratio = std::log(spec.end.value / f1);
    // Novak 2015, eq. 49: L = round(f1·T / ln(f2/f1)) / f1, then T = L·ln(f2/f1).
    const double t_requested = static_cast<double>(spec.length_samples) / fs;
    const double l = std::max(1.0, std::round(f1 * t_requested / ratio)) / f1;
    Sweep s;
    s.spec = spec;
    s.rate_l = l;
    s.sweep_samples = static_cast<std::size_t>(std::floor(l * ratio * fs));
    const double amplitude = db_to_gain(spec.level_dbfs);
    s.sweep = exponential_sweep(f1, l, s.sweep_samples, fs, amplitude,
                                static_cast<std::size_t>(std::round(spec.fade_in.value * fs)),
                                static_cast<std::size_t>(std::round(spec.fade_out.value * fs)));
    const auto gap = static_cast<std::size_t>(std::round(spec.silence_after.value * fs));

    if (spec.timing_markers) {
        // A 50 ms chirp from 500 Hz to 16 kHz (or 0.45·fs): short, broadband, and high
        // enough that its correlation peak is sharp. The gap after each marker lets the
        // room decay before the next part, so the marker never leaks into the sweep.
        const double mf1 = 500.0, mf2 = std::min(16000.0, 0.45 * fs);
        const auto marker_samples = static_cast<std::size_t>(std::round(0.05 * fs));
        const double ml = 0.05 / std::log(mf2 / mf1);
        const auto fade = static_cast<std::size_t>(std::round(0.005 * fs));
        s.marker = exponential_sweep(mf1, ml, marker_samples, fs, amplitude, fade, fade);
        // Leading silence lets the streams settle before anything plays.
        const auto lead = static_cast<std::size_t>(std::round(0.5 * fs));
        s.marker_offsets[0] = lead;
        s.sweep_offset = lead + marker_samples + gap;
        s.marker_offsets[1] = s.sweep_offset + s.sweep_samples + gap;
        const std::size_t tail = std::max<std::size_t>(gap / 2, static_cast<std::size_t>(0.25 * fs));
        s.signal.assign(s.marker_offsets[1] + marker_samples + tail, 0.0);
        for (std::size_t m : s.marker_offsets)
            std::copy(s.marker.begin(), s.marker.end(), s.signal.begin() + static_cast<long>(m));
    } else {
        s.signal.assign(s.sweep_samples + gap, 0.0);
    }
    std::copy(s.sweep.begin(), s.sweep.end(), s.signal.begin() + static_cast<long>(s.sweep_offset));
    return s;
}

}  // namespace roomcal::measure
