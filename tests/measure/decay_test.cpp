// Tests for octave-band decay analysis: the band filters, exact decays of synthetic
// responses, noise and bent decays flagged as unreliable, and the acceptance check: T30 of
// each built-in virtual room within 5 % of its stated RT60 from 125 Hz to 4 kHz.
#include <catch2/catch.hpp>

#include <cmath>
#include <numbers>
#include <random>

#include "roomcal/core/error.hpp"
#include "roomcal/measure/decay.hpp"
#include "roomcal/measure/virtual_room.hpp"

using namespace roomcal;
using namespace roomcal::measure;

namespace {

constexpr double fs = 48000.0;
constexpr double tolerance = 0.05;

double level_db(const std::vector<Biquad>& sections, double f) {
    std::complex<double> h = 1.0;
    for (const auto& q : sections) h *= q.response(Hz(f), Hz(fs));
    return gain_to_db(std::abs(h));
}

// Sinusoids from the reference on (10 ms in), each decaying at its own RT60.
struct Tone {
    double f_hz, rt60_s, amplitude;
};
ImpulseResponse decaying_tones(const std::vector<Tone>& tones, std::size_t length = 1u << 17) {
    ImpulseResponse ir;
    ir.samples.assign(length, 0.0);
    ir.sample_rate = Hz(fs);
    ir.reference_sample = 480.0;
    for (std::size_t n = 480; n < length; ++n) {
        const double t = static_cast<double>(n - 480) / fs;
        for (const auto& tone : tones)
            ir.samples[n] +=
                tone.amplitude * std::sin(2.0 * std::numbers::pi * tone.f_hz * t) * db_to_gain(-60.0 * t / tone.rt60_s);
    }
    return ir;
}

void add_white_noise(ImpulseResponse& ir, double rms, unsigned seed) {
    std::mt19937 rng(seed);
    std::normal_distribution<double> gauss(0.0, rms);
    for (auto& v : ir.samples) v += gauss(rng);
}

double peak(const ImpulseResponse& ir) {
    double p = 0.0;
    for (double v : ir.samples) p = std::max(p, std::abs(v));
    return p;
}

ImpulseResponse room_ir(const VirtualRoomSpec& room) {
    return simulate_impulse_response(room, 0, room.mic_positions[0], 48_kHz, 1u << 17);
}

// The acceptance check: every band from 125 Hz to 4 kHz reports T30 (or T20 where T30 is
// unreliable) within 5 % of the room's RT60.
void check_room_rt60(const std::string& name) {
    const auto& room = find_builtin_room(name);
    const auto results = decay_times(room_ir(room));
    REQUIRE(results.size() == rt60_band_centres_hz.size());
    for (std::size_t b = 1; b <= 6; ++b) {
        const auto& r = results[b];
        INFO(name << " " << r.centre_hz << " Hz: T30 " << r.t30_s << " s, T20 " << r.t20_s << " s, stated "
                  << room.rt60_s[b] << " s, r " << r.t30_r << ", range " << r.dynamic_range_db << " dB; " << r.note);
        CHECK(r.centre_hz == rt60_band_centres_hz[b]);
        CHECK(r.reliable);
        CHECK(r.rt60_s() == Approx(room.rt60_s[b]).epsilon(tolerance));
    }
}

// With white noise added: every value still reported is within 5 %, and T30 is flagged
// wherever the decay does not clear the noise by 45 dB. At -80 dB re the IR peak every
// band clears it; at -60 dB none does, and T20 stands in only where it can be trusted.
void check_noisy_room(const std::string& name, unsigned seed) {
    const auto& room = find_builtin_room(name);
    const auto clean = room_ir(room);
    for (const double noise_db : {-80.0, -60.0}) {
        auto ir = clean;
        add_white_noise(ir, peak(ir) * db_to_gain(noise_db), seed);
        const auto results = decay_times(ir);
        for (std::size_t b = 1; b <= 6; ++b) {
            const auto& r = results[b];
            INFO(name << " with noise at " << noise_db << " dB, " << r.centre_hz << " Hz: T30 " << r.t30_s << " s, T20 "
                      << r.t20_s << " s, stated " << room.rt60_s[b] << " s, range " << r.dynamic_range_db << " dB; "
                      << r.note);
            CHECK(r.reliable == (r.dynamic_range_db >= 45.0 && std::abs(r.t30_r) >= 0.99));
            CHECK(r.reliable == (noise_db == -80.0));
            if (r.reliable) CHECK(r.t30_s == Approx(room.rt60_s[b]).epsilon(tolerance));
            if (!r.reliable) CHECK_THAT(r.note, Catch::Contains("T30 unreliable"));
            if (std::isfinite(r.rt60_s())) CHECK(r.rt60_s() == Approx(room.rt60_s[b]).epsilon(tolerance));
        }
    }
}

}  // namespace

