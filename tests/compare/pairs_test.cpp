// Many mix/master pairs: a low shelf every master got (+3 dB on average, ±1 dB from song
// to song, plus a different bell per song) is recovered with an interval that holds it.
#include <catch2/catch.hpp>

#include <cmath>
#include <random>

#include "roomcal/compare/pairs.hpp"
#include "roomcal/core/error.hpp"
#include "roomcal/core/filter_set.hpp"
#include "roomcal/dsp/biquad_design.hpp"

using namespace roomcal;
using namespace roomcal::compare;

namespace {

AudioBuffer<float> song(double seconds, double fs, unsigned seed) {
    const auto n = static_cast<std::size_t>(seconds * fs);
    AudioBuffer<float> x(2, n);
    std::mt19937 rng(seed);
    std::normal_distribution<double> g(0.0, 1.0);
    std::uniform_real_distribution<double> level(0.2, 1.0), tilt(0.3, 0.8);
    const double a = tilt(rng);  // each song its own spectral tilt
    double l1 = 0.0, r1 = 0.0, env = level(rng);
    for (std::size_t i = 0; i < n; ++i) {
        if (i % static_cast<std::size_t>(fs / 2) == 0) env = level(rng);
        const double common = g(rng);
        l1 = a * l1 + common;
        r1 = a * r1 + 0.8 * common + 0.6 * g(rng);
        x(0, i) = static_cast<float>(0.04 * env * l1);
        x(1, i) = static_cast<float>(0.04 * env * r1);
    }
    return x;
}

AudioBuffer<float> through(const AudioBuffer<float>& x, const ChannelFilter& eq, double gain_db, std::size_t lead) {
    AudioBuffer<float> y(x.num_channels(), x.num_frames() + lead);
    const double g = std::pow(10.0, gain_db / 20.0);
    for (std::size_t c = 0; c < x.num_channels(); ++c) {
        std::vector<double> v(x.num_frames());
        for (std::size_t i = 0; i < v.size(); ++i) v[i] = x(c, i);
        for (const auto& b : eq.biquads) {
            double x1 = 0, x2 = 0, y1 = 0, y2 = 0;
            for (auto& s : v) {
                const double o = b.b0 * s + b.b1 * x1 + b.b2 * x2 - b.a1 * y1 - b.a2 * y2;
                x2 = x1, x1 = s, y2 = y1, y1 = o, s = o;
            }
        }
        for (std::size_t i = 0; i < v.size(); ++i) y(c, i + lead) = static_cast<float>(g * v[i]);
    }
    return y;
}

}  // namespace

TEST_CASE("a shelf every master got is told apart from song-to-song changes", "[compare][pairs]") {
    const double fs = 48000.0;
    std::mt19937 rng(42);
    std::uniform_real_distribution<double> shelf_var(-1.0, 1.0), bell_f(300.0, 6000.0), bell_g(-2.5, 2.5),
        gain(2.0, 6.0);
    std::uniform_int_distribution<std::size_t> lead(0, 96000);
    std::vector<Comparison> results;
    double level_share = 0.0;  // what level matching takes off every band, on average
    for (unsigned k = 0; k < 8; ++k) {
        const auto mix = song(8.0, fs, 100 + k);
        ChannelFilter eq;
        eq.biquads.push_back(dsp::design_biquad({FilterType::low_shelf, 150.0, 0.7071, 3.0 + shelf_var(rng)}, Hz(fs)));
        eq.biquads.push_back(dsp::design_biquad({FilterType::peaking, bell_f(rng), 1.0, bell_g(rng)}, Hz(fs)));
        const double g = gain(rng);
        const auto master = through(mix, eq, g, lead(rng));
        results.push_back(compare_pair(mix.view(), Hz(fs), master.view(), Hz(fs)));
        level_share += (g - results.back().gain_match_db) / 8.0;
    }
    const PairsSummary s = summarise_pairs(results);
    CHECK(s.pairs == 8);
    INFO(s.summary);
    int checked = 0;
    for (const auto& b : s.bands) {
        if (b.centre_hz < 40.0 || b.centre_hz > 80.0) continue;
        // Well below the 150 Hz corner the shelf gives its full gain: +3 dB on average,
        // less what level matching took off.
        const double truth = 3.0 + level_share;
        CAPTURE(b.centre_hz, b.mean_db, b.ci_low_db, b.ci_high_db, truth);
        CHECK(std::abs(b.mean_db - truth) <= 1.0);
        CHECK(b.ci_low_db <= truth);
        CHECK(b.ci_high_db >= truth);
        CHECK(b.consistent);
        CHECK(b.target_change_db < -1.0);  // lower the target where the masters keep adding
        ++checked;
    }
    CHECK(checked == 3);
    CHECK(s.summary.find("overstates") != std::string::npos);
    CHECK_THROWS_AS(summarise_pairs({results.front()}), UsageError);
}
