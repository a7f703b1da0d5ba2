// Mix against master on synthetic pairs whose truth is known: the master is the mix
// through known shelves and bells, a gain and the true-peak limiter, shifted by an offset,
// some with the polarity flipped, some at another sample rate.
#include <ebur128.h>
#include <catch2/catch.hpp>

#include <cmath>
#include <memory>
#include <random>

#include "roomcal/compare/compare.hpp"
#include "roomcal/core/error.hpp"
#include "roomcal/core/filter_set.hpp"
#include "roomcal/dsp/biquad_design.hpp"
#include "roomcal/dsp/true_peak_limiter.hpp"

using namespace roomcal;
using namespace roomcal::compare;

namespace {

// Stereo "music": slightly tilted noise with a level that changes every half second, the
// right channel partly its own; made at 44.1 kHz and brought to `fs`, so that, like
// music, it holds nothing above 20 kHz and survives a trip through 44.1 kHz unchanged.
AudioBuffer<float> music(double seconds, double fs, unsigned seed) {
    const double made = 44100.0;
    const auto n = static_cast<std::size_t>(seconds * made);
    AudioBuffer<float> x(2, n);
    std::mt19937 rng(seed);
    std::normal_distribution<double> g(0.0, 1.0);
    std::uniform_real_distribution<double> level(0.15, 1.0);
    double l1 = 0.0, r1 = 0.0, env = level(rng);
    for (std::size_t i = 0; i < n; ++i) {
        if (i % static_cast<std::size_t>(made / 2) == 0) env = level(rng);
        const double common = g(rng), own = g(rng);
        l1 = 0.6 * l1 + common;
        r1 = 0.6 * r1 + 0.8 * common + 0.6 * own;
        x(0, i) = static_cast<float>(0.05 * env * l1);
        x(1, i) = static_cast<float>(0.05 * env * r1);
    }
    return fs == made ? x : resample(x.view(), Hz(made), Hz(fs));
}

ChannelFilter mastering_eq(double fs) {
    ChannelFilter f;
    for (const ParametricFilter& p : {ParametricFilter{FilterType::low_shelf, 100.0, 0.7071, 3.0},
                                      ParametricFilter{FilterType::peaking, 3000.0, 1.0, -2.0},
                                      ParametricFilter{FilterType::high_shelf, 10000.0, 0.7071, 1.5}})
        f.biquads.push_back(dsp::design_biquad(p, Hz(fs)));
    return f;
}

// mix → EQ → gain → limiter (-1 dBTP), shifted by `offset` samples (positive: starts later).
AudioBuffer<float> make_master(const AudioBuffer<float>& mix, double fs, double gain_db, long offset, bool flip) {
    const ChannelFilter eq = mastering_eq(fs);
    const std::size_t n = mix.num_frames();
    AudioBuffer<float> y(2, n);
    const double g = std::pow(10.0, gain_db / 20.0) * (flip ? -1.0 : 1.0);
    for (std::size_t c = 0; c < 2; ++c) {
        std::vector<double> v(n);
        for (std::size_t i = 0; i < n; ++i) v[i] = mix(c, i);
        for (const auto& b : eq.biquads) {
            double x1 = 0, x2 = 0, y1 = 0, y2 = 0;
            for (auto& s : v) {
                const double o = b.b0 * s + b.b1 * x1 + b.b2 * x2 - b.a1 * y1 - b.a2 * y2;
                x2 = x1, x1 = s, y2 = y1, y1 = o, s = o;
            }
        }
        for (std::size_t i = 0; i < n; ++i) y(c, i) = static_cast<float>(g * v[i]);
    }
    dsp::TruePeakLimiter lim;
    lim.prepare(Hz(fs), n, 2);
    float* ch[2] = {y.view().channel(0).data(), y.view().channel(1).data()};
    lim.process(ch, n);
    const long lat = static_cast<long>(lim.latency_samples());
    AudioBuffer<float> out(2, static_cast<std::size_t>(static_cast<long>(n) + std::max(0L, offset)));
    for (std::size_t c = 0; c < 2; ++c)
        for (long i = 0; i < static_cast<long>(out.num_frames()); ++i) {
            const long src = i - offset + lat;  // the limiter's latency taken off
            if (src >= 0 && src < static_cast<long>(n))
                out(c, static_cast<std::size_t>(i)) = y(c, static_cast<std::size_t>(src));
        }
    return out;
}

double loudness(AudioView<const float> x, double fs) {
    ebur128_state* st =
        ebur128_init(static_cast<unsigned>(x.num_channels()), static_cast<unsigned long>(fs), EBUR128_MODE_I);
    std::vector<float> inter(x.num_frames() * x.num_channels());
    for (std::size_t i = 0; i < x.num_frames(); ++i)
        for (std::size_t c = 0; c < x.num_channels(); ++c) inter[i * x.num_channels() + c] = x(c, i);
    ebur128_add_frames_float(st, inter.data(), x.num_frames());
    double l = 0.0;
    ebur128_loudness_global(st, &l);
    ebur128_destroy(&st);
    return l;
}

// The loudest short-term loudness (3 s windows every 100 ms), straight from libebur128.
double max_short_term(AudioView<const float> x, double fs) {
    ebur128_state* st =
        ebur128_init(static_cast<unsigned>(x.num_channels()), static_cast<unsigned long>(fs), EBUR128_MODE_S);
    const auto hop = static_cast<std::size_t>(fs / 10.0);
    std::vector<float> inter(hop * x.num_channels());
    double best = -HUGE_VAL;
    for (std::size_t pos = 0; pos + hop <= x.num_frames(); pos += hop) {
        for (std::size_t i = 0; i < hop; ++i)
            for (std::size_t c = 0; c < x.num_channels(); ++c) inter[i * x.num_channels() + c] = x(c, pos + i);
        ebur128_add_frames_float(st, inter.data(), hop);
        double l = 0.0;
        if (pos + hop >= static_cast<std::size_t>(3.0 * fs) && ebur128_loudness_shortterm(st, &l) == EBUR128_SUCCESS)
            best = std::max(best, l);
    }
    ebur128_destroy(&st);
    return best;
}

// The EQ's power gain over a third-octave band (the mix is nearly white within a band).
double eq_band_db(const ChannelFilter& eq, double fc, double fs) {
    double p = 0.0;
    int k = 0;
    for (double e = -1.0 / 6.0; e <= 1.0 / 6.0; e += 1.0 / 600.0, ++k) {
        const double f = fc * std::pow(2.0, e);
        p += std::norm(eq.response(Hz(f), Hz(fs)));
    }
    return 10.0 * std::log10(p / k);
}

}  // namespace

