// Tests for the cumulative spectral decay: a decaying sinusoid's ridge falls at its own
// dB per second, slices are laid out as specified, impossible specs are refused.
#include <catch2/catch.hpp>

#include <cmath>
#include <numbers>

#include "roomcal/core/error.hpp"
#include "roomcal/measure/waterfall.hpp"

using namespace roomcal;
using namespace roomcal::measure;

namespace {

constexpr double fs = 48000.0;

// A sinusoid at f0 from the reference (10 ms in), its level falling `db_per_s`.
ImpulseResponse decaying_sine(double f0, double db_per_s) {
    ImpulseResponse ir;
    ir.samples.assign(48000, 0.0);
    ir.sample_rate = Hz(fs);
    ir.reference_sample = 480.0;
    for (std::size_t n = 480; n < ir.size(); ++n) {
        const double t = static_cast<double>(n - 480) / fs;
        ir.samples[n] = std::sin(2.0 * std::numbers::pi * f0 * t) * db_to_gain(-db_per_s * t);
    }
    return ir;
}

}  // namespace

TEST_CASE("a decaying sinusoid's ridge falls at its decay rate", "[measure][analysis][waterfall]") {
    const double f0 = 1000.0, rate = 100.0;  // dB per second: RT60 = 0.6 s
    const std::vector<double> grid{250.0, 500.0, f0, 4000.0};
    const auto w = cumulative_spectral_decay(decaying_sine(f0, rate), grid);
    REQUIRE(w.times_s.size() == 31);
    CHECK(w.times_s.back() == Approx(0.3));
    REQUIRE(w.magnitude_db.size() == w.times_s.size());
    const double first = w.magnitude_db[0][2];
    for (std::size_t k = 0; k < w.times_s.size(); ++k) {
        INFO("slice at " << w.times_s[k] << " s");
        REQUIRE(w.magnitude_db[k].size() == grid.size());
        CHECK(w.magnitude_db[k][2] == Approx(first - rate * w.times_s[k]).margin(1.0));
        // The ridge stands well clear of frequencies two octaves away.
        CHECK(w.magnitude_db[k][2] - w.magnitude_db[k][0] > 30.0);
        CHECK(w.magnitude_db[k][2] - w.magnitude_db[k][3] > 30.0);
    }
}

TEST_CASE("waterfall specs that cannot work are refused", "[measure][analysis][waterfall]") {
    const auto ir = decaying_sine(1000.0, 100.0);
    CHECK_THROWS_WITH(cumulative_spectral_decay(ir, {1000.0}, WaterfallSpec{0, 2000, 10, 0.5, 300}),
                      Catch::Contains("lower the end time"));
    CHECK_THROWS_AS(cumulative_spectral_decay(ir, {1000.0}, WaterfallSpec{0, 300, 0, 0.5, 300}), UsageError);
    CHECK_THROWS_AS(cumulative_spectral_decay(ir, {1000.0}, WaterfallSpec{0, 300, 10, 0.5, 0}), UsageError);
    CHECK_THROWS_AS(cumulative_spectral_decay(ir, {1000.0, 30000.0}), UsageError);
}
