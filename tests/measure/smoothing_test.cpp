// Tests for power-domain smoothing: band widths of each kind, averaging in power rather
// than dB, flat responses untouched, speed on a dense grid, and parsing user input.
#include <catch2/catch.hpp>

#include <chrono>
#include <cmath>

#include "roomcal/core/error.hpp"
#include "roomcal/measure/smoothing.hpp"

using namespace roomcal;
using namespace roomcal::measure;

namespace {

FrequencyResponse flat_response(std::vector<double> grid, double level_db) {
    FrequencyResponse r;
    r.magnitude_db.assign(grid.size(), level_db);
    r.frequency_hz = std::move(grid);
    return r;
}

// 0 dB up to f_step, -200 dB above: smoothed, each point's power is the share of its
// band (in log-frequency) that lies below the step.
FrequencyResponse step_response(double f_step) {
    auto r = flat_response(log_frequency_grid(10_Hz, 20_kHz, 960), 0.0);
    for (std::size_t i = 0; i < r.size(); ++i)
        if (r.frequency_hz[i] > f_step) r.magnitude_db[i] = -200.0;
    return r;
}

double width_octaves(const Smoothing& s, double f) {
    const auto b = smoothing_band(s, f);
    return std::log2(b.high_hz / b.low_hz);
}

}  // namespace

TEST_CASE("smoothing bands follow their definitions", "[measure][analysis][smoothing]") {
    CHECK(width_octaves({SmoothingKind::fractional_octave, 3}, 1000.0) == Approx(1.0 / 3.0));
    CHECK(width_octaves({SmoothingKind::fractional_octave, 24}, 57.0) == Approx(1.0 / 24.0));
    const Smoothing var{SmoothingKind::variable};
    CHECK(width_octaves(var, 40.0) == Approx(1.0 / 48.0));
    CHECK(width_octaves(var, 100.0) == Approx(1.0 / 48.0));
    CHECK(width_octaves(var, 1000.0) == Approx(1.0 / 6.0));
    CHECK(width_octaves(var, 10000.0) == Approx(1.0 / 3.0));
    CHECK(width_octaves(var, 20000.0) == Approx(1.0 / 3.0));
    // Rises smoothly: never narrower at a higher frequency.
    double previous = 0.0;
    for (double f = 100.0; f <= 10000.0; f *= 1.01) {
        CHECK(width_octaves(var, f) >= previous);
        previous = width_octaves(var, f);
    }
    // Glasberg & Moore: one ERB at 1 kHz is 24.7 · 5.37 = 132.6 Hz.
    const auto erb = smoothing_band({SmoothingKind::erb}, 1000.0);
    CHECK(erb.high_hz - erb.low_hz == Approx(132.639));
    CHECK(erb.high_hz + erb.low_hz == Approx(2000.0));
}

TEST_CASE("smoothing averages over exactly its band", "[measure][analysis][smoothing]") {
    const double f_step = 1000.0;
    const auto r = step_response(f_step);
    for (const Smoothing s :
         {Smoothing{SmoothingKind::fractional_octave, 3}, Smoothing{SmoothingKind::fractional_octave, 12},
          Smoothing{SmoothingKind::variable}, Smoothing{SmoothingKind::erb}}) {
        const auto out = smooth(r, s);
        for (std::size_t i = 0; i < out.size(); ++i) {
            const double f = out.frequency_hz[i];
            const auto band = smoothing_band(s, f);
            const double share =
                std::clamp(std::log(f_step / band.low_hz) / std::log(band.high_hz / band.low_hz), 0.0, 1.0);
            if (f < 300.0 || f > 3000.0) continue;
            INFO("kind " << static_cast<int>(s.kind) << " at " << f << " Hz");
            // The step sits between two grid points 1/960 octave apart.
            CHECK(db_to_power(out.magnitude_db[i]) == Approx(share).margin(0.02));
        }
    }
}