TEST_CASE("compare finds the offset, polarity, gain and EQ of synthetic masters", "[compare]") {
    struct Pair {
        long offset;  // at 48 kHz
        bool flip;
        double mix_rate, master_rate;
    };
    const Pair pairs[] = {{59232, false, 48000, 48000},
                          {-168000, true, 48000, 48000},
                          {235200, false, 48000, 44100},
                          {-33600, true, 44100, 48000}};
    unsigned seed = 1;
    for (const auto& p : pairs) {
        CAPTURE(p.offset, p.flip, p.mix_rate, p.master_rate);
        const double fs = 48000.0;
        const auto mix48 = music(20.0, fs, seed++);
        const double gain = 4.0;
        auto master48 = make_master(mix48, fs, gain, p.offset, p.flip);
        // Truth of the level match: both at 48 kHz over the stretch of the mix the master
        // holds (all of it after a positive offset, all but the first -offset samples else).
        const std::size_t from = static_cast<std::size_t>(std::max(0L, -p.offset));
        const auto unshifted = make_master(mix48, fs, gain, 0, false);
        const double true_gain = loudness(unshifted.view().frames(from, mix48.num_frames() - from), fs) -
                                 loudness(mix48.view().frames(from, mix48.num_frames() - from), fs);
        const AudioBuffer<float> mix =
            p.mix_rate == fs ? AudioBuffer<float>(mix48) : resample(mix48.view(), Hz(fs), Hz(p.mix_rate));
        const AudioBuffer<float> master =
            p.master_rate == fs ? std::move(master48) : resample(master48.view(), Hz(fs), Hz(p.master_rate));
        const Comparison c = compare_pair(mix.view(), Hz(p.mix_rate), master.view(), Hz(p.master_rate));
        CHECK(c.sample_rate.value == 48000.0);
        CHECK(std::abs(c.alignment.offset_samples - p.offset) <= 1);
        CHECK(c.alignment.polarity_inverted == p.flip);
        CHECK(c.alignment.confidence > 0.9);
        CHECK(std::abs(c.gain_match_db - true_gain) <= 0.1);
        const ChannelFilter eq = mastering_eq(fs);
        double worst = 0.0, worst_hz = 0.0;
        for (const auto& b : c.bands) {
            if (b.centre_hz < 40.0 || b.centre_hz > 16000.0) continue;
            const double want = eq_band_db(eq, b.centre_hz, fs) + gain - c.gain_match_db;
            if (std::abs(b.diff_db - want) > worst) worst = std::abs(b.diff_db - want), worst_hz = b.centre_hz;
        }
        CAPTURE(worst_hz, c.summary);
        CHECK(worst <= 0.5);
        CHECK(c.summary.find("louder") != std::string::npos);
    }
}

