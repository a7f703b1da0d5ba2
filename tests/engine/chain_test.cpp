// The mastering chain in the engine: EQ against its analog prototype, level-matched
// bypass, the limiter's ceiling at the output, crossfaded switches without allocation.
#include <catch2/catch.hpp>
#include <cmath>
#include <functional>
#include <random>

#include "../support/allocation_counter.hpp"
#include "roomcal/dsp/biquad_design.hpp"
#include "roomcal/dsp/fft.hpp"
#include "roomcal/engine/engine.hpp"

using namespace roomcal;
using namespace roomcal::engine;

namespace {

MasteringChain eq_chain() {
    MasteringChain c;
    c.eq = {{{FilterType::low_shelf, 100.0, 0.7, -3.0}, true},
            {{FilterType::peaking, 1000.0, 1.0, 6.0}, true},
            {{FilterType::high_shelf, 10000.0, 0.7, 4.0}, true},
            {{FilterType::peaking, 15000.0, 2.0, -6.0}, true},
            {{FilterType::peaking, 18000.0, 4.0, 3.0}, true}};
    c.limiter.enabled = false;
    return c;
}

// K-weighting is close enough to flat for comparing two versions of one signal: plain RMS.
double rms(const std::vector<float>& x, std::size_t from) {
    double s = 0.0;
    for (std::size_t i = from; i < x.size(); ++i) s += double(x[i]) * x[i];
    return std::sqrt(s / double(x.size() - from));
}

void run(Engine& e, std::vector<float>& l, std::vector<float>& r, std::size_t block,
         const std::function<void(std::size_t)>& at = {}) {
    for (std::size_t i = 0; i < l.size(); i += block) {
        if (at) at(i);
        const std::size_t n = std::min(block, l.size() - i);
        const float* in[2] = {l.data() + i, r.data() + i};
        float* out[2] = {l.data() + i, r.data() + i};
        e.process(in, out, n);
    }
}

}  // namespace

TEST_CASE("chain EQ bands match their analog prototypes up to 20 kHz at 44.1 kHz", "[engine][chain]") {
    const Hz rate(44100.0);
    // Each band alone through the chain (limiter off: a plain delay of its latency),
    // including narrow bands close to Nyquist where bilinear designs cramp.
    std::vector<ChainBand> bands = eq_chain().eq;
    bands.push_back({{FilterType::peaking, 18000.0, 4.0, -12.0}, true});
    bands.push_back({{FilterType::high_shelf, 16000.0, 0.7, 6.0}, true});
    bands.push_back({{FilterType::low_shelf, 40.0, 0.7, 6.0}, true});
    for (const auto& band : bands) {
        MasteringChain c;
        c.eq = {band};
        c.limiter.enabled = false;
        Chain chain(c, rate, 4096, 1);
        std::vector<float> x(65536, 0.0f);
        x[0] = 1.0f;
        for (std::size_t i = 0; i < x.size(); i += 4096) {
            float* p[1] = {x.data() + i};
            chain.process(p, 4096);
        }
        // The impulse response starts at the chain's latency.
        const std::size_t lat = chain.latency_samples();
        std::vector<double> h(x.begin() + static_cast<std::ptrdiff_t>(lat), x.end());
        const auto spec = dsp::rfft(h, h.size());
        double worst = 0.0, at = 0.0;
        for (std::size_t k = 1; k < spec.size(); ++k) {
            const double f = double(k) * rate.value / double(h.size());
            if (f < 20.0 || f > 20000.0) continue;
            const double want = 20.0 * std::log10(std::abs(dsp::analog_response(band.filter, Hz(f))));
            const double d = std::abs(20.0 * std::log10(std::abs(spec[k])) - want);
            if (d > worst) worst = d, at = f;
        }
        CAPTURE(short_name(band.filter.type), band.filter.frequency_hz, band.filter.q, band.filter.gain_db, worst, at);
        CHECK(worst <= 0.25);
    }
}

TEST_CASE("the chain's bypass is level-matched and the switch crossfades", "[engine][chain]") {
    const Hz rate(48000.0);
    EngineConfig cfg;
    cfg.sample_rate = rate;
    cfg.max_block = 256;
    Engine e(cfg);
    MasteringChain c;
    c.makeup_db = 6.0;
    c.limiter.enabled = false;
    e.start_with(nullptr, std::make_unique<Chain>(c, rate, 256, 2));
    std::mt19937 rng(4);
    std::normal_distribution<float> g(0.0f, 0.05f);
    std::vector<float> l(48000 * 16), r(l.size());
    for (std::size_t i = 0; i < l.size(); ++i) l[i] = r[i] = g(rng);
    const auto original = l;
    // Chain on for 8 s (the match settles), then bypassed.
    run(e, l, r, 256, [&](std::size_t i) {
        if (i == 256 * 1500) e.set_chain_enabled(false);
    });
    CHECK(e.bypass_match_db() == Approx(6.0).margin(0.2));
    const double on = rms(std::vector<float>(l.begin() + 48000 * 4, l.begin() + 48000 * 8), 0);
    const double off = rms(std::vector<float>(l.begin() + 48000 * 10, l.end()), 0);
    CAPTURE(20 * std::log10(on / off));
    CHECK(std::abs(20.0 * std::log10(on / off)) < 0.3);  // bypass as loud as the chain
    CHECK(e.crossfades_done() == 1);
    // The bypass path is the input delayed by the chain's latency, times the match.
    const std::size_t lat = e.latency_samples();
    const double gain = std::pow(10.0, e.bypass_match_db() / 20.0);
    for (std::size_t i = 48000 * 12; i < 48000 * 12 + 1000; ++i)
        REQUIRE(l[i] == Approx(original[i - lat] * gain).margin(2e-3 * 0.05));
}

