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
    const auto tail = static_cast<std::size_t>(std::round(spec.silence_after.value * fs));
    s.signal.assign(s.sweep_samples + tail, 0.0);

    const double amplitude = db_to_gain(spec.level_dbfs);
    const auto fade_in = static_cast<std::size_t>(std::round(spec.fade_in.value * fs));
    const auto fade_out = static_cast<std::size_t>(std::round(spec.fade_out.value * fs));
    for (std::size_t n = 0; n < s.sweep_samples; ++n) {
        const double t = static_cast<double>(n) / fs;
        double g = amplitude;
        if (n < fade_in)
            g *= 0.5 - 0.5 * std::cos(std::numbers::pi * static_cast<double>(n) / static_cast<double>(fade_in));
        const std::size_t from_end = s.sweep_samples - 1 - n;
        if (from_end < fade_out)
            g *= 0.5 - 0.5 * std::cos(std::numbers::pi * static_cast<double>(from_end) / static_cast<double>(fade_out));
        s.signal[n] = g * std::sin(2.0 * std::numbers::pi * f1 * l * (std::exp(t / l) - 1.0));
    }
    return s;
}

}  // namespace roomcal::measure
