#include <catch2/catch.hpp>

#include <cmath>

#include "roomcal/dsp/fft.hpp"
#include "roomcal/measure/deconvolve.hpp"
#include "roomcal/measure/virtual_device.hpp"
#include "support/response_grading.hpp"
#include "support/test_support.hpp"

using namespace roomcal;
using namespace roomcal::measure;

TEST_CASE("deconvolution recovers a known response exactly in band", "[measure][deconvolve]") {
    SweepSpec spec;
    spec.length_samples = 1u << 16;
    spec.timing_markers = false;
    const auto sweep = make_sweep(spec);
    // A known response: a delayed impulse and two echoes.
    ImpulseResponse ir;
    ir.samples.assign(4096, 0.0);
    ir.samples[100] = 1.0;
    ir.samples[350] = -0.5;
    ir.samples[1900] = 0.25;
    VirtualCapture cap;
    cap.impulse_response = ir;
    cap.noise_floor_dbfs = -200.0;
    cap.h2_db = -300.0;
    cap.h3_db = -300.0;
    cap.latency_samples = 0;
    const auto rec = simulate_recording(find_builtin_room("treated-studio"), cap, sweep.signal, 0);
    const auto d = deconvolve(rec.audio.channel(0), sweep);
    // The whole circular result: the band edges ring for longer than the response.
    std::vector<double> want(d.h.size(), 0.0);
    std::copy(ir.samples.begin(), ir.samples.end(), want.begin());
    CHECK(test::in_band_error_db(d.h, want, 48000.0) < -80.0);
    CHECK(peak_lag(d.h, 0, 4096) == Approx(100.0).margin(1e-6));
}

TEST_CASE("harmonic responses appear at L·ln(k) before the linear one", "[measure][deconvolve]") {
    SweepSpec spec;
    spec.length_samples = 1u << 17;
    spec.timing_markers = false;
    const auto sweep = make_sweep(spec);
    ImpulseResponse ir;
    ir.samples.assign(1024, 0.0);
    ir.samples[50] = 1.0;
    VirtualCapture cap;
    cap.impulse_response = ir;
    cap.noise_floor_dbfs = -200.0;
    cap.h2_db = -30.0;  // at the -20 dBFS reference level, the sweep's level
    cap.h3_db = -40.0;
    cap.latency_samples = 0;
    const auto rec = simulate_recording(find_builtin_room("treated-studio"), cap, sweep.signal, 0);
    const auto d = deconvolve(rec.audio.channel(0), sweep);
    for (auto [k, level] : {std::pair{2, -30.0}, std::pair{3, -40.0}}) {
        const auto hk = d.harmonic(k, 50.0, 100, 400);
        std::size_t at = 0;
        for (std::size_t i = 0; i < hk.size(); ++i)
            if (std::abs(hk[i]) > std::abs(hk[at])) at = i;
        // The harmonic lag L·ln(k)·fs is fractional, so the sampled peak under-reads:
        // its level is read from the spectrum, averaged over 200 Hz–5 kHz.
        const std::size_t n = 4096;
        const auto spectrum = dsp::rfft(hk, n);
        double sum_db = 0.0;
        int bins = 0;
        for (std::size_t b = 0; b < spectrum.size(); ++b) {
            const double f = static_cast<double>(b) * 48000.0 / static_cast<double>(n);
            if (f < 200 || f > 5000) continue;
            sum_db += gain_to_db(std::abs(spectrum[b]));
            ++bins;
        }
        INFO("harmonic " << k);
        CHECK(std::abs(static_cast<double>(at) - 100.0) <= 1.0);
        CHECK(sum_db / bins == Approx(level).margin(0.2));
    }
}
