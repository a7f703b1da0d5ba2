// The engine's correction path against a double-precision rendering of the same
// FilterSet, its switches (bounded steps), its ceiling, and no allocation in process().
#include <catch2/catch.hpp>
#include <cmath>
#include <random>

#include "../support/allocation_counter.hpp"
#include "roomcal/core/error.hpp"
#include "roomcal/dsp/biquad_design.hpp"
#include "roomcal/dsp/fft.hpp"
#include "roomcal/dsp/filter_render.hpp"
#include "roomcal/engine/engine.hpp"

using namespace roomcal;
using namespace roomcal::engine;

namespace {

// A stereo set like a fit makes: gain, alignment delay on L, bass biquads, a short FIR.
FilterSet example_set(Hz rate) {
    FilterSet set;
    set.sample_rate = rate;
    std::mt19937 rng(7);
    std::normal_distribution<double> g(0.0, 1.0);
    for (const char* name : {"L", "R"}) {
        ChannelFilter f;
        f.channel = name;
        f.gain_db = -4.0;
        f.delay_samples = f.channel == "L" ? 13.0 : 0.0;
        f.parametric = {{FilterType::peaking, 48.0, 6.0, -9.0}, {FilterType::low_shelf, 120.0, 0.7, 2.5}};
        f.biquads = dsp::design_biquads(f.parametric, rate);
        f.fir.assign(3000, 0.0);
        f.fir[0] = 1.0;
        for (std::size_t i = 1; i < f.fir.size(); ++i) f.fir[i] = 0.05 * g(rng) * std::exp(-double(i) / 400.0);
        set.channels.push_back(f);
    }
    return set;
}

std::vector<float> noise(std::size_t n, unsigned seed, float level = 0.25f) {
    std::mt19937 rng(seed);
    std::normal_distribution<float> g(0.0f, level);
    std::vector<float> v(n);
    for (auto& s : v) s = g(rng);
    return v;
}

// x convolved with h (double), first x.size() samples.
std::vector<double> convolve(const std::vector<float>& x, const std::vector<double>& h) {
    const std::size_t n = dsp::next_fast_size(x.size() + h.size());
    const std::vector<double> xd(x.begin(), x.end());
    auto a = dsp::rfft(xd, n);
    const auto b = dsp::rfft(h, n);
    for (std::size_t k = 0; k < a.size(); ++k) a[k] *= b[k];
    auto y = dsp::irfft(a, n);
    y.resize(x.size());
    return y;
}

// Runs the engine over two channels in calls of random sizes up to `max_call`.
void run(Engine& e, std::vector<float>& l, std::vector<float>& r, std::size_t max_call, unsigned seed) {
    std::mt19937 rng(seed);
    std::uniform_int_distribution<std::size_t> call(1, max_call);
    for (std::size_t i = 0; i < l.size();) {
        const std::size_t n = std::min(call(rng), l.size() - i);
        const float* in[2] = {l.data() + i, r.data() + i};
        float* out[2] = {l.data() + i, r.data() + i};
        e.process(in, out, n);
        i += n;
    }
}

}  // namespace

TEST_CASE("the engine's correction equals the FilterSet rendered in double precision", "[engine]") {
    const Hz rate(48000.0);
    const auto set = example_set(rate);
    EngineConfig cfg;
    cfg.sample_rate = rate;
    cfg.mastering_chain = false;
    cfg.max_block = 256;
    Engine e(cfg);
    e.set_correction(std::make_unique<Correction>(set, rate, cfg.max_block, cfg.channels));
    // Let the swap's crossfade pass on silence first.
    std::vector<float> quiet_l(48000, 0.0f), quiet_r(48000, 0.0f);
    run(e, quiet_l, quiet_r, 256, 1);
    REQUIRE(e.crossfades_done() >= 1);

    const auto xl = noise(40000, 2), xr = noise(40000, 3);
    auto yl = xl, yr = xr;
    run(e, yl, yr, 700, 4);  // calls larger than the block are split inside
    for (int c = 0; c < 2; ++c) {
        const auto h = dsp::render_impulse_response(set.channels[c], rate, 20000, true);
        const auto want = convolve(c == 0 ? xl : xr, h);
        const auto& got = c == 0 ? yl : yr;
        double e2 = 0.0, s2 = 0.0;
        for (std::size_t i = 0; i < want.size(); ++i) {
            e2 += (got[i] - want[i]) * (got[i] - want[i]);
            s2 += want[i] * want[i];
        }
        CAPTURE(c, std::sqrt(e2 / s2));
        CHECK(std::sqrt(e2 / s2) < 1e-5);  // float path against double
    }
    CHECK(e.clipped_samples() == 0);
    CHECK(e.latency_samples() == 0);
}

TEST_CASE("a correction for another rate or channel is refused with what to do", "[engine]") {
    const auto set = example_set(Hz(48000.0));
    CHECK_THROWS_WITH(Correction(set, Hz(44100.0), 256, {"L", "R"}), Catch::Contains("--rate 44100"));
    CHECK_THROWS_WITH(Correction(set, Hz(48000.0), 256, {"L", "R", "C"}), Catch::Contains("channel C"));
    auto bad = set;
    bad.channels[0].fir[17] = std::nan("");
    CHECK_THROWS(Correction(bad, Hz(48000.0), 256, {"L", "R"}));
    CHECK_THROWS_AS(Engine(EngineConfig{Hz(48000.0), 0}), UsageError);
}

