#include <catch2/catch.hpp>

#include <cmath>
#include <numbers>

#include "roomcal/core/error.hpp"
#include "roomcal/measure/averaging.hpp"

using namespace roomcal;
using namespace roomcal::measure;

TEST_CASE("RMS average adds power and spread is the dB standard deviation", "[measure][averaging]") {
    // Two positions: 0 dB and -6.02 dB (half amplitude) at one frequency.
    FrequencyResponse a{{100.0, 1000.0}, {0.0, 3.0}, {0.0, 0.0}};
    FrequencyResponse b{{100.0, 1000.0}, {gain_to_db(0.5), 3.0}, {0.0, std::numbers::pi}};
    const auto s = summarise_positions({a, b});
    CHECK(s.rms_average.magnitude_db[0] == Approx(power_to_db((1.0 + 0.25) / 2.0)));
    CHECK(s.spread_db[0] == Approx(std::abs(gain_to_db(0.5)) / std::sqrt(2.0)));
    CHECK(s.spread_db[1] == Approx(0.0).margin(1e-12));
    // Vector average: in phase at 100 Hz (0.75), opposite at 1 kHz (cancels to ~0).
    CHECK(s.vector_average.magnitude_db[0] == Approx(gain_to_db(0.75)));
    CHECK(s.vector_average.magnitude_db[1] < -200.0);
}

TEST_CASE("a single position has no spread and mismatched grids are refused", "[measure][averaging]") {
    FrequencyResponse a{{100.0, 1000.0}, {1.0, 2.0}, {}};
    const auto s = summarise_positions({a});
    CHECK(s.spread_db == std::vector<double>{0.0, 0.0});
    CHECK(s.vector_average.size() == 0);  // no phase, no vector average
    FrequencyResponse other{{100.0, 2000.0}, {1.0, 2.0}, {}};
    CHECK_THROWS_AS(summarise_positions({a, other}), Error);
    CHECK_THROWS_WITH(summarise_positions({}), Catch::Contains("at least one"));
}
