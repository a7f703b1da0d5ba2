// FIR design by frequency sampling on a dense FFT grid.
#include "roomcal/correct/fir_design.hpp"

#include <algorithm>
#include <cmath>
#include <complex>
#include <numbers>

#include "roomcal/core/error.hpp"
#include "roomcal/core/format.hpp"
#include "roomcal/core/frequency_response.hpp"
#include "roomcal/dsp/fft.hpp"
#include "roomcal/dsp/minimum_phase.hpp"
#include "roomcal/measure/response.hpp"

namespace roomcal::correct {
namespace {

constexpr double pi = std::numbers::pi;

// ln of the wanted magnitude on the bins of an n-point FFT.
std::vector<double> log_magnitude_on_bins(const FrequencyResponse& curve, std::size_t n, Hz rate) {
    std::vector<double> out(n / 2 + 1);
    for (std::size_t k = 0; k < out.size(); ++k) {
        const double f = std::max(static_cast<double>(k) * rate.value / static_cast<double>(n), 1e-3);
        out[k] = curve.magnitude_db_at(Hz(f)) * std::log(10.0) / 20.0;
    }
    return out;
}

// Half-Hann fade over the last `fraction` of h.
void fade_tail(std::vector<double>& h, double fraction) {
    const auto len = static_cast<std::size_t>(static_cast<double>(h.size()) * fraction);
    for (std::size_t i = 0; i < len; ++i) {
        const double w = 0.5 * (1.0 + std::cos(pi * static_cast<double>(i + 1) / static_cast<double>(len + 1)));
        h[h.size() - len + i] *= w;
    }
}

// Excess phase of the room at the bins of an n-point FFT: the phase of its
// frequency-dependent-windowed response minus the minimum phase of that response's
// magnitude, with the best straight line (a pure delay) removed over the band used.
std::vector<double> excess_phase_on_bins(const ImpulseResponse& ir, std::size_t n, Hz rate, double upto_hz) {
    const auto grid = log_frequency_grid(Hz(10.0), Hz(std::min(20000.0, rate.value * 0.45)), 48);
    const auto fdw = measure::frequency_dependent_window(ir, grid, 8.0);
    std::vector<double> logmag(n / 2 + 1), phase(n / 2 + 1, 0.0);
    for (std::size_t k = 0; k < logmag.size(); ++k) {
        const double f = std::max(static_cast<double>(k) * rate.value / static_cast<double>(n), 10.0);
        logmag[k] = fdw.magnitude_db_at(Hz(f)) * std::log(10.0) / 20.0;
    }
    const auto minph = dsp::minimum_phase_log_spectrum(logmag, n);
    // Interpolate the measured (unwrapped) phase onto the bins below the band's top.
    std::vector<double> ex(n / 2 + 1, 0.0);
    const double top = upto_hz * 2.0;
    std::size_t j = 0;
    double sx = 0, sy = 0, sxx = 0, sxy = 0, cnt = 0;
    for (std::size_t k = 1; k < ex.size(); ++k) {
        const double f = static_cast<double>(k) * rate.value / static_cast<double>(n);
        if (f > top) break;
        while (j + 1 < grid.size() && grid[j + 1] < f) ++j;
        double ph = fdw.phase_rad.front();
        if (f >= grid.front()) {
            const double t = std::clamp(std::log(f / grid[j]) / std::log(grid[j + 1] / grid[j]), 0.0, 1.0);
            ph = fdw.phase_rad[j] + t * (fdw.phase_rad[j + 1] - fdw.phase_rad[j]);
        }
        ex[k] = ph - minph[k].imag();
        if (f >= 20.0 && f <= upto_hz) {
            sx += f, sy += ex[k], sxx += f * f, sxy += f * ex[k], cnt += 1;
        }
    }
    if (cnt > 2) {
        const double slope = (cnt * sxy - sx * sy) / (cnt * sxx - sx * sx);
        const double icpt = (sy - slope * sx) / cnt;
        for (std::size_t k = 1; k < ex.size(); ++k)
            ex[k] -= icpt + slope * static_cast<double>(k) * rate.value / static_cast<double>(n);
    }
    return ex;
}

// Index of the largest |tap|.
double peak_index(const std::vector<double>& h) {
    std::size_t best = 0;
    for (std::size_t i = 1; i < h.size(); ++i)
        if (std::abs(h[i]) > std::abs(h[best])) best = i;
    return static_cast<double>(best);
}

}  // namespace

const char* phase_name(FirPhase p) {
    switch (p) {
        case FirPhase::minimum:
            return "minimum-phase";
        case FirPhase::linear:
            return "linear-phase";
        case FirPhase::mixed:
            return "mixed-phase";
    }
    return "?";
}

double pre_ringing_db(const std::vector<double>& h, double arrival, Hz rate, double guard_ms) {
    const double end = arrival - guard_ms * 1e-3 * rate.value;
    double pre = 0.0, all = 0.0;
    for (std::size_t i = 0; i < h.size(); ++i) {
        all += h[i] * h[i];
        if (static_cast<double>(i) < end) pre += h[i] * h[i];
    }
    return (pre > 0.0 && all > 0.0) ? 10.0 * std::log10(pre / all) : -300.0;
}

std::vector<double> fir_db(const std::vector<double>& taps, Hz rate, const std::vector<double>& grid_hz) {
    const std::size_t n = dsp::next_fast_size(std::max<std::size_t>(taps.size() * 2, 1 << 16));
    const auto spec = dsp::rfft(taps, n);
    std::vector<double> out(grid_hz.size());
    for (std::size_t i = 0; i < grid_hz.size(); ++i) {
        const double bin = grid_hz[i] * static_cast<double>(n) / rate.value;
        const auto k = std::min(static_cast<std::size_t>(bin), spec.size() - 2);
        const double t = bin - static_cast<double>(k);
        const double mag = (1.0 - t) * std::abs(spec[k]) + t * std::abs(spec[k + 1]);
        out[i] = 20.0 * std::log10(std::max(mag, 1e-15));
    }
    return out;
}

FirDesign design_fir(const std::vector<double>& grid_hz, const std::vector<double>& correction_db, const FirOptions& o,
                     const ImpulseResponse* room_ir) {
    if (o.taps < 64 || o.taps > (1u << 20))
        throw UsageError("FIR length " + std::to_string(o.taps) + " taps is outside 64–1048576");
    if (!(o.sample_rate.value >= 8000.0 && o.sample_rate.value <= 384000.0))
        throw UsageError("FIR sample rate " + fmt(o.sample_rate.value) + " Hz is outside 8–384 kHz");
    if (o.phase == FirPhase::mixed && !room_ir)
        throw Error(
            "a mixed-phase correction needs the listening position's impulse response; it has only a "
            "frequency response (imported?) — use minimum phase");
    FrequencyResponse curve{grid_hz, correction_db, {}};
    curve.validate("correction curve");
    const std::size_t taps = o.taps + (o.taps % 2);
    const std::size_t n = dsp::next_fast_size(taps * 4);
    const auto logmag = log_magnitude_on_bins(curve, n, o.sample_rate);

    FirDesign d;
    std::vector<std::complex<double>> spectrum(n / 2 + 1);
    auto min_phase_spectrum = [&] {
        const auto lm = dsp::minimum_phase_log_spectrum(logmag, n);
        for (std::size_t k = 0; k < lm.size(); ++k) spectrum[k] = std::exp(lm[k]);
    };

    if (o.phase == FirPhase::minimum) {
        min_phase_spectrum();
        auto h = dsp::irfft(spectrum, n);
        h.resize(taps);
        fade_tail(h, 0.1);
        d.taps = std::move(h);
        d.latency_samples = 0.0;
    } else if (o.phase == FirPhase::linear) {
        for (std::size_t k = 0; k < spectrum.size(); ++k) spectrum[k] = std::exp(logmag[k]);
        const auto h0 = dsp::irfft(spectrum, n);  // zero phase: centred on sample 0, circular
        d.taps.resize(taps);
        const std::size_t half = taps / 2;
        for (std::size_t i = 0; i < taps; ++i) {
            const std::ptrdiff_t t = static_cast<std::ptrdiff_t>(i) - static_cast<std::ptrdiff_t>(half);
            const double w = 0.5 * (1.0 + std::cos(pi * static_cast<double>(t) / static_cast<double>(half)));
            d.taps[i] =
                h0[static_cast<std::size_t>((t + static_cast<std::ptrdiff_t>(n)) % static_cast<std::ptrdiff_t>(n))] * w;
        }
        d.latency_samples = static_cast<double>(half);
    } else {
        // Mixed: the inverse excess phase below `upto`, fading out over the next octave,
        // delayed so its anti-causal part fits; narrowed until the pre-ringing bound holds,
        // and dropped (upto 0: the minimum-phase filter, delayed) if it never does.
        min_phase_spectrum();
        const std::vector<std::complex<double>> minimum = spectrum;
        const double delay = std::min(static_cast<double>(taps) / 4.0, 0.1 * o.sample_rate.value);
        double upto = o.excess_phase_upto.value;
        for (int attempt = 0; attempt < 7; ++attempt, upto /= 1.5) {
            if (attempt == 6) upto = 0.0;
            const auto ex = upto > 0.0 ? excess_phase_on_bins(*room_ir, n, o.sample_rate, upto)
                                       : std::vector<double>(spectrum.size(), 0.0);
            for (std::size_t k = 0; k < spectrum.size(); ++k) {
                const double f = static_cast<double>(k) * o.sample_rate.value / static_cast<double>(n);
                double fade = 1.0;
                if (upto <= 0.0)
                    fade = 0.0;
                else if (f > upto)
                    fade = f >= 2.0 * upto ? 0.0 : 0.5 * (1.0 + std::cos(pi * std::log2(f / upto)));
                const double w = 2.0 * pi * f / o.sample_rate.value;
                spectrum[k] = minimum[k] * std::polar(1.0, -ex[k] * fade - w * delay);
            }
            auto h = dsp::irfft(spectrum, n);
            h.resize(taps);
            fade_tail(h, 0.1);
            d.taps = std::move(h);
            d.latency_samples = delay;
            d.excess_phase_upto = Hz(upto);
            // About the filter's own main peak, which the inverse excess phase may move
            // later than the design delay.
            d.pre_ringing_db = pre_ringing_db(d.taps, std::max(delay, peak_index(d.taps)), o.sample_rate);
            if (d.pre_ringing_db <= o.pre_ringing_bound_db) break;
        }
    }
    if (o.phase != FirPhase::mixed) d.pre_ringing_db = pre_ringing_db(d.taps, d.latency_samples, o.sample_rate);

    // The boost limit holds for the realised taps, not just the curve they came from.
    const auto check_grid = log_frequency_grid(Hz(10.0), Hz(o.sample_rate.value * 0.499), 96);
    const auto realised = fir_db(d.taps, o.sample_rate, check_grid);
    d.max_gain_db = *std::max_element(realised.begin(), realised.end());
    if (d.max_gain_db > o.max_boost_db) {
        const double g = std::pow(10.0, (o.max_boost_db - d.max_gain_db) / 20.0) * 0.9999;
        for (auto& t : d.taps) t *= g;
        d.max_gain_db = o.max_boost_db + 20.0 * std::log10(0.9999);
    }
    return d;
}

}  // namespace roomcal::correct
