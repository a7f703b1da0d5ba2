#include <catch2/catch.hpp>

#include <cmath>

#include "roomcal/core/error.hpp"
#include "roomcal/dsp/fft.hpp"
#include "roomcal/io/audio_file.hpp"
#include "roomcal/measure/sweep_file.hpp"
#include "support/test_support.hpp"

using namespace roomcal;
using namespace roomcal::measure;

TEST_CASE("synchronized sweep: L makes f1·L an integer and length close to the request", "[measure][sweep]") {
    SweepSpec spec;
    spec.start = 20_Hz;
    spec.end = 20_kHz;
    const auto s = make_sweep(spec);
    CHECK(std::abs(s.rate_l * 20.0 - std::round(s.rate_l * 20.0)) < 1e-9);
    CHECK(std::abs(static_cast<double>(s.sweep_samples) - static_cast<double>(spec.length_samples)) <
          48000.0 / 20.0 * std::log(1000.0));  // rounding L moves T by at most ln(f2/f1)/f1
    CHECK(s.sweep.size() == s.sweep_samples);
    CHECK(s.harmonic_advance(2).value == Approx(s.rate_l * std::log(2.0)));

    SweepSpec plain = spec;
    plain.timing_markers = false;
    const auto p = make_sweep(plain);
    CHECK(p.sweep_offset == 0);
    CHECK(p.signal.size() == p.sweep_samples + 48000);
    CHECK_FALSE(p.has_markers());
}

TEST_CASE("timing markers bracket the sweep with room-decay gaps", "[measure][sweep]") {
    const auto s = make_sweep(SweepSpec{});
    REQUIRE(s.has_markers());
    CHECK(s.marker.size() == 2400);
    // Marker, one second of silence, the sweep, one second of silence, the same marker.
    CHECK(s.sweep_offset == s.marker_offsets[0] + s.marker.size() + 48000);
    CHECK(s.marker_offsets[1] == s.sweep_offset + s.sweep_samples + 48000);
    for (std::size_t i = 0; i < s.marker.size(); ++i) {
        REQUIRE(s.signal[s.marker_offsets[0] + i] == s.marker[i]);
        REQUIRE(s.signal[s.marker_offsets[1] + i] == s.marker[i]);
    }
    for (std::size_t i = 0; i < s.sweep_samples; ++i) REQUIRE(s.signal[s.sweep_offset + i] == s.sweep[i]);
    for (std::size_t n = s.sweep_offset + s.sweep_samples; n < s.marker_offsets[1]; ++n) REQUIRE(s.signal[n] == 0.0);
    CHECK(s.signal.size() >= s.marker_offsets[1] + s.marker.size() + 12000);
    CHECK(s.harmonic_advance(2).value == Approx(s.rate_l * std::log(2.0)));
}

TEST_CASE("sweep level, fades and silence", "[measure][sweep]") {
    SweepSpec spec;
    spec.level_dbfs = -12.0;
    const auto s = make_sweep(spec);
    double peak = 0.0;
    for (double v : s.signal) peak = std::max(peak, std::abs(v));
    CHECK(gain_to_db(peak) == Approx(-12.0).margin(0.01));
    CHECK(std::abs(s.sweep[0]) < 1e-12);
    CHECK(std::abs(s.sweep[s.sweep_samples - 1]) < 1e-3 * peak);
    CHECK(s.signal[0] == 0.0);
}

TEST_CASE("sweep frequency follows f1·exp(t/L)", "[measure][sweep]") {
    SweepSpec spec;
    spec.fade_in = 0_s;
    const auto s = make_sweep(spec);
    const double fs = spec.sample_rate.value;
    const double f1 = spec.start.value;
    // Mean frequency between the first and last zero crossing of a window, with crossing
    // times interpolated, against the sweep's analytic phase 2π·f1·L·(exp(t/L) − 1).
    for (double at : {0.3, 0.6, 0.85}) {
        const auto start = static_cast<std::size_t>(at * static_cast<double>(s.sweep_samples));
        std::vector<double> crossings;
        for (std::size_t n = start; n < start + 4800; ++n)
            if ((s.sweep[n] < 0) != (s.sweep[n + 1] < 0))
                crossings.push_back(static_cast<double>(n) + s.sweep[n] / (s.sweep[n] - s.sweep[n + 1]));
        REQUIRE(crossings.size() > 4);
        const double t1 = crossings.front() / fs, t2 = crossings.back() / fs;
        const double measured = 0.5 * static_cast<double>(crossings.size() - 1) / (t2 - t1);
        const double cycles = f1 * s.rate_l * (std::exp(t2 / s.rate_l) - std::exp(t1 / s.rate_l));
        const double expected = cycles / (t2 - t1);
        INFO("at " << at << " of the sweep, " << expected << " Hz");
        CHECK(measured == Approx(expected).epsilon(0.002));
        CHECK(s.frequency_at(fs * t1) <= expected);
        CHECK(s.frequency_at(fs * t2) >= expected);
    }
}

TEST_CASE("sweep spectrum falls 3 dB per octave (equal energy per octave)", "[measure][sweep]") {
    SweepSpec spec;
    spec.silence_after = 0_s;
    const auto s = make_sweep(spec);
    const std::size_t n = dsp::next_fast_size(s.sweep.size());
    const auto spectrum = dsp::rfft(s.sweep, n);
    auto octave_energy = [&](double lo) {
        double e = 0.0;
        for (std::size_t k = 0; k < spectrum.size(); ++k) {
            const double f = static_cast<double>(k) * 48000.0 / static_cast<double>(n);
            if (f >= lo && f < 2 * lo) e += std::norm(spectrum[k]);
        }
        return power_to_db(e);
    };
    const double ref = octave_energy(1000.0);
    for (double lo : {50.0, 200.0, 4000.0}) CHECK(octave_energy(lo) == Approx(ref).margin(0.3));
}

TEST_CASE("bad sweep parameters name the parameter", "[measure][sweep]") {
    SweepSpec s;
    s.end = 30_kHz;
    CHECK_THROWS_WITH(make_sweep(s), Catch::Contains("above Nyquist") && Catch::Contains("24000"));
    s = {};
    s.level_dbfs = 3.0;
    CHECK_THROWS_AS(make_sweep(s), UsageError);
    s = {};
    s.sample_rate = 1000_Hz;
    CHECK_THROWS_WITH(make_sweep(s), Catch::Contains("sample rate"));
}

TEST_CASE("sweep file and sidecar regenerate the same sweep", "[measure][sweep]") {
    test::TempDir dir;
    SweepSpec spec;
    spec.sample_rate = 44.1_kHz;
    spec.end = 20_kHz;
    spec.length_samples = 1u << 16;
    const auto s = make_sweep(spec);
    write_sweep(dir / "s.wav", s);
    const auto back = read_sweep(dir / "s.wav");
    CHECK(back.signal == s.signal);
    const auto wav = io::read_audio_double(dir / "s.wav");
    CHECK(wav.audio.num_frames() == s.signal.size());
    CHECK(wav.audio(0, 1000) == Approx(s.signal[1000]).margin(1e-7));

    std::filesystem::remove(dir / "s.json");
    CHECK_THROWS_WITH(read_sweep(dir / "s.wav"), Catch::Contains("sidecar") && Catch::Contains("roomcal sweep"));
}