TEST_CASE("smoothing keeps quiet bands beside loud ones", "[measure][analysis][smoothing]") {
    // 120 dB below the bass: running totals alone would lose these bands to rounding.
    auto r = flat_response(log_frequency_grid(20_Hz, 20_kHz, 96), -100.0);
    for (std::size_t i = 0; i < r.size(); ++i)
        if (r.frequency_hz[i] < 100.0) r.magnitude_db[i] = 20.0;
    const auto out = smooth(r, {SmoothingKind::fractional_octave, 3});
    for (std::size_t i = 0; i < out.size(); ++i)
        if (out.frequency_hz[i] > 200.0) CHECK(out.magnitude_db[i] == Approx(-100.0).margin(1e-6));
}

TEST_CASE("smoothing averages power not decibels", "[measure][analysis][smoothing]") {
    auto r = flat_response(log_frequency_grid(20_Hz, 20_kHz, 480), 0.0);
    for (std::size_t i = 1; i < r.size(); i += 2) r.magnitude_db[i] = -10.0;
    const auto out = smooth(r, {SmoothingKind::fractional_octave, 3});
    // Mean of 1 and 0.1 in power is -2.60 dB; the mean in dB would be -5.
    for (std::size_t i = 0; i < out.size(); ++i)
        if (out.frequency_hz[i] > 100.0 && out.frequency_hz[i] < 10000.0)
            CHECK(out.magnitude_db[i] == Approx(power_to_db(0.55)).margin(0.05));
}

TEST_CASE("smoothing leaves a flat response and its phase untouched", "[measure][analysis][smoothing]") {
    auto r = flat_response(log_frequency_grid(20_Hz, 20_kHz, 48), -7.5);
    r.phase_rad.assign(r.size(), 0.0);
    for (std::size_t i = 0; i < r.size(); ++i) r.phase_rad[i] = -0.01 * static_cast<double>(i);
    for (const Smoothing s : {Smoothing{SmoothingKind::fractional_octave, 6}, Smoothing{SmoothingKind::variable},
                              Smoothing{SmoothingKind::erb}, Smoothing{SmoothingKind::none}}) {
        const auto out = smooth(r, s);
        for (double m : out.magnitude_db) CHECK(m == Approx(-7.5).margin(1e-9));
        CHECK(out.phase_rad == r.phase_rad);
        CHECK(out.frequency_hz == r.frequency_hz);
    }
}

TEST_CASE("smoothing a dense linear grid is fast", "[measure][analysis][smoothing]") {
    std::vector<double> grid(1u << 18);
    for (std::size_t i = 0; i < grid.size(); ++i) grid[i] = 0.1 * static_cast<double>(i + 1);
    auto r = flat_response(std::move(grid), 0.0);
    for (std::size_t i = 0; i < r.size(); i += 3) r.magnitude_db[i] = -6.0;
    const auto t0 = std::chrono::steady_clock::now();
    const auto out = smooth(r, {SmoothingKind::fractional_octave, 48});
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    // A point-by-point band sum would visit ~10^10 pairs here; prefix sums take milliseconds.
    CHECK(seconds < 1.0);
    CHECK(out.magnitude_db[r.size() / 2] == Approx(power_to_db((2.0 + 0.25) / 3.0)).margin(0.01));
}

TEST_CASE("smoothing names parse and bad ones are refused", "[measure][analysis][smoothing]") {
    CHECK(parse_smoothing("1/6").kind == SmoothingKind::fractional_octave);
    CHECK(parse_smoothing("1/6").fraction == 6.0);
    CHECK(parse_smoothing(" 1/3 ").fraction == 3.0);
    CHECK(parse_smoothing("1/48").fraction == 48.0);
    CHECK(parse_smoothing("var").kind == SmoothingKind::variable);
    CHECK(parse_smoothing("ERB").kind == SmoothingKind::erb);
    CHECK(parse_smoothing("none").kind == SmoothingKind::none);
    for (const char* bad : {"1/0", "1/x", "1/200", "third", "", "1/"})
        CHECK_THROWS_WITH(parse_smoothing(bad), Catch::Contains("1/N") && Catch::Contains("var"));
    const auto r = flat_response({100.0, 200.0}, 0.0);
    CHECK_THROWS_AS(smooth(r, {SmoothingKind::fractional_octave, 0.0}), UsageError);
}
