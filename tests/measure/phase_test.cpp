// Tests for minimum and excess phase: a minimum-phase filter gets its own phase back, a
// pure delay is all excess phase, and the minimum-phase IR moves a filter to time zero.
#include <catch2/catch.hpp>

#include <cmath>
#include <numbers>

#include "roomcal/core/error.hpp"
#include "roomcal/core/filter_set.hpp"
#include "roomcal/measure/phase.hpp"
#include "roomcal/measure/response.hpp"

using namespace roomcal;
using namespace roomcal::measure;

namespace {

constexpr double fs = 48000.0;
constexpr double pi = std::numbers::pi;

// RBJ cookbook peaking EQ: minimum phase for any gain.
Biquad peaking(double f0, double gain_db, double q) {
    const double a = std::pow(10.0, gain_db / 40.0);
    const double w0 = 2.0 * pi * f0 / fs;
    const double alpha = std::sin(w0) / (2.0 * q);
    const double a0 = 1.0 + alpha / a;
    return {(1.0 + alpha * a) / a0, -2.0 * std::cos(w0) / a0, (1.0 - alpha * a) / a0, -2.0 * std::cos(w0) / a0,
            (1.0 - alpha / a) / a0};
}

// Impulse response of the cascade, starting at `onset`; the reference is `reference`.
ImpulseResponse cascade_ir(const std::vector<Biquad>& sections, std::size_t onset, double reference,
                           std::size_t length) {
    ImpulseResponse ir;
    ir.samples.assign(length, 0.0);
    ir.samples[onset] = 1.0;
    ir.sample_rate = Hz(fs);
    ir.reference_sample = reference;
    for (const auto& q : sections) {
        double s1 = 0.0, s2 = 0.0;
        for (auto& v : ir.samples) {
            const double in = v;
            const double out = q.b0 * in + s1;
            s1 = q.b1 * in - q.a1 * out + s2;
            s2 = q.b2 * in - q.a2 * out;
            v = out;
        }
    }
    return ir;
}

const std::vector<Biquad> room_like{peaking(60.0, 8.0, 5.0), peaking(1000.0, 6.0, 1.4), peaking(5000.0, -4.0, 2.0)};

}  // namespace

TEST_CASE("a minimum-phase filter gets its own phase back", "[measure][analysis][phase]") {
    const auto grid = log_frequency_grid(20_Hz, 20_kHz, 48);
    const auto measured = frequency_response(cascade_ir(room_like, 200, 200.0, 1u << 16), grid);
    const auto minimum = minimum_phase(measured, Hz(fs));
    REQUIRE(minimum.magnitude_db == measured.magnitude_db);
    for (std::size_t i = 0; i < grid.size(); ++i) {
        std::complex<double> h = 1.0;
        for (const auto& q : room_like) h *= q.response(Hz(grid[i]), Hz(fs));
        INFO(grid[i] << " Hz");
        CHECK(minimum.phase_rad[i] == Approx(std::arg(h)).margin(0.01));
    }
}

TEST_CASE("a pure delay is all excess phase", "[measure][analysis][phase]") {
    const double tau = 96.0 / fs;  // 2 ms after the reference
    const auto grid = log_frequency_grid(20_Hz, 20_kHz, 24);
    const auto excess = excess_phase(frequency_response(cascade_ir({}, 1096, 1000.0, 1u << 14), grid), Hz(fs));
    for (std::size_t i = 0; i < grid.size(); ++i) {
        INFO(grid[i] << " Hz");
        CHECK(excess.magnitude_db[i] == 0.0);
        CHECK(excess.phase_rad[i] == Approx(-2.0 * pi * grid[i] * tau).margin(0.01));
    }
    for (double t : group_delay(excess)) CHECK(t == Approx(tau).margin(1e-6));
}

TEST_CASE("a delayed minimum-phase filter has only the delay as excess phase", "[measure][analysis][phase]") {
    const double tau = 48.0 / fs;
    const auto grid = log_frequency_grid(20_Hz, 20_kHz, 24);
    const auto excess = excess_phase(frequency_response(cascade_ir(room_like, 548, 500.0, 1u << 16), grid), Hz(fs));
    for (std::size_t i = 0; i < grid.size(); ++i) {
        INFO(grid[i] << " Hz");
        CHECK(excess.phase_rad[i] == Approx(-2.0 * pi * grid[i] * tau).margin(0.02));
    }
}

TEST_CASE("the minimum-phase IR moves a filter to time zero", "[measure][analysis][phase]") {
    const auto original = cascade_ir(room_like, 0, 0.0, 1u << 14);
    const auto delayed = cascade_ir(room_like, 300, 300.0, 1u << 14);
    const auto minimum = minimum_phase_ir(delayed);
    REQUIRE(minimum.size() == delayed.size());
    CHECK(minimum.reference_sample == 0.0);
    double worst = 0.0;
    for (std::size_t n = 0; n + 300 < original.size(); ++n)
        worst = std::max(worst, std::abs(minimum.samples[n] - original.samples[n]));
    CHECK(worst < 1e-4);

    // A maximum-phase pair [0.5, 1] has the minimum-phase twin [1, 0.5].
    ImpulseResponse pair;
    pair.samples = {0.5, 1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0};
    const auto twin = minimum_phase_ir(pair);
    CHECK(twin.samples[0] == Approx(1.0).margin(1e-6));
    CHECK(twin.samples[1] == Approx(0.5).margin(1e-6));
    CHECK(twin.samples[2] == Approx(0.0).margin(1e-6));
}

TEST_CASE("phase unwrapping removes the 2 pi jumps", "[measure][analysis][phase]") {
    std::vector<double> ramp(200), wrapped(200);
    for (std::size_t i = 0; i < ramp.size(); ++i) {
        ramp[i] = -0.7 * static_cast<double>(i);
        wrapped[i] = std::remainder(ramp[i], 2.0 * pi);
    }
    const auto unwrapped = unwrap_phase(wrapped);
    for (std::size_t i = 0; i < ramp.size(); ++i) CHECK(unwrapped[i] == Approx(ramp[i]).margin(1e-9));
}

TEST_CASE("phase analysis refuses what it cannot use", "[measure][analysis][phase]") {
    FrequencyResponse magnitude_only;
    magnitude_only.frequency_hz = {100.0, 200.0};
    magnitude_only.magnitude_db = {0.0, 0.0};
    CHECK_THROWS_WITH(excess_phase(magnitude_only), Catch::Contains("phase"));
    CHECK_THROWS_WITH(minimum_phase(magnitude_only, Hz(300.0)), Catch::Contains("Nyquist"));
    ImpulseResponse silent;
    silent.samples.assign(64, 0.0);
    CHECK_THROWS_WITH(minimum_phase_ir(silent), Catch::Contains("silent"));
}
