// Live audio through real PortAudio on a private JACK server (dummy driver): the engine
// with correction and chain in the callback, the file player's A/B switch, the counters.
#include <catch2/catch.hpp>
#include <chrono>
#include <cmath>
#include <thread>

#include "roomcal/engine/devices.hpp"
#include "roomcal/engine/live_audio.hpp"
#include "support/jack_server.hpp"

using namespace roomcal;
using namespace roomcal::engine;

namespace {

FilterSet short_correction() {
    FilterSet set;
    set.sample_rate = Hz(48000.0);
    for (const char* n : {"L", "R"}) {
        ChannelFilter f;
        f.channel = n;
        f.gain_db = -3.0;
        f.fir.assign(65536, 0.0);
        f.fir[0] = 1.0;
        for (std::size_t i = 1; i < f.fir.size(); ++i)
            f.fir[i] = 1e-3 * std::sin(0.01 * double(i)) * std::exp(-double(i) / 8000.0);
        set.channels.push_back(f);
    }
    return set;
}

}  // namespace

TEST_CASE("the engine runs live through PortAudio on JACK, passing through and playing files", "[engine][live][jack]") {
    constexpr int period = 256;
    test::JackServer jack(48000, period, 2);
    INFO(jack.error());
    REQUIRE(jack.ok());
    PortAudioSession session;

    EngineConfig cfg;
    cfg.sample_rate = Hz(48000.0);
    cfg.max_block = period;
    Engine engine(cfg);
    engine.start_with(std::make_unique<Correction>(short_correction(), cfg.sample_rate, period, cfg.channels),
                      std::make_unique<Chain>(MasteringChain{}, cfg.sample_rate, period, 2));
    LiveAudioConfig lc;
    lc.device = "system";
    lc.frames_per_buffer = period;

    SECTION("pass-through: the callback runs the 65536-tap correction and the chain in time") {
        LiveAudio live(lc, engine);
        live.start();
        std::this_thread::sleep_for(std::chrono::seconds(3));
        engine.set_correction_enabled(false);  // switches crossfade while it runs
        std::this_thread::sleep_for(std::chrono::milliseconds(500));
        engine.set_correction_enabled(true);
        std::this_thread::sleep_for(std::chrono::milliseconds(500));
        live.stop();
        const auto st = live.stats();
        const double expected = 4.0 * 48000.0 / period;
        CAPTURE(st.callbacks, st.input_overflows, st.output_underflows, st.late_callbacks, st.max_callback_ms);
        CHECK(st.callbacks > expected * 0.9);
        CHECK(st.callbacks < expected * 1.1);
        CHECK(engine.crossfades_done() == 2);
        // Each callback should finish within its buffer's time (5.3 ms); on a loaded test
        // machine a preempted callback may not, so allow 2 % (the bench's paced runs grade
        // lateness on a quiet machine). The dummy driver's own timer slips show as xruns.
        CHECK(st.late_callbacks <= st.callbacks / 50);
        WARN("live pass-through, 4 s at " << period << " frames: " << st.callbacks << " callbacks, "
                                          << st.input_overflows + st.output_underflows << " xruns, slowest callback "
                                          << st.max_callback_ms << " ms");
    }

    SECTION("the file player plays from where it is and switches A/B on the same position") {
        AudioBuffer<float> a(2, 48000 * 3), b(2, 48000 * 3);
        for (std::size_t i = 0; i < a.num_frames(); ++i)
            for (std::size_t c = 0; c < 2; ++c) {
                a(c, i) = 0.1f * static_cast<float>(std::sin(2.0 * M_PI * 440.0 * i / 48000.0));
                b(c, i) = 0.2f * static_cast<float>(std::sin(2.0 * M_PI * 440.0 * i / 48000.0));
            }
        FilePlayer player(std::move(a), std::move(b), 2, 960);
        LiveAudio live(lc, engine, &player);
        live.start();
        player.play();
        std::this_thread::sleep_for(std::chrono::milliseconds(1000));
        const std::size_t at_switch = player.position();
        player.select_b(true);
        std::this_thread::sleep_for(std::chrono::milliseconds(500));
        CHECK(player.b_selected());
        CHECK(player.position() > at_switch);  // A/B does not restart the music
        std::this_thread::sleep_for(std::chrono::milliseconds(2000));
        CHECK_FALSE(player.playing());  // stopped at the end of the files
        CHECK(player.position() == player.frames());
        live.stop();
        CHECK(live.stats().late_callbacks <= live.stats().callbacks / 50);
        CHECK(engine.clipped_samples() == 0);
    }
}
