#include <catch2/catch.hpp>

#include <cmath>
#include <random>

#include "roomcal/core/error.hpp"
#include "roomcal/core/frequency_response.hpp"
#include "roomcal/dsp/fft.hpp"
#include "roomcal/measure/recording_analysis.hpp"
#include "roomcal/measure/response.hpp"
#include "roomcal/measure/smoothing.hpp"
#include "roomcal/measure/virtual_device.hpp"
#include "support/response_grading.hpp"

using namespace roomcal;
using namespace roomcal::measure;

namespace {

constexpr double fs = 48000.0;

// RMS of the mic signal while the sweep plays, in dBFS: the reference for "60 dB SNR".
double sweep_rms_dbfs(const VirtualRoomSpec& room, VirtualCapture cap, const Sweep& sweep) {
    cap.noise_floor_dbfs = -300.0;
    const auto clean = simulate_recording(room, cap, sweep.signal, 0);
    double e = 0.0;
    const auto ch = clean.audio.channel(0);
    for (std::size_t n = sweep.sweep_offset; n < sweep.sweep_offset + sweep.sweep_samples; ++n) e += ch[n] * ch[n];
    return power_to_db(e / static_cast<double>(sweep.sweep_samples));
}

}  // namespace

TEST_CASE("measured response matches the virtual room at 60 dB SNR", "[measure][recording_analysis][slow]") {
    const auto& room = find_builtin_room("living-room");
    const auto sweep = make_sweep(SweepSpec{});  // 2^18 samples at 48 kHz
    VirtualCapture cap;
    cap.mic = room.mic_positions[0];
    cap.h2_db = -300.0;  // distortion has its own test; here the linear response is graded
    cap.h3_db = -300.0;
    cap.noise_floor_dbfs = sweep_rms_dbfs(room, cap, sweep) - 60.0;
    const auto rec = simulate_recording(room, cap, sweep.signal, 0);

    AnalysisOptions opt;
    opt.loopback_channel = 1;
    const auto a = analyze_recording(rec.audio.view(), sweep, opt);
    CHECK(a.timing == TimingSource::loopback);
    CHECK(a.latency_samples == Approx(room.latency_samples).margin(0.05));  // exact to the sample
    const std::size_t pre = 4800;                                           // AnalysisOptions::pre_reference, 100 ms
    const auto truth = test::placed_truth(rec.true_response.samples, a.impulse_response, pre);

    const double mag_err = test::max_magnitude_difference_db(test::sixth_octave_response(a.impulse_response),
                                                             test::sixth_octave_response(truth), 20, 20000);
    const double ir_err = test::in_band_error_db(a.impulse_response.samples, truth.samples, fs);
    WARN("max |magnitude error| 20 Hz–20 kHz, 1/6 octave: " << mag_err << " dB; IR error " << ir_err << " dB");
    CHECK(mag_err <= 0.2);
    CHECK(ir_err <= -40.0);
    CHECK(a.arrival_samples == Approx(rec.true_response.reference_sample).margin(1.0));
    CHECK(a.drift_ppm.has_value());
    CHECK(std::abs(*a.drift_ppm) < 0.5);
    for (const auto& b : a.snr_db)
        if (b.centre_hz >= 125 && b.centre_hz <= 8000) CHECK(b.value > 40.0);
}

TEST_CASE("20 ppm clock drift is measured and compensated", "[measure][recording_analysis][slow]") {
    const auto& room = find_builtin_room("treated-studio");
    const auto sweep = make_sweep(SweepSpec{});
    VirtualCapture cap;
    cap.mic = room.mic_positions[0];
    cap.h2_db = -300.0;
    cap.h3_db = -300.0;
    cap.drift_ppm = 20.0;
    cap.noise_floor_dbfs = sweep_rms_dbfs(room, cap, sweep) - 60.0;
    const auto rec = simulate_recording(room, cap, sweep.signal, 0);

    AnalysisOptions on;
    on.loopback_channel = 1;
    AnalysisOptions off = on;
    off.compensate_drift = false;
    const auto fixed = analyze_recording(rec.audio.view(), sweep, on);
    const auto raw = analyze_recording(rec.audio.view(), sweep, off);
    REQUIRE(fixed.drift_ppm.has_value());
    CHECK(*fixed.drift_ppm == Approx(20.0).margin(1.0));

    const std::size_t pre = 4800;
    const auto truth_fixed = test::placed_truth(rec.true_response.samples, fixed.impulse_response, pre);
    const auto truth_raw = test::placed_truth(rec.true_response.samples, raw.impulse_response, pre);
    const double mag_fixed = test::max_magnitude_difference_db(test::sixth_octave_response(fixed.impulse_response),
                                                               test::sixth_octave_response(truth_fixed), 10000, 16000);
    const double mag_raw = test::max_magnitude_difference_db(test::sixth_octave_response(raw.impulse_response),
                                                             test::sixth_octave_response(truth_raw), 10000, 16000);
    const double ir_fixed = test::in_band_error_db(fixed.impulse_response.samples, truth_fixed.samples, fs);
    const double ir_raw = test::in_band_error_db(raw.impulse_response.samples, truth_raw.samples, fs);
    WARN("drift measured " << *fixed.drift_ppm << " ppm; 10–16 kHz magnitude error: " << mag_fixed
                           << " dB compensated, " << mag_raw << " dB not; IR error " << ir_fixed << " dB compensated, "
                           << ir_raw << " dB not");
    CHECK(mag_fixed <= 0.5);
    CHECK(ir_fixed <= -40.0);
    CHECK(ir_raw > ir_fixed + 10.0);
}

