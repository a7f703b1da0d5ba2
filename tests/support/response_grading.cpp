// Response grading helpers.
#include "support/response_grading.hpp"

#include <algorithm>
#include <cmath>
#include <complex>
#include <numbers>

#include "roomcal/dsp/fft.hpp"
#include "roomcal/measure/response.hpp"
#include "roomcal/measure/smoothing.hpp"

namespace roomcal::test {

ImpulseResponse placed_truth(const std::vector<double>& truth, const ImpulseResponse& measured, std::size_t pre) {
    ImpulseResponse t = measured;
    std::fill(t.samples.begin(), t.samples.end(), 0.0);
    for (std::size_t i = 0; i + pre < t.samples.size() && i < truth.size(); ++i) t.samples[i + pre] = truth[i];
    return t;
}

FrequencyResponse sixth_octave_response(const ImpulseResponse& ir) {
    measure::IrWindow w;
    w.left_ms = 1000.0 * ir.reference_sample / ir.sample_rate.value;
    w.right_ms = 1000.0 * static_cast<double>(ir.samples.size()) / ir.sample_rate.value;
    return measure::smooth(measure::frequency_response(ir, log_frequency_grid(20_Hz, 20_kHz, 48), w),
                           measure::Smoothing{measure::SmoothingKind::fractional_octave, 6});
}

double max_magnitude_difference_db(const FrequencyResponse& a, const FrequencyResponse& b, double lo, double hi,
                                   double* at) {
    double worst = 0.0;
    for (std::size_t i = 0; i < a.size(); ++i) {
        if (a.frequency_hz[i] < lo || a.frequency_hz[i] > hi) continue;
        const double d = std::abs(a.magnitude_db[i] - b.magnitude_db[i]);
        if (d > worst) {
            worst = d;
            if (at) *at = a.frequency_hz[i];
        }
    }
    return worst;
}

double in_band_error_db(const std::vector<double>& got, const std::vector<double>& want, double rate_hz, double lo,
                        double hi) {
    const std::size_t n = dsp::next_fast_size(std::max(got.size(), want.size()));
    const auto g = dsp::rfft(got, n), w = dsp::rfft(want, n);
    auto in_band = [&](std::size_t k) {
        const double f = static_cast<double>(k) * rate_hz / static_cast<double>(n);
        return f >= lo && f <= hi;
    };
    auto omega = [n](std::size_t k) {
        return 2.0 * std::numbers::pi * static_cast<double>(k) / static_cast<double>(n);
    };
    double num = 0.0, den = 0.0;
    for (std::size_t k = 1; k < g.size(); ++k) {
        if (!in_band(k)) continue;
        const auto c = std::conj(w[k]) * g[k];
        num += std::abs(c) * omega(k) * -std::arg(c);
        den += std::abs(c) * omega(k) * omega(k);
    }
    const double delay = den > 0 ? num / den : 0.0;
    double err = 0.0, ref = 0.0;
    for (std::size_t k = 0; k < g.size(); ++k) {
        if (!in_band(k)) continue;
        err += std::norm(g[k] - w[k] * std::polar(1.0, -omega(k) * delay));
        ref += std::norm(w[k]);
    }
    return 10.0 * std::log10(err / ref);
}

}  // namespace roomcal::test