TEST_CASE("compare's loudest 3 s is libebur128's short-term maximum", "[compare]") {
    const double fs = 48000.0;
    const auto mix = music(20.0, fs, 21);
    const auto master = make_master(mix, fs, 4.0, 0, false);
    const Comparison c = compare_pair(mix.view(), Hz(fs), master.view(), Hz(fs));
    REQUIRE(c.alignment.offset_samples == 0);
    const double want_mix = max_short_term(mix.view(), fs), want_master = max_short_term(master.view(), fs);
    CHECK(std::abs(c.mix.max_short_term_lufs - want_mix) <= 0.01);
    CHECK(std::abs(c.master.max_short_term_lufs - want_master) <= 0.01);
    CHECK(std::abs(c.loudest_match_db - (want_master - want_mix)) <= 0.01);
}

TEST_CASE("compare refuses unrelated music and says why", "[compare]") {
    const auto a = music(15.0, 48000.0, 11), b = music(15.0, 48000.0, 12);
    CHECK_THROWS_WITH(compare_pair(a.view(), Hz(48000.0), b.view(), Hz(48000.0)),
                      Catch::Contains("not look like versions of the same music"));
}

TEST_CASE("compare handles identical, mono, silent and very short files", "[compare]") {
    const double fs = 48000.0;
    const auto a = music(12.0, fs, 21);
    SECTION("identical files: no offset, no gain, no difference") {
        const Comparison c = compare_pair(a.view(), Hz(fs), a.view(), Hz(fs));
        CHECK(c.alignment.offset_samples == 0);
        CHECK_FALSE(c.alignment.polarity_inverted);
        CHECK(std::abs(c.gain_match_db) < 1e-6);
        for (const auto& b : c.bands) CHECK(std::abs(b.diff_db) < 1e-6);
        CHECK(c.summary.find("same tonal balance") != std::string::npos);
    }
    SECTION("a mono mix against its stereo master (the same signal on both sides)") {
        AudioBuffer<float> m(1, a.num_frames()), s(2, a.num_frames());
        for (std::size_t i = 0; i < a.num_frames(); ++i) m(0, i) = s(0, i) = s(1, i) = a(0, i);
        const Comparison c = compare_pair(m.view(), Hz(fs), s.view(), Hz(fs));
        CHECK(std::abs(c.gain_match_db) < 0.01);  // mono counts as played on both speakers
        CHECK_FALSE(c.width_known);
        CHECK(c.warnings.size() >= 1);
    }
    SECTION("silence is refused by name") {
        AudioBuffer<float> quiet(2, a.num_frames());
        CHECK_THROWS_WITH(compare_pair(a.view(), Hz(fs), quiet.view(), Hz(fs)), Catch::Contains("silent"));
    }
    SECTION("a one-second excerpt still aligns, with a warning") {
        const auto shortmix = a.view().frames(0, 48000);
        const Comparison c = compare_pair(shortmix, Hz(fs), a.view().frames(0, 48000), Hz(fs));
        CHECK(c.alignment.offset_samples == 0);
        bool warned = false;
        for (const auto& w : c.warnings) warned = warned || w.find("overlap") != std::string::npos;
        CHECK(warned);
    }
}
