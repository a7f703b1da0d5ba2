// Minimum phase by homomorphic processing: the real cepstrum of ln|H| is folded onto
// positive quefrencies (c[0], 2·c[n], c[N/2]), whose spectrum is ln H_min — its imaginary
// part the minimum phase, already continuous, so it needs no unwrapping.
#include "roomcal/measure/phase.hpp"

#include <algorithm>
#include <cmath>
#include <complex>
#include <numbers>

#include "roomcal/core/error.hpp"
#include "roomcal/core/format.hpp"
#include "roomcal/dsp/fft.hpp"
#include "roomcal/dsp/minimum_phase.hpp"

namespace roomcal::measure {
namespace {

constexpr double pi = std::numbers::pi;
// Cepstral aliasing falls with the FFT size; these bound its cost.
constexpr std::size_t min_half_size = 1u << 14;
constexpr std::size_t max_half_size = 1u << 20;

std::size_t next_power_of_two(double x) {
    std::size_t n = 1;
    while (static_cast<double>(n) < x && n < max_half_size) n <<= 1;
    return n;
}

}  // namespace

std::vector<double> unwrap_phase(std::vector<double> phase_rad) {
    double correction = 0.0;
    double previous = phase_rad.empty() ? 0.0 : phase_rad.front();
    for (std::size_t i = 1; i < phase_rad.size(); ++i) {
        const double raw = phase_rad[i];
        const double step = raw - previous;
        previous = raw;
        correction -= 2.0 * pi * std::round(step / (2.0 * pi));
        phase_rad[i] = raw + correction;
    }
    return phase_rad;
}

FrequencyResponse minimum_phase(const FrequencyResponse& r, Hz sample_rate) {
    r.validate("response for minimum phase");
    if (sample_rate.value > 0.0 && r.frequency_hz.back() > sample_rate.value / 2.0)
        throw UsageError("the response reaches " + fmt(r.frequency_hz.back()) + " Hz, above Nyquist for " +
                         fmt(sample_rate.value) + " Hz; give the sample rate it was measured at");
    FrequencyResponse out = r;
    out.phase_rad.assign(r.size(), 0.0);
    if (r.size() < 2) return out;
    double min_step = r.frequency_hz.back();
    for (std::size_t i = 1; i < r.size(); ++i) min_step = std::min(min_step, r.frequency_hz[i] - r.frequency_hz[i - 1]);
    // Bins at most half the finest grid step apart, so narrow features survive resampling.
    const double nyquist = sample_rate.value > 0.0 ? sample_rate.value / 2.0 : 2.0 * r.frequency_hz.back();
    const std::size_t half = std::max(min_half_size, next_power_of_two(2.0 * nyquist / min_step));
    const std::size_t n = 2 * half;
    const double bin_hz = nyquist / static_cast<double>(half);

    std::vector<double> log_magnitude(half + 1);
    const double db_to_neper = std::log(10.0) / 20.0;
    std::size_t j = 0;
    for (std::size_t k = 0; k <= half; ++k) {
        const double f = static_cast<double>(k) * bin_hz;
        while (j + 1 < r.size() && r.frequency_hz[j + 1] <= f) ++j;
        double db;
        if (f <= r.frequency_hz.front())
            db = r.magnitude_db.front();
        else if (j + 1 >= r.size())
            db = r.magnitude_db.back();
        else {
            const double t = std::log(f / r.frequency_hz[j]) / std::log(r.frequency_hz[j + 1] / r.frequency_hz[j]);
            db = r.magnitude_db[j] + t * (r.magnitude_db[j + 1] - r.magnitude_db[j]);
        }
        log_magnitude[k] = db * db_to_neper;
    }
    const auto log_spectrum = dsp::minimum_phase_log_spectrum(log_magnitude, n);
    for (std::size_t i = 0; i < r.size(); ++i) {
        const double pos = r.frequency_hz[i] / bin_hz;
        const auto k = std::min(static_cast<std::size_t>(pos), half - 1);
        const double t = pos - static_cast<double>(k);
        out.phase_rad[i] = (1.0 - t) * log_spectrum[k].imag() + t * log_spectrum[k + 1].imag();
    }
    return out;
}

FrequencyResponse excess_phase(const FrequencyResponse& measured, Hz sample_rate) {
    if (!measured.has_phase())
        throw Error(
            "excess phase needs a measured phase, but this response has magnitude only; "
            "compute it from the impulse response");
    const auto minimum = minimum_phase(measured, sample_rate);
    FrequencyResponse out;
    out.frequency_hz = measured.frequency_hz;
    out.magnitude_db.assign(measured.size(), 0.0);
    out.phase_rad = measured.phase_rad;
    for (std::size_t i = 0; i < out.size(); ++i) out.phase_rad[i] -= minimum.phase_rad[i];
    return out;
}

ImpulseResponse minimum_phase_ir(const ImpulseResponse& ir) {
    ir.validate("impulse response for minimum phase");
    // Four times the length at least keeps the cepstrum from wrapping onto itself.
    const std::size_t n = 2 * dsp::next_fast_size(2 * ir.size());
    const auto spectrum = dsp::rfft(ir.samples, n);
    double peak = 0.0;
    for (const auto& b : spectrum) peak = std::max(peak, std::abs(b));
    if (!(peak > 0.0)) throw Error("the impulse response is silent: it has no minimum-phase version");
    const double floor = peak * 1e-10;
    std::vector<double> log_magnitude(spectrum.size());
    for (std::size_t k = 0; k < spectrum.size(); ++k)
        log_magnitude[k] = std::log(std::max(std::abs(spectrum[k]), floor));
    auto log_spectrum = dsp::minimum_phase_log_spectrum(log_magnitude, n);
    for (auto& b : log_spectrum) b = std::exp(b);
    auto samples = dsp::irfft(log_spectrum, n);
    ImpulseResponse out;
    out.samples.assign(samples.begin(), samples.begin() + static_cast<std::ptrdiff_t>(ir.size()));
    out.sample_rate = ir.sample_rate;
    out.reference_sample = 0.0;
    return out;
}

}  // namespace roomcal::measure
