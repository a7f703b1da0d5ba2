// Rendered impulse responses against ChannelFilter::response and a direct convolution.
#include <catch2/catch.hpp>
#include <cmath>
#include <complex>
#include <numbers>

#include "roomcal/core/error.hpp"
#include "roomcal/dsp/biquad_design.hpp"
#include "roomcal/dsp/fft.hpp"
#include "roomcal/dsp/filter_render.hpp"
#include "support/test_support.hpp"

using namespace roomcal;

namespace {

ChannelFilter peq_channel(Hz fs) {
    ChannelFilter c;
    c.channel.assign(1, 'L');  // GCC 12 -Wrestrict false positive on assigning a literal here
    c.gain_db = -4.5;
    c.delay_samples = 37.0;
    c.parametric = {{FilterType::peaking, 47.3, 6.0, -9.0},
                    {FilterType::low_shelf, 120.0, 0.7, 4.0},
                    {FilterType::high_shelf, 9000.0, 0.8, -3.0}};
    c.biquads = dsp::design_biquads(c.parametric, fs);
    return c;
}

}  // namespace

TEST_CASE("rendered impulse response has the channel's response and delay", "[dsp][render]") {
    const Hz fs(48000.0);
    const auto c = peq_channel(fs);
    const std::size_t n = 65536;
    const auto h = dsp::render_impulse_response(c, fs, n, true);
    for (std::size_t i = 0; i < 37; ++i) REQUIRE(h[i] == 0.0);
    CHECK(h[37] != 0.0);

    const auto spectrum = dsp::rfft(h, n);
    double worst_db = 0.0, worst_phase_deg = 0.0;
    for (std::size_t k = 1; k < spectrum.size(); ++k) {
        const double f = static_cast<double>(k) * fs.value / static_cast<double>(n);
        if (f < 20.0 || f > 20000.0) continue;
        const auto expected = c.response(Hz(f), fs) * std::polar(1.0, -2.0 * std::numbers::pi * f / fs.value * 37.0);
        worst_db = std::max(worst_db, std::abs(20.0 * std::log10(std::abs(spectrum[k]) / std::abs(expected))));
        worst_phase_deg =
            std::max(worst_phase_deg, std::abs(std::arg(spectrum[k] / expected)) * 180.0 / std::numbers::pi);
    }
    CHECK(worst_db < 0.001);
    CHECK(worst_phase_deg < 0.01);

    const auto undelayed = dsp::render_impulse_response(c, fs, n, false);
    for (std::size_t i = 0; i + 37 < n; ++i) REQUIRE(undelayed[i] == Approx(h[i + 37]).margin(1e-15));
}

TEST_CASE("an FIR is convolved as a direct convolution would", "[dsp][render]") {
    const Hz fs(44100.0);
    ChannelFilter c = peq_channel(fs);
    c.fir = test::white_noise(300, 0.1, 7);
    const std::size_t n = 2000;
    const auto h = dsp::render_impulse_response(c, fs, n, true);

    ChannelFilter recursive_only = c;
    recursive_only.fir.clear();
    const auto x = dsp::render_impulse_response(recursive_only, fs, n, true);
    double worst = 0.0;
    for (std::size_t i = 0; i < n; ++i) {
        double y = 0.0;
        for (std::size_t k = 0; k < c.fir.size() && k <= i; ++k) y += c.fir[k] * x[i - k];
        worst = std::max(worst, std::abs(y - h[i]));
    }
    CHECK(worst < 1e-12);
}

TEST_CASE("a fractional delay is rounded and a zero length refused", "[dsp][render]") {
    ChannelFilter c;
    c.delay_samples = 10.4;
    auto h = dsp::render_impulse_response(c, Hz(48000.0), 32, true);
    CHECK(h[10] == 1.0);
    c.delay_samples = 10.6;
    h = dsp::render_impulse_response(c, Hz(48000.0), 32, true);
    CHECK(h[11] == 1.0);
    c.delay_samples = 40.0;  // beyond the length: silence, not a crash
    h = dsp::render_impulse_response(c, Hz(48000.0), 32, true);
    CHECK(test::rms(h) == 0.0);
    CHECK_THROWS_AS(dsp::render_impulse_response(c, Hz(48000.0), 0, true), UsageError);
}