TEST_CASE("octave band filters pass their band and reject their neighbours", "[measure][analysis][decay]") {
    for (double centre : default_octave_centres_hz) {
        INFO(centre << " Hz");
        const auto sections = octave_band_filter(centre, Hz(fs));
        for (const auto& q : sections) CHECK(q.is_stable());
        CHECK(level_db(sections, centre) == Approx(0.0).margin(0.01));
        // Butterworth: -3 dB at both base-10 band edges.
        CHECK(level_db(sections, centre * std::pow(10.0, 0.15)) == Approx(-3.01).margin(0.05));
        CHECK(level_db(sections, centre / std::pow(10.0, 0.15)) == Approx(-3.01).margin(0.05));
        CHECK(level_db(sections, centre / 2.0) < -18.0);
        CHECK(level_db(sections, centre / 4.0) < -40.0);
        if (centre * 2.0 < fs / 2.0) CHECK(level_db(sections, centre * 2.0) < -18.0);
        if (centre * 4.0 < fs / 2.0) CHECK(level_db(sections, centre * 4.0) < -40.0);
    }
    CHECK_THROWS_WITH(octave_band_filter(20000.0, Hz(fs)), Catch::Contains("Nyquist"));
    CHECK_THROWS_AS(octave_band_filter(-1.0, Hz(fs)), UsageError);
}

TEST_CASE("exponential decays give their RT60 in each band", "[measure][analysis][decay]") {
    const auto ir = decaying_tones({{250.0, 0.8, 1.0}, {1000.0, 0.5, 1.0}, {4000.0, 0.3, 1.0}});
    const auto results = decay_times(ir, {250.0, 1000.0, 4000.0});
    const double expected[] = {0.8, 0.5, 0.3};
    for (std::size_t b = 0; b < 3; ++b) {
        const auto& r = results[b];
        INFO(r.centre_hz << " Hz");
        CHECK(r.edt_s == Approx(expected[b]).epsilon(0.01));
        CHECK(r.t20_s == Approx(expected[b]).epsilon(0.01));
        CHECK(r.t30_s == Approx(expected[b]).epsilon(0.01));
        CHECK(r.t30_r < -0.999);
        CHECK(r.reliable);
        CHECK(r.note.empty());
        CHECK(r.dynamic_range_db > 100.0);
    }
}

TEST_CASE("the Schroeder curve starts at 0 dB and falls 60 dB per RT60", "[measure][analysis][decay]") {
    const auto ir = decaying_tones({{1000.0, 0.5, 1.0}});
    const auto curve = schroeder_curve_db(ir, 1000.0);
    REQUIRE(curve.size() == ir.size());
    // The sine starts at zero: the ISO onset (20 dB below the peak) comes a few samples in.
    const std::size_t onset = 480;
    CHECK(curve[onset] == Approx(0.0).margin(0.01));
    for (std::size_t n = onset + 1; n < onset + 48000; ++n) REQUIRE(curve[n] <= curve[n - 1] + 1e-9);
    CHECK(curve[onset + 12000] == Approx(-30.0).margin(0.5));
    CHECK(curve[onset + 24000] == Approx(-60.0).margin(0.5));
    const auto broadband = schroeder_curve_db(ir);
    CHECK(broadband[onset + 12000] == Approx(-30.0).margin(0.5));
}

