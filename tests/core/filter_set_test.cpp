#include <catch2/catch.hpp>

#include <cmath>
#include <numbers>

#include "roomcal/core/error.hpp"
#include "roomcal/core/filter_set.hpp"

using namespace roomcal;

TEST_CASE("biquad response matches its difference equation", "[core][filter_set]") {
    // A one-pole low-pass written as a biquad: y = 0.1 x + 0.9 y[-1]; |H(0)| = 1.
    const Biquad q{0.1, 0.0, 0.0, -0.9, 0.0};
    CHECK(std::abs(q.response(0_Hz, 48_kHz)) == Approx(1.0));
    // At Nyquist: 0.1 / (1 + 0.9) .
    CHECK(std::abs(q.response(24_kHz, 48_kHz)) == Approx(0.1 / 1.9));
    // Check one mid frequency against a simulated sine's steady-state amplitude.
    const double f = 1000.0, fs = 48000.0;
    double y1 = 0.0, peak = 0.0;
    for (int n = 0; n < 48000; ++n) {
        const double x = std::sin(2 * std::numbers::pi * f * n / fs);
        const double y = 0.1 * x + 0.9 * y1;
        y1 = y;
        if (n > 24000) peak = std::max(peak, std::abs(y));
    }
    CHECK(peak == Approx(std::abs(q.response(Hz(f), Hz(fs)))).epsilon(1e-3));
}

TEST_CASE("channel response multiplies gain, biquads and FIR", "[core][filter_set]") {
    ChannelFilter c;
    c.gain_db = -6.0;
    c.fir = {0.5, 0.5};  // two-tap average: |H(fs/4)| = cos(pi/4)
    c.biquads = {Biquad{}};
    CHECK(std::abs(c.response(12_kHz, 48_kHz)) == Approx(db_to_gain(-6.0) * std::cos(std::numbers::pi / 4)));
}

TEST_CASE("filter set validation names the channel and the fault", "[core][filter_set]") {
    FilterSet fs;
    fs.channels.push_back({"L", 0.0, 0.0, {Biquad{1, 0, 0, -2.5, 1.5}}, {}, {}});
    CHECK_THROWS_WITH(fs.validate(), Catch::Contains("channel L") && Catch::Contains("unstable"));
    fs.channels[0].biquads.clear();
    fs.channels[0].fir = {1.0, std::nan("")};
    CHECK_THROWS_WITH(fs.validate(), Catch::Contains("NaN"));
    fs.channels[0].fir = {1.0};
    CHECK_NOTHROW(fs.validate());
    fs.channels[0].parametric = {{FilterType::peaking, 100.0, 2.0, -3.0}};
    CHECK_THROWS_WITH(fs.validate(), Catch::Contains("1 parametric settings for 0 biquads"));
    fs.channels[0].parametric.clear();
    CHECK(fs.find("L") != nullptr);
    CHECK(fs.find("R") == nullptr);
}