TEST_CASE("switching the correction crossfades with a bounded step", "[engine]") {
    const Hz rate(48000.0);
    EngineConfig cfg;
    cfg.sample_rate = rate;
    cfg.mastering_chain = false;
    cfg.max_block = 64;
    Engine e(cfg);
    e.set_correction(std::make_unique<Correction>(example_set(rate), rate, cfg.max_block, cfg.channels));
    // A 100 Hz sine: its own largest sample-to-sample change is 2π·100/48000 · amplitude.
    const std::size_t n = 48000;
    const float amp = 0.5f;
    std::vector<float> x(n);
    for (std::size_t i = 0; i < n; ++i) x[i] = amp * static_cast<float>(std::sin(2.0 * M_PI * 100.0 * i / 48000.0));
    std::vector<float> l = x, r = x;
    // Swap in (fade from nothing), then off, then on again, while the sine plays.
    std::size_t switched = 0;
    for (std::size_t i = 0; i < n; i += 64) {
        if (i == 16000) e.set_correction_enabled(false);
        if (i == 32000) e.set_correction_enabled(true);
        const float* in[2] = {l.data() + i, r.data() + i};
        float* out[2] = {l.data() + i, r.data() + i};
        e.process(in, out, 64);
        switched = e.crossfades_done();
    }
    CHECK(switched == 3);
    // Bound: a linear crossfade over F samples between two signals adds at most
    // max|a − b| / F to the larger of their own steps. Here |a − b| <= amp·(1 + corrected
    // gain <= 3.2) and F = 960, so the output may step at most the sine's own step plus
    // 0.0022 — and by far less than the 0.1 a click would make.
    const double own = 2.0 * M_PI * 100.0 / 48000.0 * amp * 3.2;
    const double bound = own + amp * 4.2 / 960.0;
    double worst = 0.0;
    for (std::size_t i = 1; i < n; ++i) worst = std::max(worst, static_cast<double>(std::abs(l[i] - l[i - 1])));
    CAPTURE(worst, bound);
    CHECK(worst <= bound);
}

TEST_CASE("the output never exceeds the ceiling and says when it had to clip", "[engine]") {
    EngineConfig cfg;
    cfg.mastering_chain = false;
    cfg.ceiling_db = -1.0;
    cfg.max_block = 128;
    Engine e(cfg);
    std::vector<float> l(4800), r(4800);
    for (std::size_t i = 0; i < l.size(); ++i) l[i] = r[i] = 1.5f * static_cast<float>(std::sin(i * 0.05));
    const float ceiling = static_cast<float>(std::pow(10.0, -1.0 / 20.0));
    std::size_t beyond = 0;  // both channels
    for (const float x : l) beyond += 2 * (std::abs(x) > ceiling);
    run(e, l, r, 128, 5);
    for (std::size_t i = 0; i < l.size(); ++i) REQUIRE(std::abs(l[i]) <= ceiling);
    CHECK(e.clipped_samples() == beyond);
}

TEST_CASE("the engine allocates nothing while it processes, swaps included", "[engine]") {
    const Hz rate(48000.0);
    EngineConfig cfg;
    cfg.sample_rate = rate;
    cfg.mastering_chain = false;
    cfg.max_block = 128;
    Engine e(cfg);
    auto next = std::make_unique<Correction>(example_set(rate), rate, cfg.max_block, cfg.channels);
    std::vector<float> l = noise(48000, 9), r = noise(48000, 10);
    e.set_correction(std::move(next));
    std::size_t allocations = 0;
    {
        test::AllocationCounter count;
        for (std::size_t i = 0; i < l.size(); i += 128) {
            if (i == 128 * 190) e.set_correction_enabled(false);
            const float* in[2] = {l.data() + i, r.data() + i};
            float* out[2] = {l.data() + i, r.data() + i};
            e.process(in, out, std::min<std::size_t>(128, l.size() - i));
        }
        allocations = count.count();
    }
    CHECK(e.crossfades_done() == 2);
    CHECK(allocations == 0);
}

// The bypass and alignment delays: runs of any length against a sample-by-sample ring,
// with `out` the same array as `in`, delays from 0 to the ring's limit, and wrapping.
#include "../../src/engine/src/delay_ring.hpp"

TEST_CASE("the delay ring delays by exactly its delay for any run of frames", "[engine][delay]") {
    std::mt19937 rng(11);
    for (const std::size_t max_block : {1u, 7u, 64u, 4096u}) {
        for (const std::size_t delay : {std::size_t{0}, std::size_t{1}, std::size_t{5}, max_block, 3 * max_block + 2}) {
            std::vector<float> ring(delay + max_block + 1, 0.0f);
            std::vector<float> history;  // everything written, to read the truth from
            std::size_t pos = 0;
            for (int call = 0; call < 40; ++call) {
                const std::size_t frames = std::uniform_int_distribution<std::size_t>(1, max_block)(rng);
                std::vector<float> buf(frames);
                for (auto& x : buf) x = static_cast<float>(history.size() + (&x - buf.data()) + 1);
                history.insert(history.end(), buf.begin(), buf.end());
                engine::delayed(buf.data(), buf.data(), ring, pos, delay, frames);
                pos = (pos + frames) % ring.size();
                for (std::size_t i = 0; i < frames; ++i) {
                    const std::size_t t = history.size() - frames + i;
                    const float want = t >= delay ? history[t - delay] : 0.0f;
                    INFO("block " << max_block << ", delay " << delay << ", call " << call << ", sample " << i);
                    REQUIRE(buf[i] == want);
                }
            }
        }
    }
}
