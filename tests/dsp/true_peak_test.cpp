// True peak: a known inter-sample peak, the skipping path against interpolating every
// sample, and libebur128's figure on the same signal.
#include <ebur128.h>
#include <catch2/catch.hpp>

#include <cmath>
#include <random>
#include <vector>

#include "roomcal/dsp/true_peak.hpp"

using namespace roomcal;

TEST_CASE("true peak finds the peak between the samples", "[dsp][true_peak]") {
    // A sine at a quarter of the rate, 45° off its samples: every sample is at 0.7071 of
    // the peak the waveform reaches between them.
    for (double fs : {44100.0, 48000.0, 96000.0}) {
        std::vector<float> x(4800);
        for (std::size_t i = 0; i < x.size(); ++i)
            x[i] = static_cast<float>(std::sin(M_PI / 2.0 * static_cast<double>(i) + M_PI / 4.0));
        CAPTURE(fs);
        const double tp = dsp::true_peak(x, Hz(fs));
        // fs/4 is inside the passband of the 4× (and 2×) interpolators: within 0.1 dB of 1.
        // At 96 kHz, 2× samples the waveform at 0.25/0.75 of each interval (0.924, −0.7 dB).
        if (fs < 96000.0)
            CHECK(20.0 * std::log10(tp) == Approx(0.0).margin(0.1));
        else
            CHECK(tp > 0.9);
    }
}

TEST_CASE("skipping quiet blocks gives the exhaustive answer exactly", "[dsp][true_peak]") {
    std::mt19937 rng(3);
    std::normal_distribution<double> g(0.0, 1.0);
    for (int trial = 0; trial < 6; ++trial) {
        std::vector<float> x(40000 + static_cast<std::size_t>(trial) * 777);
        double env = 0.1;
        for (std::size_t i = 0; i < x.size(); ++i) {
            if (i % 4000 == 0) env = 0.05 + 0.3 * std::abs(g(rng));
            x[i] = static_cast<float>(env * g(rng));
        }
        if (trial % 2) x[x.size() / 2] = 0.99f;  // an isolated peak
        const Hz fs(trial < 3 ? 48000.0 : 96000.0);
        CHECK(dsp::true_peak(x, fs) == dsp::true_peak_exhaustive(x, fs));
    }
    CHECK(dsp::true_peak(std::vector<float>{}, Hz(48000.0)) == 0.0);
}

TEST_CASE("true peak agrees with libebur128 within 0.2 dB", "[dsp][true_peak]") {
    std::mt19937 rng(8);
    std::normal_distribution<double> g(0.0, 0.2);
    std::vector<float> x(48000 * 3);
    double lp = 0.0;
    for (auto& v : x) v = static_cast<float>(lp = 0.3 * lp + g(rng));  // noise with some high end
    ebur128_state* st = ebur128_init(1, 48000, EBUR128_MODE_TRUE_PEAK);
    ebur128_add_frames_float(st, x.data(), x.size());
    double theirs = 0.0;
    ebur128_true_peak(st, 0, &theirs);
    ebur128_destroy(&st);
    const double ours = dsp::true_peak(x, Hz(48000.0));
    CHECK(20.0 * std::log10(ours) == Approx(20.0 * std::log10(theirs)).margin(0.2));
}

TEST_CASE("a stream read in chunks of any size peaks as the whole signal does", "[dsp][true_peak]") {
    std::mt19937 rng(11);
    std::normal_distribution<double> g(0.0, 1.0);
    std::uniform_int_distribution<std::size_t> chunk_size(1, 3000);
    for (double fs : {44100.0, 48000.0, 96000.0}) {
        // Bursts of noise and a near-Nyquist tone, ending in silence so the last points are read.
        std::vector<float> x(30000, 0.0f);
        for (std::size_t i = 0; i + 64 < x.size(); ++i) {
            const double env = (i / 3000) % 2 == 0 ? 0.05 : 0.3;
            x[i] = static_cast<float>(env * g(rng) + 0.2 * std::sin(0.95 * M_PI * static_cast<double>(i)));
        }
        dsp::TruePeakStream stream;
        stream.prepare(Hz(fs));
        double streamed = 0.0;
        std::size_t chunks = 0;
        for (std::size_t at = 0; at < x.size(); ++chunks) {
            const std::size_t n = std::min(chunk_size(rng), x.size() - at);
            const double p = stream.push(std::span<const float>(x.data() + at, n));
            // A chunk reads at least its own samples.
            float sample_peak = 0.0f;
            for (std::size_t i = at; i < at + n; ++i) sample_peak = std::max(sample_peak, std::abs(x[i]));
            CHECK(p >= sample_peak);
            streamed = std::max(streamed, p);
            at += n;
        }
        CAPTURE(fs, chunks);
        CHECK(streamed == Approx(dsp::true_peak_exhaustive(x, Hz(fs))).epsilon(1e-6));  // float sums
        // After reset() nothing earlier counts: the same as a fresh stream.
        stream.reset();
        dsp::TruePeakStream fresh;
        fresh.prepare(Hz(fs));
        const std::vector<float> quiet(2000, 0.01f);
        CHECK(stream.push(quiet) == fresh.push(quiet));
    }
}
