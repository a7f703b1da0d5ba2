// Tests for IR windowing and spectra: a filter's response against its design, windows
// that gate reflections in or out, the frequency-dependent window, and group delay.
#include <catch2/catch.hpp>

#include <cmath>
#include <numbers>

#include "roomcal/core/error.hpp"
#include "roomcal/core/filter_set.hpp"
#include "roomcal/measure/response.hpp"

using namespace roomcal;
using namespace roomcal::measure;

namespace {

constexpr double fs = 48000.0;

// RBJ cookbook peaking EQ.
Biquad peaking(double f0, double gain_db, double q) {
    const double a = std::pow(10.0, gain_db / 40.0);
    const double w0 = 2.0 * std::numbers::pi * f0 / fs;
    const double alpha = std::sin(w0) / (2.0 * q);
    const double a0 = 1.0 + alpha / a;
    return {(1.0 + alpha * a) / a0, -2.0 * std::cos(w0) / a0, (1.0 - alpha * a) / a0, -2.0 * std::cos(w0) / a0,
            (1.0 - alpha / a) / a0};
}

// The filter's impulse response starting at `onset`, which is also the reference.
ImpulseResponse filter_ir(const Biquad& q, std::size_t onset, std::size_t length) {
    ImpulseResponse ir;
    ir.samples.assign(length, 0.0);
    ir.sample_rate = Hz(fs);
    ir.reference_sample = static_cast<double>(onset);
    double s1 = 0.0, s2 = 0.0;
    for (std::size_t n = onset; n < length; ++n) {
        const double in = n == onset ? 1.0 : 0.0;
        const double out = q.b0 * in + s1;
        s1 = q.b1 * in - q.a1 * out + s2;
        s2 = q.b2 * in - q.a2 * out;
        ir.samples[n] = out;
    }
    return ir;
}

// Direct sound at the reference plus a reflection of half its amplitude 20 ms later.
ImpulseResponse direct_and_reflection() {
    ImpulseResponse ir;
    ir.samples.assign(48000, 0.0);
    ir.sample_rate = Hz(fs);
    ir.reference_sample = 1000.0;
    ir.samples[1000] = 1.0;
    ir.samples[1000 + 960] = 0.5;
    return ir;
}

}  // namespace

TEST_CASE("frequency response of a peaking filter matches its design", "[measure][analysis][response]") {
    const auto q = peaking(1000.0, 6.0, 2.0);
    const auto grid = log_frequency_grid(20_Hz, 20_kHz, 24);
    const auto r = frequency_response(filter_ir(q, 100, 1u << 15), grid);
    REQUIRE(r.size() == grid.size());
    REQUIRE(r.has_phase());
    for (std::size_t i = 0; i < grid.size(); ++i) {
        const auto h = q.response(Hz(grid[i]), Hz(fs));
        INFO(grid[i] << " Hz");
        CHECK(r.magnitude_db[i] == Approx(gain_to_db(std::abs(h))).margin(0.05));
        CHECK(r.phase_rad[i] == Approx(std::arg(h)).margin(0.01));
    }
}

TEST_CASE("the IR window gates a late reflection in or out", "[measure][analysis][response]") {
    const auto ir = direct_and_reflection();
    const std::vector<double> grid{25.0, 50.0, 100.0, 1000.0, 5000.0};
    // Gated to 10 ms, only the direct sound remains: flat.
    const auto gated = frequency_response(ir, grid, IrWindow{5.0, 10.0});
    for (double m : gated.magnitude_db) CHECK(m == Approx(0.0).margin(0.01));
    // The default 500 ms window keeps the reflection: a comb with dips at 25 Hz (1 - 0.5)
    // and peaks at 50 Hz (1 + 0.5).
    const auto full = frequency_response(ir, grid);
    CHECK(full.magnitude_db[0] == Approx(gain_to_db(0.5)).margin(0.05));
    CHECK(full.magnitude_db[1] == Approx(gain_to_db(1.5)).margin(0.05));
    // The left window keeps out sound arriving 5 ms before the reference.
    auto early = ir;
    early.samples[1000 - 240] = 1.0;
    const auto left_gated = frequency_response(early, grid, IrWindow{2.0, 10.0});
    for (double m : left_gated.magnitude_db) CHECK(m == Approx(0.0).margin(0.01));
}

