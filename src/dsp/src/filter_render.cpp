// Impulse response of a ChannelFilter: the recursive part sample by sample, the FIR by
// FFT convolution (a 65536-tap FIR against a 65536-sample response would take seconds
// directly).
#include "roomcal/dsp/filter_render.hpp"

#include <algorithm>
#include <cmath>
#include <complex>

#include "roomcal/core/error.hpp"
#include "roomcal/dsp/fft.hpp"

namespace roomcal::dsp {

std::vector<double> render_impulse_response(const ChannelFilter& channel, Hz fs, std::size_t taps, bool include_delay) {
    if (taps == 0) throw UsageError("an impulse response needs at least 1 tap");
    // The biquads and the FIR were designed for their rate; the rate only has to be one.
    if (!(fs.value > 0.0) || !std::isfinite(fs.value)) throw UsageError("sample rate must be a positive number");
    std::vector<double> x(taps, 0.0);
    const auto delay = include_delay ? static_cast<std::size_t>(std::llround(std::max(0.0, channel.delay_samples))) : 0;
    if (delay >= taps) return x;
    x[delay] = db_to_gain(channel.gain_db);

    for (const auto& q : channel.biquads) {
        double x1 = 0.0, x2 = 0.0, y1 = 0.0, y2 = 0.0;
        for (std::size_t n = delay; n < taps; ++n) {
            const double in = x[n];
            const double out = q.b0 * in + q.b1 * x1 + q.b2 * x2 - q.a1 * y1 - q.a2 * y2;
            x2 = x1, x1 = in, y2 = y1, y1 = out;
            x[n] = out;
        }
    }
    if (channel.fir.empty()) return x;

    // Linear (not circular) convolution needs a size of at least taps + fir - 1.
    const std::size_t n = next_fast_size(taps + channel.fir.size() - 1);
    auto spectrum = rfft(x, n);
    const auto fir_spectrum = rfft(channel.fir, n);
    for (std::size_t k = 0; k < spectrum.size(); ++k) spectrum[k] *= fir_spectrum[k];
    auto y = irfft(spectrum, n);
    y.resize(taps);
    return y;
}

}  // namespace roomcal::dsp
