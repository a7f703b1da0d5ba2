// Offline rendering: the same output as the real-time path, latency taken off, and the
// meters fed through the engine's tap miss nothing of it.
#include <ebur128.h>

#include <catch2/catch.hpp>
#include <cmath>
#include <random>

#include "roomcal/core/error.hpp"
#include "roomcal/engine/engine.hpp"
#include "roomcal/engine/render.hpp"

using namespace roomcal;
using namespace roomcal::engine;

namespace {

FilterSet decaying_fir_set(std::size_t taps, std::size_t latency) {
    FilterSet set;
    set.sample_rate = Hz(48000.0);
    set.latency_samples = static_cast<double>(latency);
    std::mt19937 rng(3);
    std::normal_distribution<double> g(0.0, 1.0);
    for (const char* name : {"L", "R"}) {
        ChannelFilter f;
        f.channel = name;
        f.gain_db = -3.0;
        f.fir.assign(taps, 0.0);
        f.fir[latency] = 1.0;
        for (std::size_t i = latency + 1; i < taps; ++i)
            f.fir[i] = 0.02 * g(rng) * std::exp(-double(i - latency) / 2000.0);
        set.channels.push_back(f);
    }
    return set;
}

AudioBuffer<float> noise(std::size_t frames) {
    std::mt19937 rng(11);
    std::normal_distribution<float> g(0.0f, 0.2f);
    AudioBuffer<float> a(2, frames);
    for (std::size_t c = 0; c < 2; ++c)
        for (std::size_t i = 0; i < frames; ++i) a(c, i) = g(rng);
    return a;
}

// The largest difference between two renderings of the same channels, and the largest
// |sample| of the first.
std::pair<double, double> worst_and_peak(const AudioBuffer<float>& want, const AudioBuffer<float>& got) {
    double worst = 0.0, peak = 0.0;
    for (std::size_t c = 0; c < want.num_channels(); ++c)
        for (std::size_t i = 0; i < want.num_frames(); ++i) {
            worst = std::max(worst, static_cast<double>(std::abs(want(c, i) - got(c, i))));
            peak = std::max(peak, static_cast<double>(std::abs(want(c, i))));
        }
    return {worst, peak};
}

}  // namespace

TEST_CASE("render gives what the real-time path plays, in any block size", "[engine][render]") {
    const auto set = decaying_fir_set(20000, 0);
    const Hz rate(48000.0);
    const auto in = noise(30000);
    const std::vector<std::string> names{"L", "R"};
    const auto offline = render(in.view(), rate, names, std::make_unique<Correction>(set, rate, 4096, names), 4096);
    REQUIRE(offline.audio.num_frames() == in.num_frames());
    CHECK(offline.latency_samples == 0);

    // The callback: 64-frame blocks with an irregular one now and then.
    EngineConfig cfg;
    cfg.sample_rate = rate;
    cfg.max_block = 64;
    cfg.mastering_chain = false;
    Engine e(cfg);
    e.start_with(std::make_unique<Correction>(set, rate, 64, names));
    AudioBuffer<float> live = in;
    std::mt19937 rng(5);
    std::uniform_int_distribution<std::size_t> call(1, 64);
    for (std::size_t i = 0; i < live.num_frames();) {
        const std::size_t n = std::min(call(rng), live.num_frames() - i);
        const float* ip[2] = {&live(0, i), &live(1, i)};
        float* op[2] = {&live(0, i), &live(1, i)};
        e.process(ip, op, n);
        i += n;
    }
    const auto [worst, peak] = worst_and_peak(live, offline.audio);
    CAPTURE(worst, peak);
    // Equal up to float rounding (different partial-block FFTs): 1e-6 of the peak.
    CHECK(worst <= 1e-6 * peak);
}

TEST_CASE("render takes the correction's latency off the start", "[engine][render]") {
    // A pure delay of 1000 samples declared as the set's latency: the output is the input.
    FilterSet set = decaying_fir_set(1001, 1000);
    for (auto& c : set.channels) {
        std::fill(c.fir.begin(), c.fir.end(), 0.0);
        c.fir[1000] = 1.0;
        c.gain_db = 0.0;
    }
    const Hz rate(48000.0);
    const auto in = noise(5000);
    const std::vector<std::string> names{"L", "R"};
    const auto r = render(in.view(), rate, names, std::make_unique<Correction>(set, rate, 256, names), 256);
    CHECK(r.latency_samples == 1000);
    double worst = 0.0;
    for (std::size_t c = 0; c < 2; ++c)
        for (std::size_t i = 0; i < in.num_frames(); ++i)
            worst = std::max(worst, static_cast<double>(std::abs(r.audio(c, i) - in(c, i))));
    CHECK(worst < 1e-6);

    // Rendered in place: an input shorter than the latency comes out whole, all of it from
    // the flush after the input's end.
    const auto short_in = noise(600);
    const auto s =
        render(AudioBuffer<float>(short_in), rate, names, std::make_unique<Correction>(set, rate, 256, names), 256);
    REQUIRE(s.audio.num_frames() == 600);
    worst = 0.0;
    for (std::size_t c = 0; c < 2; ++c)
        for (std::size_t i = 0; i < 600; ++i)
            worst = std::max(worst, static_cast<double>(std::abs(s.audio(c, i) - short_in(c, i))));
    CHECK(worst < 1e-6);
    CHECK_THROWS_WITH(render(in.view(), rate, names, nullptr, 8), Catch::Contains("--block"));
}

