// Welch spectra: Hann frames through a float FFT, gated on level; band names.
#include "spectrum.hpp"

#include <algorithm>
#include <cmath>
#include <complex>
#include <cstdio>
#include <numbers>

#include "roomcal/compare/compare.hpp"
#include "roomcal/dsp/fft.hpp"
#include "roomcal/dsp/level_sums.hpp"

namespace roomcal::compare::detail {

double db_power(double p) { return 10.0 * std::log10(std::max(p, 1e-30)); }

std::size_t spectrum_frame(double fs, std::size_t frames) {
    std::size_t n = 1;
    while (static_cast<double>(n) < 0.34 * fs) n <<= 1;
    if (frames < n)
        n = std::max<std::size_t>(256, std::size_t{1} << static_cast<int>(std::log2(static_cast<double>(frames))));
    return n;
}

std::vector<std::size_t> gated_frames(AudioView<const float> x, std::size_t n) {
    // Frames overlap by half: each half-frame's energy once, frames as pairs of halves.
    const std::size_t hop = n / 2;
    std::vector<double> half;
    for (std::size_t f = 0; f + hop <= x.num_frames(); f += hop) {
        double e = 0.0;
        for (std::size_t ch = 0; ch < x.num_channels(); ++ch) e += dsp::sum_squares(x.channel(ch).data() + f, hop);
        half.push_back(e);
    }
    std::vector<std::size_t> starts;
    std::vector<double> levels;
    for (std::size_t h = 0; h + 1 < half.size() && h * hop + n <= x.num_frames(); ++h) {
        starts.push_back(h * hop);
        levels.push_back(db_power((half[h] + half[h + 1]) / static_cast<double>(n * x.num_channels())));
    }
    double mean_power = 0.0;
    std::size_t passed = 0;
    for (double l : levels)
        if (l > -70.0) mean_power += std::pow(10.0, l / 10.0), ++passed;
    const double relative_gate = passed ? db_power(mean_power / static_cast<double>(passed)) - 20.0 : 0.0;
    std::vector<std::size_t> frames;
    for (std::size_t i = 0; i < starts.size(); ++i)
        if (levels[i] > -70.0 && levels[i] > relative_gate) frames.push_back(starts[i]);
    return frames;
}

std::vector<std::vector<double>> channel_spectra(AudioView<const float> x, const std::vector<std::size_t>& frames,
                                                 std::size_t n) {
    const dsp::RealFft<float> fft(n);
    dsp::FftBuffer<float> in(n);
    dsp::FftBuffer<std::complex<float>> out(n / 2 + 1);
    std::vector<float> window(n);
    for (std::size_t i = 0; i < n; ++i)
        window[i] = static_cast<float>(0.5 - 0.5 * std::cos(2.0 * std::numbers::pi * static_cast<double>(i) / n));
    std::vector<std::vector<double>> p(x.num_channels(), std::vector<double>(n / 2 + 1, 0.0));
    for (std::size_t c = 0; c < x.num_channels(); ++c) {
        const auto s = x.channel(c);
        for (std::size_t f : frames) {
            for (std::size_t i = 0; i < n; ++i) in[i] = s[f + i] * window[i];
            fft.forward(in.data(), out.data());
            for (std::size_t k = 0; k < p[c].size(); ++k) p[c][k] += std::norm(out[k]);
        }
    }
    return p;
}

}  // namespace roomcal::compare::detail

namespace roomcal::compare {

std::string band_name(double centre_hz) {
    static constexpr double nominal[] = {10,   12.5, 16,   20,   25,   31.5, 40,    50,    63,    80,   100,  125,
                                         160,  200,  250,  315,  400,  500,  630,   800,   1000,  1250, 1600, 2000,
                                         2500, 3150, 4000, 5000, 6300, 8000, 10000, 12500, 16000, 20000};
    double f = centre_hz;
    for (double n : nominal)
        if (centre_hz > 0.0 && std::abs(std::log2(centre_hz / n)) < 1.0 / 12.0) f = n;
    char s[32];
    if (f >= 1000.0)
        std::snprintf(s, sizeof s, "%g kHz", f / 1000.0);
    else
        std::snprintf(s, sizeof s, "%g Hz", f == std::round(f * 10.0) / 10.0 ? f : std::round(f));
    return s;
}

}  // namespace roomcal::compare
