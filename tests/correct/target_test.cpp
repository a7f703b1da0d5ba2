#include <catch2/catch.hpp>

#include "roomcal/core/error.hpp"
#include "roomcal/correct/target.hpp"

using namespace roomcal;
using namespace roomcal::correct;

TEST_CASE("flat and tilted targets", "[correct][target]") {
    CHECK(parse_target("flat").level_db(50_Hz) == 0.0);
    const auto t = parse_target("tilt:-1");
    CHECK(t.level_db(1_kHz) == Approx(0.0));
    CHECK(t.level_db(2_kHz) == Approx(-1.0));
    CHECK(t.level_db(125_Hz) == Approx(3.0));
    const auto p = parse_target("tilt:-0.5@500");
    CHECK(p.level_db(250_Hz) == Approx(0.5));
}

TEST_CASE("house curve shelf reaches its gain well below the corner", "[correct][target]") {
    const auto h = parse_target("house:+4@100");
    CHECK(h.level_db(10_Hz) == Approx(4.0).margin(0.05));
    CHECK(h.level_db(100_Hz) == Approx(power_to_db((db_to_power(4.0) + 1.0) / 2.0)));
    CHECK(h.level_db(5_kHz) == Approx(0.0).margin(0.01));
    const auto both = parse_target("house:+4@100,tilt:-1");
    CHECK(both.level_db(10_Hz) == Approx(4.0 + std::log2(1000.0 / 10.0)).margin(0.05));
    CHECK(both.describe().find("bass shelf") != std::string::npos);
}

TEST_CASE("bad target specs say what is wrong", "[correct][target]") {
    CHECK_THROWS_WITH(parse_target("tilt:abc"), Catch::Contains("not a number"));
    CHECK_THROWS_WITH(parse_target("wobbly"), Catch::Contains("not understood"));
    CHECK_THROWS_WITH(parse_target("house:+40"), Catch::Contains("12 dB"));
    CHECK_THROWS_WITH(parse_target("house:+4@5"), Catch::Contains("out of range"));
    CHECK_THROWS_AS(parse_target(""), UsageError);
}
