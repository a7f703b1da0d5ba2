#include <catch2/catch.hpp>

#include "roomcal/core/units.hpp"

using namespace roomcal;

TEST_CASE("unit literals carry their scale", "[core][units]") {
    CHECK((1.5_kHz).value == 1500.0);
    CHECK((20_Hz).value == 20.0);
    CHECK((250_ms).value == Approx(0.25));
    CHECK((-6_dB).value == -6.0);
    CHECK((1_kHz / 500_Hz) == 2.0);
    CHECK((1_s + 250_ms).value == Approx(1.25));
}

TEST_CASE("decibel conversions are inverse and anchored", "[core][units]") {
    CHECK(db_to_gain(-6.0206) == Approx(0.5).epsilon(1e-5));
    CHECK(gain_to_db(10.0) == Approx(20.0));
    CHECK(power_to_db(100.0) == Approx(20.0));
    for (double db : {-120.0, -3.0, 0.0, 12.5}) CHECK(gain_to_db(db_to_gain(db)) == Approx(db).margin(1e-12));
}

TEST_CASE("time and samples convert exactly at a rate", "[core][units]") {
    CHECK(to_samples(0.5_s, 48_kHz) == 24000.0);
    CHECK(to_seconds(44100.0, 44.1_kHz).value == Approx(1.0));
}
