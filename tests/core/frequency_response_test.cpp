#include <catch2/catch.hpp>

#include <cmath>

#include "roomcal/core/error.hpp"
#include "roomcal/core/frequency_response.hpp"

using namespace roomcal;

TEST_CASE("log-frequency interpolation is linear in log f", "[core][frequency_response]") {
    FrequencyResponse r{{100.0, 1000.0}, {0.0, 10.0}, {}};
    CHECK(r.magnitude_db_at(Hz(std::sqrt(100.0 * 1000.0))) == Approx(5.0));
    CHECK(r.magnitude_db_at(50_Hz) == 0.0);
    CHECK(r.magnitude_db_at(5_kHz) == 10.0);
}

TEST_CASE("frequency grids and third-octave centres", "[core][frequency_response]") {
    const auto g = log_frequency_grid(20_Hz, 20_kHz, 12);
    CHECK(g.front() == Approx(20.0));
    CHECK(g.back() == Approx(20000.0));
    CHECK(g.size() == 121);  // ceil(9.966 octaves · 12) + 1
    const auto c = third_octave_centres(20_Hz, 20_kHz);
    CHECK(c.size() == 31);
    CHECK(c.front() == Approx(19.95).epsilon(1e-3));
    CHECK(c[17] == Approx(1000.0));
}

TEST_CASE("invalid responses are rejected with a message", "[core][frequency_response]") {
    FrequencyResponse r{{100.0, 50.0}, {0.0, 1.0}, {}};
    CHECK_THROWS_WITH(r.validate("mic.txt"), Catch::Contains("mic.txt") && Catch::Contains("increase"));
    FrequencyResponse nan{{100.0, 200.0}, {0.0, std::nan("")}, {}};
    CHECK_THROWS_AS(nan.validate("x"), Error);
    FrequencyResponse short_phase{{100.0, 200.0}, {0.0, 1.0}, {0.0}};
    CHECK_THROWS_WITH(short_phase.validate("x"), Catch::Contains("phase"));
}