TEST_CASE("with the limiter on, the engine's output stays under the ceiling", "[engine][chain]") {
    const Hz rate(48000.0);
    EngineConfig cfg;
    cfg.sample_rate = rate;
    cfg.max_block = 128;
    Engine e(cfg);
    MasteringChain c;
    c.makeup_db = 12.0;  // drive a loud signal hard into the limiter
    e.start_with(nullptr, std::make_unique<Chain>(c, rate, 128, 2));
    std::mt19937 rng(6);
    std::normal_distribution<float> g(0.0f, 0.3f);
    std::vector<float> l(48000 * 2), r(l.size());
    for (std::size_t i = 0; i < l.size(); ++i) l[i] = g(rng), r[i] = g(rng);
    std::size_t allocations = 0;
    {
        test::AllocationCounter count;
        run(e, l, r, 128);
        allocations = count.count();
    }
    CHECK(allocations == 0);
    const float ceiling = static_cast<float>(std::pow(10.0, -1.0 / 20.0));
    float peak = 0.0f;
    for (std::size_t i = 0; i < l.size(); ++i) peak = std::max({peak, std::abs(l[i]), std::abs(r[i])});
    CAPTURE(peak);
    CHECK(peak <= ceiling * 1.006f);  // sample peak; the limiter's own tests grade true peak
    CHECK(e.gain_reduction_db() > 3.0);
    CHECK(e.clipped_samples() == 0);
}

TEST_CASE("the engine's output reaches the meters", "[engine][chain]") {
    // EBU Tech 3341 case 1 through the engine (no correction, chain bypassed): -23 LUFS.
    const Hz rate(48000.0);
    EngineConfig cfg;
    cfg.sample_rate = rate;
    cfg.max_block = 512;
    Engine e(cfg);
    e.set_chain_enabled(false);
    e.start_with(nullptr, nullptr);
    Meters meters;
    meters.prepare(48000.0, 2);
    e.attach_meters(&meters.tap());
    const float amp = static_cast<float>(std::pow(10.0, -23.0 / 20.0));
    std::vector<float> l(48000 * 20), r(l.size());
    for (std::size_t i = 0; i < l.size(); ++i)
        l[i] = r[i] = amp * static_cast<float>(std::sin(2.0 * M_PI * 1000.0 * i / 48000.0));
    for (std::size_t i = 0; i < l.size(); i += 512) {
        const float* in[2] = {l.data() + i, r.data() + i};
        float* out[2] = {l.data() + i, r.data() + i};
        e.process(in, out, 512);
        meters.update();
    }
    const auto m = meters.readings();
    CHECK(m.integrated_lufs == Approx(-23.0).margin(0.1));
}

TEST_CASE("a fixed engine (an offline render's) plays what a switchable one plays, and cannot switch", "[engine][chain]") {
    const Hz rate(48000.0);
    MasteringChain c = eq_chain();
    c.limiter.enabled = true;
    c.makeup_db = 9.0;
    std::mt19937 rng(8);
    std::normal_distribution<float> g(0.0f, 0.2f);
    std::vector<float> l(48000), r(l.size());
    for (std::size_t i = 0; i < l.size(); ++i) l[i] = g(rng), r[i] = g(rng);
    std::vector<std::vector<float>> outputs;
    for (const bool switchable : {true, false}) {
        EngineConfig cfg;
        cfg.sample_rate = rate;
        cfg.max_block = 256;
        cfg.level_match = false;
        cfg.switchable = switchable;
        Engine e(cfg);
        e.start_with(nullptr, std::make_unique<Chain>(c, rate, 256, 2));
        std::vector<float> ol = l, orr = r;
        run(e, ol, orr, 256);
        CHECK(e.gain_reduction_db() > 0.5);
        CHECK(e.latency_samples() == Chain::latency_at(rate));
        ol.insert(ol.end(), orr.begin(), orr.end());
        outputs.push_back(ol);
        if (!switchable) {
            CHECK_THROWS_WITH(e.set_chain(nullptr), Catch::Contains("cannot switch"));
            CHECK_THROWS_WITH(e.set_correction(nullptr), Catch::Contains("cannot switch"));
        }
    }
    REQUIRE(outputs[0].size() == outputs[1].size());
    for (std::size_t i = 0; i < outputs[0].size(); ++i) REQUIRE(outputs[0][i] == outputs[1][i]);
}