TEST_CASE("render meters every frame it plays, in any block size", "[engine][render]") {
    const auto set = decaying_fir_set(4000, 0);
    const Hz rate(48000.0);
    // Noise 3 s, then 3 s at 12 dB less, so loudness range and gating have work to do.
    auto in = noise(6 * 48000);
    for (std::size_t c = 0; c < 2; ++c)
        for (std::size_t i = 3 * 48000; i < in.num_frames(); ++i) in(c, i) *= 0.25f;
    const std::vector<std::string> names{"L", "R"};
    // 65536 frames, more than the meters' default ring of 1 s, runs without a correction:
    // the correction's convolver takes blocks up to 4096.
    for (std::size_t block : {std::size_t{64}, std::size_t{4096}, std::size_t{65536}}) {
        CAPTURE(block);
        Meters meters;
        auto correction = block <= 4096 ? std::make_unique<Correction>(set, rate, block, names) : nullptr;
        const auto r = render(in.view(), rate, names, std::move(correction), block, {}, nullptr, &meters);
        const auto m = meters.readings();
        CHECK(m.dropped_frames == 0);
        CHECK(m.frames_metered == in.num_frames() + r.latency_samples);

        // The same output straight into libebur128.
        ebur128_state* st = ebur128_init(2, 48000, EBUR128_MODE_I | EBUR128_MODE_LRA | EBUR128_MODE_TRUE_PEAK);
        REQUIRE(st);
        std::vector<float> interleaved(2 * r.audio.num_frames());
        for (std::size_t i = 0; i < r.audio.num_frames(); ++i)
            for (std::size_t c = 0; c < 2; ++c) interleaved[2 * i + c] = r.audio(c, i);
        ebur128_add_frames_float(st, interleaved.data(), r.audio.num_frames());
        double integrated = 0.0, range = 0.0, true_peak = 0.0;
        ebur128_loudness_global(st, &integrated);
        ebur128_loudness_range(st, &range);
        for (unsigned c = 0; c < 2; ++c) {
            double v = 0.0;
            ebur128_true_peak(st, c, &v);
            true_peak = std::max(true_peak, v);
        }
        ebur128_destroy(&st);
        CHECK(m.integrated_lufs == Approx(integrated).margin(0.05));  // histogram mode: 0.1 LU bins
        CHECK(m.loudness_range_lu == Approx(range).margin(0.1));
        CHECK(std::max(m.true_peak_dbtp[0].max_db, m.true_peak_dbtp[1].max_db) ==
              Approx(20.0 * std::log10(true_peak)).margin(1e-6));
    }
}

TEST_CASE("render passes on the error of its reading or writing thread", "[engine][render]") {
    const auto set = decaying_fir_set(3000, 0);
    const Hz rate(48000.0);
    const std::vector<std::string> names{"L", "R"};
    for (const std::size_t failing_block : {0u, 1u, 7u}) {
        for (const bool reading : {true, false}) {
            std::size_t reads = 0, writes = 0;
            RenderStreams s;
            s.total_frames = 256 * 20;
            s.read = [&](float* const* into, std::size_t frames) {
                if (reading && reads == failing_block) throw Error("the disk went away while reading");
                for (std::size_t c = 0; c < 2; ++c) std::fill_n(into[c], frames, 0.1f);
                return ++reads <= 20 ? frames : std::size_t{0};
            };
            s.write = [&](const float* const*, std::size_t) {
                if (!reading && writes == failing_block) throw Error("the disk went away while writing");
                ++writes;
            };
            INFO((reading ? "reading" : "writing") << " fails at block " << failing_block);
            CHECK_THROWS_WITH(render(s, rate, names, std::make_unique<Correction>(set, rate, 256, names), 256),
                              Catch::Contains(reading ? "while reading" : "while writing"));
        }
    }
}

TEST_CASE("render runs odd channel counts and inputs that end on a block boundary", "[engine][render]") {
    // Three channels at a block long enough for the correction to split them two and one
    // between its threads.
    FilterSet set = decaying_fir_set(5000, 0);
    ChannelFilter c3 = set.channels[0];
    c3.channel = "C";
    c3.gain_db = -9.0;
    set.channels.push_back(c3);
    const Hz rate(48000.0);
    const std::vector<std::string> names{"L", "R", "C"};
    AudioBuffer<float> in(3, 8192 * 6);  // exactly 6 blocks
    std::mt19937 rng(2);
    std::normal_distribution<float> g(0.0f, 0.2f);
    for (std::size_t c = 0; c < 3; ++c)
        for (std::size_t i = 0; i < in.num_frames(); ++i) in(c, i) = g(rng);
    const auto offline = render(in.view(), rate, names, std::make_unique<Correction>(set, rate, 8192, names), 8192);
    REQUIRE(offline.audio.num_frames() == in.num_frames());
    // Against one Correction run serially in one call.
    Correction serial(set, rate, in.num_frames(), names);
    AudioBuffer<float> want = in;
    float* p[3] = {want.channel(0).data(), want.channel(1).data(), want.channel(2).data()};
    serial.process(p, p, want.num_frames());
    const auto [worst, peak] = worst_and_peak(want, offline.audio);
    CAPTURE(worst, peak);
    CHECK(worst <= 1e-6 * peak);
}
