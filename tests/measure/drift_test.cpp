#include <catch2/catch.hpp>

#include <cmath>

#include "roomcal/core/error.hpp"
#include "roomcal/measure/drift.hpp"
#include "roomcal/measure/virtual_device.hpp"

using namespace roomcal;
using namespace roomcal::measure;

TEST_CASE("drift between separate clocks is measured from the timing markers", "[measure][drift]") {
    const auto& room = find_builtin_room("living-room");
    const auto sweep = make_sweep(SweepSpec{});
    for (double ppm : {0.0, 20.0, -35.0, 150.0}) {
        VirtualCapture cap;
        cap.mic = room.mic_positions[0];
        cap.drift_ppm = ppm;
        cap.ir_length = 1u << 15;
        cap.latency_samples = 777.3;
        const auto rec = simulate_recording(room, cap, sweep.signal, 4800);
        const auto t = measure_marker_timing(rec.audio.channel(0), sweep);
        REQUIRE(t.has_value());
        INFO("injected " << ppm << " ppm, measured " << t->drift_ppm);
        CHECK(t->drift_ppm == Approx(ppm).margin(1.0));
        CHECK(t->correlation > 0.9);
    }
}

TEST_CASE("drift compensation restores the playback clock", "[measure][drift]") {
    // A 1 kHz tone recorded 100 ppm fast reads 1 kHz · (1 − 100e-6) after compensation
    // is undone: compare zero-crossing counts over 10 s.
    const double fs = 48000.0;
    std::vector<double> x(static_cast<std::size_t>(10 * fs));
    for (std::size_t n = 0; n < x.size(); ++n) x[n] = std::sin(2 * M_PI * 1000.0 * static_cast<double>(n) / fs);
    const auto y = compensate_drift(x, 100.0);
    CHECK(static_cast<double>(y.size()) == Approx(static_cast<double>(x.size()) / 1.0001).margin(2));
    int crossings = 0;
    for (std::size_t n = 1000; n + 1 < y.size() - 1000; ++n)
        if ((y[n] < 0) != (y[n + 1] < 0)) ++crossings;
    const double freq = crossings / 2.0 / (static_cast<double>(y.size() - 2000) / fs);
    CHECK(freq == Approx(1000.0 * 1.0001).epsilon(2e-5));
}

TEST_CASE("a recording without the markers is refused", "[measure][drift]") {
    const auto sweep = make_sweep(SweepSpec{});
    std::vector<double> silence(sweep.signal.size() + 1000, 0.0);
    CHECK_THROWS_WITH(measure_marker_timing(silence, sweep), Catch::Contains("timing marker"));
    std::vector<double> short_rec(sweep.signal.size() / 2, 0.0);
    CHECK_THROWS_WITH(measure_marker_timing(short_rec, sweep), Catch::Contains("ends before"));
}

TEST_CASE("samples lost between the markers are refused, not taken for drift", "[measure][drift]") {
    const auto& room = find_builtin_room("treated-studio");
    const auto sweep = make_sweep(SweepSpec{});
    VirtualCapture cap;
    cap.mic = room.mic_positions[0];
    cap.ir_length = 1u << 15;
    const auto rec = simulate_recording(room, cap, sweep.signal, 4800);
    std::vector<double> mic(rec.audio.channel(0).begin(), rec.audio.channel(0).end());
    // One lost 128-frame buffer in the middle of the sweep.
    mic.erase(mic.begin() + static_cast<long>(sweep.sweep_offset + 100000),
              mic.begin() + static_cast<long>(sweep.sweep_offset + 100128));
    CHECK_THROWS_WITH(measure_marker_timing(mic, sweep), Catch::Contains("lost or repeated samples"));
}