TEST_CASE("noise and bent decays are flagged with a reason", "[measure][analysis][decay]") {
    // About 42 dB of decay above the noise in the 1 kHz band: T30 needs 45, T20 is usable.
    auto noisy = decaying_tones({{1000.0, 0.5, 1.0}});
    add_white_noise(noisy, 0.0316, 3);
    const auto r = decay_times(noisy, {1000.0})[0];
    CHECK(r.dynamic_range_db == Approx(42.0).margin(3.0));
    CHECK_FALSE(r.reliable);
    CHECK_THAT(r.note, Catch::Contains("above the noise floor") && Catch::Contains("T20 is usable"));
    CHECK(r.rt60_s() == Approx(0.5).epsilon(tolerance));

    // About 30 dB: neither T30 nor T20 can be trusted.
    auto drowned = decaying_tones({{1000.0, 0.5, 1.0}});
    add_white_noise(drowned, 0.126, 4);
    const auto d = decay_times(drowned, {1000.0})[0];
    CHECK(d.dynamic_range_db < 35.0);
    CHECK_FALSE(d.reliable);
    CHECK(std::isnan(d.rt60_s()));
    CHECK_THAT(d.note, Catch::Contains("measure louder"));

    // A fast decay with a slow one 25 dB down: two slopes, no single RT60.
    const auto bent = decaying_tones({{1000.0, 0.2, 1.0}, {1030.0, 1.5, db_to_gain(-25.0)}});
    const auto s = decay_times(bent, {1000.0})[0];
    CHECK(std::abs(s.t30_r) < 0.99);
    CHECK_FALSE(s.reliable);
    CHECK(std::isnan(s.rt60_s()));
    CHECK_THAT(s.note, Catch::Contains("not a single slope"));
}

TEST_CASE("decay analysis refuses silence and out-of-range bands", "[measure][analysis][decay]") {
    ImpulseResponse silent;
    silent.samples.assign(4800, 0.0);
    CHECK_THROWS_WITH(decay_times(silent), Catch::Contains("silent"));
    auto low_rate = decaying_tones({{1000.0, 0.5, 1.0}}, 1u << 15);
    low_rate.sample_rate = Hz(16000.0);
    const auto results = decay_times(low_rate);
    CHECK(std::isnan(results.back().t30_s));
    CHECK_THAT(results.back().note, Catch::Contains("Nyquist"));
    CHECK_THROWS_AS(schroeder_curve_db(low_rate, 8000.0), UsageError);
    CHECK_THROWS_AS(decay_times(low_rate, {-125.0}), UsageError);
}

TEST_CASE("T30 of the untreated bedroom matches its RT60", "[measure][analysis][decay]") {
    check_room_rt60("untreated-bedroom");
}

TEST_CASE("T30 of the living room matches its RT60", "[measure][analysis][decay]") { check_room_rt60("living-room"); }

TEST_CASE("T30 of the treated studio matches its RT60", "[measure][analysis][decay]") {
    check_room_rt60("treated-studio");
}

TEST_CASE("RT60 of the untreated bedroom survives noise or is flagged", "[measure][analysis][decay]") {
    check_noisy_room("untreated-bedroom", 11);
}

TEST_CASE("RT60 of the living room survives noise or is flagged", "[measure][analysis][decay]") {
    check_noisy_room("living-room", 13);
}

TEST_CASE("RT60 of the treated studio survives noise or is flagged", "[measure][analysis][decay]") {
    check_noisy_room("treated-studio", 15);
}