TEST_CASE("injected 2nd and 3rd harmonics are recovered within 1 dB", "[measure][recording_analysis]") {
    SweepSpec spec;
    spec.length_samples = 1u << 17;
    VirtualCapture cap;
    ImpulseResponse anechoic;  // a loudspeaker in free field: the harmonics' own level shows
    anechoic.samples.assign(4096, 0.0);
    anechoic.samples[200] = 0.5;
    cap.impulse_response = anechoic;
    cap.h2_db = -36.0;
    cap.h3_db = -45.0;
    cap.noise_floor_dbfs = -110.0;
    const auto& room = find_builtin_room("treated-studio");
    for (double level : {-20.0, -14.0}) {
        spec.level_dbfs = level;
        const auto sweep = make_sweep(spec);
        const auto rec = simulate_recording(room, cap, sweep.signal, 0);
        const auto a = analyze_recording(rec.audio.view(), sweep, {});
        // The driver's harmonics grow with level: 2nd by 1 dB/dB, 3rd by 2 dB/dB.
        const double want_h2 = -36.0 + (level - distortion_reference_dbfs);
        const double want_h3 = -45.0 + 2.0 * (level - distortion_reference_dbfs);
        int checked = 0;
        for (const auto& p : a.distortion) {
            if (p.frequency_hz < 50 || p.frequency_hz > 5000 || p.harmonic_db.size() < 2) continue;
            INFO("level " << level << " dBFS, " << p.frequency_hz << " Hz");
            CHECK(p.harmonic_db[0] == Approx(want_h2).margin(1.0));
            CHECK(p.harmonic_db[1] == Approx(want_h3).margin(1.0));
            ++checked;
        }
        CHECK(checked > 50);
    }
}

TEST_CASE("decay times of the measured room are within 5 percent", "[measure][recording_analysis][slow]") {
    for (const auto& room : builtin_rooms()) {
        const auto sweep = make_sweep(SweepSpec{});
        VirtualCapture cap;
        cap.mic = room.mic_positions[0];
        const auto rec = simulate_recording(room, cap, sweep.signal, 0);
        AnalysisOptions opt;
        opt.loopback_channel = 1;
        const auto a = analyze_recording(rec.audio.view(), sweep, opt);
        for (const auto& b : a.decay) {
            if (b.centre_hz < 125 || b.centre_hz > 4000) continue;
            std::size_t i = 0;
            while (rt60_band_centres_hz[i] != b.centre_hz) ++i;
            INFO(room.name << " " << b.centre_hz << " Hz: measured " << b.rt60_s() << " s, truth " << room.rt60_s[i]);
            CHECK(b.rt60_s() == Approx(room.rt60_s[i]).epsilon(0.05));
        }
    }
}

TEST_CASE("recordings that cannot give a result are refused", "[measure][recording_analysis]") {
    const auto sweep = make_sweep(SweepSpec{});
    const auto& room = find_builtin_room("treated-studio");
    VirtualCapture cap;
    cap.mic = room.mic_positions[0];
    auto rec = simulate_recording(room, cap, sweep.signal, 0);

    SECTION("silent") {
        AudioBuffer<double> silent(1, sweep.signal.size());
        CHECK_THROWS_WITH(analyze_recording(silent.view(), sweep), Catch::Contains("silent"));
    }
    SECTION("clipped") {
        auto loud = rec.audio;
        for (auto& v : loud.channel(0)) v = std::clamp(v * 1000.0, -1.0, 1.0);
        CHECK_THROWS_WITH(analyze_recording(loud.view(), sweep), Catch::Contains("clips") && Catch::Contains("6 dB"));
    }
    SECTION("too quiet") {
        auto quiet = rec.audio;
        for (auto& v : quiet.channel(0)) v *= 1e-3;
        CHECK_THROWS_WITH(analyze_recording(quiet.view(), sweep), Catch::Contains("too quiet"));
    }
    SECTION("truncated") {
        AudioBuffer<double> cut(2, sweep.signal.size() / 2);
        for (std::size_t c = 0; c < 2; ++c)
            for (std::size_t i = 0; i < cut.num_frames(); ++i) cut(c, i) = rec.audio(c, i);
        CHECK_THROWS_WITH(analyze_recording(cut.view(), sweep), Catch::Contains("truncated"));
    }
    SECTION("loopback channel missing") {
        AudioBuffer<double> mono(1, rec.audio.num_frames());
        std::copy(rec.audio.channel(0).begin(), rec.audio.channel(0).end(), mono.channel(0).begin());
        AnalysisOptions opt;
        opt.loopback_channel = 1;
        CHECK_THROWS_AS(analyze_recording(mono.view(), sweep, opt), UsageError);
    }
    SECTION("unrelated audio") {
        AudioBuffer<double> noise(1, rec.audio.num_frames());
        std::mt19937 rng(3);
        std::normal_distribution<double> g(0.0, 0.05);
        for (auto& v : noise.channel(0)) v = g(rng);
        CHECK_THROWS_AS(analyze_recording(noise.view(), sweep), Error);
    }
}