TEST_CASE("the frequency-dependent window resolves the bass and gates the treble", "[measure][analysis][response]") {
    const auto ir = direct_and_reflection();
    const auto grid = log_frequency_grid(20_Hz, 20_kHz, 12);
    const auto r = frequency_dependent_window(ir, grid, 15.0);
    for (std::size_t i = 0; i < grid.size(); ++i) {
        INFO(grid[i] << " Hz");
        // 15 cycles are shorter than ±20 ms from 375 Hz up: the reflection is outside.
        if (grid[i] >= 400.0) CHECK(std::abs(r.magnitude_db[i]) < 0.01);
    }
    const auto bass = frequency_dependent_window(ir, {25.0, 50.0}, 15.0);
    // At 25 Hz the window spans ±300 ms and keeps the reflection at 0.99 of its level.
    CHECK(bass.magnitude_db[0] < -5.5);
    CHECK(bass.magnitude_db[1] > 3.0);
}

TEST_CASE("group delay of a pure delay and of a filter", "[measure][analysis][response]") {
    ImpulseResponse delay;
    delay.samples.assign(8192, 0.0);
    delay.sample_rate = Hz(fs);
    delay.reference_sample = 1000.25;
    delay.samples[1048] = 1.0;
    const auto grid = log_frequency_grid(20_Hz, 20_kHz, 24);
    const auto gd = group_delay(frequency_response(delay, grid));
    for (double t : gd) CHECK(t == Approx(47.75 / fs).margin(1e-6));

    // A resonant boost: its group delay peaks near 7.7 ms at 200 Hz. The grid is fine
    // enough that central differences are within 0.1 % of the derivative.
    const auto q = peaking(200.0, 10.0, 4.0);
    const auto fine = log_frequency_grid(100_Hz, 400_Hz, 384);
    const auto filter_gd = group_delay(frequency_response(filter_ir(q, 50, 1u << 16), fine));
    for (std::size_t i = 1; i + 1 < fine.size(); ++i) {
        const double df = 1e-3;
        const double expected =
            -(std::arg(q.response(Hz(fine[i] + df), Hz(fs))) - std::arg(q.response(Hz(fine[i] - df), Hz(fs)))) /
            (2.0 * std::numbers::pi * 2.0 * df);
        INFO(fine[i] << " Hz");
        CHECK(filter_gd[i] == Approx(expected).epsilon(0.005).margin(2e-6));
    }
}

TEST_CASE("unusable windows grids and responses are refused", "[measure][analysis][response]") {
    const auto ir = direct_and_reflection();
    CHECK_THROWS_WITH(frequency_response(ir, {100.0, 30000.0}), Catch::Contains("Nyquist"));
    CHECK_THROWS_AS(frequency_response(ir, {}), UsageError);
    CHECK_THROWS_AS(frequency_response(ir, {200.0, 100.0}), UsageError);
    CHECK_THROWS_AS(frequency_response(ir, {100.0}, IrWindow{-1.0, 10.0}), UsageError);
    CHECK_THROWS_AS(frequency_response(ir, {100.0}, IrWindow{1.0, 0.0}), UsageError);
    CHECK_THROWS_AS(frequency_dependent_window(ir, {100.0}, 0.0), UsageError);
    FrequencyResponse magnitude_only;
    magnitude_only.frequency_hz = {100.0, 200.0};
    magnitude_only.magnitude_db = {0.0, 0.0};
    CHECK_THROWS_WITH(group_delay(magnitude_only), Catch::Contains("phase"));
}
