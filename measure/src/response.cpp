// IR windows and spectra. The gated IR is zero-padded so FFT bins lie at most half the
// finest grid step apart and at least four per window length: the phase then moves by
// well under π from bin to bin, so it unwraps from DC, and linear interpolation onto the
// grid stays accurate.
#include "roomcal/measure/response.hpp"

#include <algorithm>
#include <cmath>
#include <complex>
#include <numbers>
#include <string>

#include "roomcal/core/error.hpp"
#include "roomcal/core/format.hpp"
#include "roomcal/dsp/fft.hpp"
#include "roomcal/measure/phase.hpp"

namespace roomcal::measure {
namespace {

constexpr double pi = std::numbers::pi;
constexpr std::size_t max_fft_size = 1u << 21;
constexpr double right_taper_fraction = 0.25;
// -300 dB: keeps an exact spectral zero finite in dB.
constexpr double magnitude_floor = 1e-15;

void check_grid(const std::vector<double>& grid_hz, double fs) {
    if (grid_hz.empty()) throw UsageError("the frequency grid is empty: give at least one frequency");
    for (std::size_t i = 0; i < grid_hz.size(); ++i) {
        if (!(grid_hz[i] > 0.0) || !std::isfinite(grid_hz[i]))
            throw UsageError("frequency grid point " + fmt(grid_hz[i]) + " Hz is not a positive frequency");
        if (i > 0 && !(grid_hz[i] > grid_hz[i - 1]))
            throw UsageError("the frequency grid must increase, but " + fmt(grid_hz[i]) + " Hz follows " +
                             fmt(grid_hz[i - 1]) + " Hz");
    }
    if (grid_hz.back() > fs / 2.0)
        throw UsageError("the frequency grid reaches " + fmt(grid_hz.back()) + " Hz, above the impulse response's " +
                         "Nyquist frequency (" + fmt(fs / 2.0) + " Hz); end the grid below it");
}

// Weight of sample n: rising half-Hann over `left` samples up to the reference, flat,
// falling half-Hann over the last quarter of `right` samples after it.
double ir_window_weight(double n, double ref, double left, double right) {
    if (n < ref) {
        if (left <= 0.0 || n <= ref - left) return 0.0;
        return 0.5 + 0.5 * std::cos(pi * (ref - n) / left);
    }
    const double u = (n - ref) / right;
    if (u >= 1.0) return 0.0;
    const double flat = 1.0 - right_taper_fraction;
    return u <= flat ? 1.0 : 0.5 + 0.5 * std::cos(pi * (u - flat) / right_taper_fraction);
}

double finest_step(const std::vector<double>& grid_hz) {
    double step = grid_hz.front();
    for (std::size_t i = 1; i < grid_hz.size(); ++i) step = std::min(step, grid_hz[i] - grid_hz[i - 1]);
    return step;
}

}  // namespace

FrequencyResponse frequency_response(const ImpulseResponse& ir, const std::vector<double>& grid_hz, const IrWindow& w) {
    ir.validate("impulse response");
    if (!(w.left_ms >= 0.0) || !(w.right_ms > 0.0) || !std::isfinite(w.left_ms) || !std::isfinite(w.right_ms))
        throw UsageError("IR window needs left >= 0 ms and right > 0 ms (got left " + fmt(w.left_ms) + " ms, right " +
                         fmt(w.right_ms) + " ms)");
    const double fs = ir.sample_rate.value;
    check_grid(grid_hz, fs);
    const double ref = ir.reference_sample;
    const double left = w.left_ms * fs / 1000.0;
    const double right = w.right_ms * fs / 1000.0;
    const auto first = static_cast<std::size_t>(std::max(0.0, std::ceil(ref - left)));
    const auto last = static_cast<std::size_t>(std::min(static_cast<double>(ir.size() - 1), std::floor(ref + right)));
    // A window narrower than one sample around a fractional reference holds no sample at all.
    std::vector<double> gated(last >= first ? last - first + 1 : 0);
    for (std::size_t i = 0; i < gated.size(); ++i) {
        const double n = static_cast<double>(first + i);
        gated[i] = ir.samples[first + i] * ir_window_weight(n, ref, left, right);
    }

    const auto wanted = static_cast<std::size_t>(std::ceil(2.0 * fs / finest_step(grid_hz)));
    const std::size_t n =
        dsp::next_fast_size(std::max(gated.size(), std::min(std::max(4 * gated.size(), wanted), max_fft_size)));
    const auto spectrum = dsp::rfft(gated, n);
    // The gated segment starts `delay` samples before the reference; undo that delay so
    // the phase is relative to t = 0.
    const double delay = ref - static_cast<double>(first);
    std::vector<double> magnitude(spectrum.size()), phase(spectrum.size());
    for (std::size_t k = 0; k < spectrum.size(); ++k) {
        const double turns = static_cast<double>(k) * delay / static_cast<double>(n);
        const auto h = spectrum[k] * std::polar(1.0, 2.0 * pi * (turns - std::floor(turns)));
        magnitude[k] = std::abs(h);
        phase[k] = std::arg(h);
    }
    phase = unwrap_phase(std::move(phase));

    FrequencyResponse r;
    r.frequency_hz = grid_hz;
    r.magnitude_db.resize(grid_hz.size());
    r.phase_rad.resize(grid_hz.size());
    for (std::size_t i = 0; i < grid_hz.size(); ++i) {
        const double pos = grid_hz[i] * static_cast<double>(n) / fs;
        const auto k = std::min(static_cast<std::size_t>(pos), spectrum.size() - 2);
        const double t = pos - static_cast<double>(k);
        r.magnitude_db[i] = gain_to_db(std::max((1.0 - t) * magnitude[k] + t * magnitude[k + 1], magnitude_floor));
        r.phase_rad[i] = (1.0 - t) * phase[k] + t * phase[k + 1];
    }
    return r;
}

FrequencyResponse frequency_dependent_window(const ImpulseResponse& ir, const std::vector<double>& grid_hz,
                                             double cycles) {
    ir.validate("impulse response");
    if (!(cycles > 0.0) || !std::isfinite(cycles))
        throw UsageError("frequency-dependent window needs a positive number of cycles (got " + fmt(cycles) + ")");
    const double fs = ir.sample_rate.value;
    check_grid(grid_hz, fs);
    const double ref = ir.reference_sample;
    // A window's phase is only known modulo 2π, and a coarse grid cannot be unwrapped
    // point to point; the whole IR's phase, unwrapped bin by bin, says which turn it is on.
    const double after_reference_ms = (static_cast<double>(ir.size()) - ref) / fs * 1000.0;
    FrequencyResponse r = frequency_response(ir, grid_hz, IrWindow{0.0, after_reference_ms});
    for (std::size_t i = 0; i < grid_hz.size(); ++i) {
        const double omega = 2.0 * pi * grid_hz[i] / fs;
        const double half = 0.5 * cycles / grid_hz[i] * fs;
        const auto first = static_cast<std::size_t>(std::max(0.0, std::ceil(ref - half)));
        const auto last =
            static_cast<std::size_t>(std::min(static_cast<double>(ir.size() - 1), std::floor(ref + half)));
        // e^{-jω(n - ref)} by rotation: one complex multiply per sample instead of a sincos.
        std::complex<double> rotor = std::polar(1.0, -omega * (static_cast<double>(first) - ref));
        const std::complex<double> step = std::polar(1.0, -omega);
        std::complex<double> sum = 0.0;
        for (std::size_t s = first; s <= last; ++s) {
            const double weight = 0.5 + 0.5 * std::cos(pi * (static_cast<double>(s) - ref) / half);
            sum += ir.samples[s] * weight * rotor;
            rotor *= step;
        }
        r.magnitude_db[i] = gain_to_db(std::max(std::abs(sum), magnitude_floor));
        const double guide = r.phase_rad[i];
        r.phase_rad[i] = guide + std::remainder(std::arg(sum) - guide, 2.0 * pi);
    }
    return r;
}

std::vector<double> group_delay(const FrequencyResponse& r) {
    if (!r.has_phase()) throw Error("group delay needs a phase response, but this response has magnitude only");
    if (r.size() < 2) throw Error("group delay needs at least two frequencies");
    const auto& phase = r.phase_rad;
    std::vector<double> delay(r.size());
    for (std::size_t i = 0; i < r.size(); ++i) {
        const std::size_t lo = i == 0 ? 0 : i - 1;
        const std::size_t hi = i + 1 == r.size() ? i : i + 1;
        delay[i] = -(phase[hi] - phase[lo]) / (2.0 * pi * (r.frequency_hz[hi] - r.frequency_hz[lo]));
    }
    return delay;
}

}  // namespace roomcal::measure
