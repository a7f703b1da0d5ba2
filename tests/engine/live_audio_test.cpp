// Live audio through real PortAudio on a private JACK server (dummy driver): the engine
// with correction and chain in the callback, the file player's A/B switch, the counters,
// a minute at 128 frames without a dropout, and the watchdog when the server vanishes.
#include <poll.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <cmath>
#include <string>
#include <thread>

#include "roomcal/engine/devices.hpp"
#include "roomcal/engine/live_audio.hpp"
#include "support/jack_server.hpp"

using namespace roomcal;
using namespace roomcal::engine;
using Catch::Matchers::Contains;
using Clock = std::chrono::steady_clock;

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

std::size_t xruns(const LiveStats& st) { return st.input_overflows + st.output_underflows; }

// AddressSanitizer makes the callback several times slower: memory is checked, time is not graded.
#if defined(__SANITIZE_ADDRESS__)
constexpr bool sanitized = true;
#else
constexpr bool sanitized = false;
#endif

// What a child process that ran live audio until its device vanished tells the test.
struct LossReport {
    Clock::time_point lost_at;  // when health() first reported the loss
    double stop_s = 0.0;        // how long stop(), ~LiveAudio and ~PortAudioSession took together
    std::string message;        // health()'s message, or what went wrong instead
};

// Runs pass-through live audio on the JACK server in a child process (once its server has
// gone, PortAudio stays initialised for good, which the test process must not inherit) and
// polls health() every 10 ms. `ready` is written when the audio runs; the report when the
// loss was seen (or after 20 s without one).
[[noreturn]] void live_until_lost(int ready, int report) {
    std::string line;
    try {
        PortAudioSession session;
        EngineConfig cfg;
        cfg.max_block = 128;
        Engine engine(cfg);
        engine.start_with(std::make_unique<Correction>(short_correction(), cfg.sample_rate, 128, cfg.channels),
                          std::make_unique<Chain>(MasteringChain{}, cfg.sample_rate, 128, 2));
        LiveAudioConfig lc;
        lc.device = "system";
        auto live = std::make_unique<LiveAudio>(lc, engine);
        live->start();
        const char go = 'g';
        if (::write(ready, &go, 1) != 1) ::_exit(1);
        const auto give_up = Clock::now() + std::chrono::seconds(20);
        LiveHealth h;
        while ((h = live->health()).ok() && Clock::now() < give_up)
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
        const auto lost_at = Clock::now();
        live->stop();
        live.reset();
        const double stop_s = std::chrono::duration<double>(Clock::now() - lost_at).count();
        line = std::to_string(lost_at.time_since_epoch().count()) + " " + std::to_string(stop_s) + " " +
               (h.ok() ? std::string("no loss seen") : h.message);
    } catch (const std::exception& e) {
        line = "0 0 threw: " + std::string(e.what());
    }
    const bool sent = ::write(report, line.data(), line.size()) == static_cast<ssize_t>(line.size());
    ::_exit(sent ? 0 : 1);
}

// Starts live_until_lost() in a child, does `vanish` to the server once the audio has run
// for a second, and returns the child's report with the time `vanish` began.
template <typename Vanish>
std::pair<LossReport, Clock::time_point> lose_device(Vanish&& vanish) {
    int ready[2], report[2];
    REQUIRE(::pipe(ready) == 0);
    REQUIRE(::pipe(report) == 0);
    const pid_t child = ::fork();
    REQUIRE(child >= 0);
    if (child == 0) {
        ::close(ready[0]);
        ::close(report[0]);
        live_until_lost(ready[1], report[1]);
    }
    ::close(ready[1]);
    ::close(report[1]);
    pollfd started{ready[0], POLLIN, 0};
    const bool running = ::poll(&started, 1, 10000) == 1;
    ::close(ready[0]);
    std::this_thread::sleep_for(std::chrono::seconds(1));
    const auto vanished_at = Clock::now();
    if (running) vanish();
    pollfd answered{report[0], POLLIN, 0};
    const bool answer = ::poll(&answered, 1, 30000) == 1;
    std::string line;
    char chunk[512];
    for (ssize_t n; answer && (n = ::read(report[0], chunk, sizeof chunk)) > 0;) line.append(chunk, n);
    ::close(report[0]);
    if (!answer) ::kill(child, SIGKILL);
    int status = 0;
    ::waitpid(child, &status, 0);
    REQUIRE(running);
    REQUIRE(answer);  // the child neither hung nor crashed
    REQUIRE(WIFEXITED(status));
    LossReport r;
    const std::size_t a = line.find(' '), b = line.find(' ', a + 1);
    REQUIRE(b != std::string::npos);
    r.lost_at = Clock::time_point(Clock::duration(std::stoll(line.substr(0, a))));
    r.stop_s = std::stod(line.substr(a + 1, b - a - 1));
    r.message = line.substr(b + 1);
    return {r, vanished_at};
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

// The acceptance load: a minute of pass-through at 128 frames (2.7 ms) through a 65536-tap
// stereo correction and the default chain (true-peak limiter). The server runs realtime (-R)
// where the machine allows, so its cycles and PortAudio's callback thread are SCHED_FIFO.
// Every xrun and every callback that outlasts its buffer fails the test, unless the dummy
// driver's own timer woke late during the run: a machine that cannot keep a 2.7 ms timer
// (a busy shared VM) makes xruns whatever the callback does, so the run is reported, not
// graded (the control: the same run without correction shows the same driver lateness).
// Under AddressSanitizer it runs 10 s, for memory errors only.
TEST_CASE("a minute of live pass-through at 128 frames with a 65536-tap correction and the chain has no dropouts",
          "[engine][live][jack][slow]") {
    constexpr unsigned period = 128;
    constexpr int seconds = sanitized ? 10 : 60;
    test::JackServer jack(48000, period, 2, true);
    INFO(jack.error());
    REQUIRE(jack.ok());
    LiveStats st;
    std::size_t unhealthy = 0, clipped = 0;
    {
        PortAudioSession session;
        EngineConfig cfg;
        cfg.max_block = period;
        Engine engine(cfg);
        engine.start_with(std::make_unique<Correction>(short_correction(), cfg.sample_rate, period, cfg.channels),
                          std::make_unique<Chain>(MasteringChain{}, cfg.sample_rate, period, 2));
        LiveAudioConfig lc;
        lc.device = "system";
        lc.frames_per_buffer = period;
        LiveAudio live(lc, engine);
        live.start();
        const auto start = Clock::now();
        while (Clock::now() - start < std::chrono::seconds(seconds)) {
            std::this_thread::sleep_for(std::chrono::milliseconds(100));
            unhealthy += !live.health().ok();
            engine.collect();
        }
        live.stop();
        unhealthy += !live.health().ok();
        st = live.stats();
        clipped = engine.clipped_samples();
    }
    jack.stop();  // its log is complete once it has gone
    const std::size_t timer_late = jack.count_in_log("JackTimedDriver::Process XRun");
    const std::size_t client_late = jack.count_in_log("was not finished");
    CAPTURE(st.callbacks, st.input_overflows, st.output_underflows, st.late_callbacks, st.max_callback_ms, timer_late,
            client_late);
    WARN("live pass-through, " << seconds << " s at " << period << " frames, 65536 taps + chain: " << st.callbacks
                               << " callbacks, " << xruns(st) << " xruns, " << st.late_callbacks
                               << " late, slowest callback " << st.max_callback_ms << " ms of "
                               << 1e3 * period / 48000.0 << " ms, load " << 100.0 * st.cpu_load
                               << " %; jackd: its timer late " << timer_late << " times, PortAudio's client late "
                               << client_late << " times");
    CHECK(unhealthy == 0);  // the watchdog never took a minute of audio for a lost device
    CHECK(st.callbacks > seconds * 48000.0 / period * (sanitized ? 0.5 : 0.95));
    CHECK(clipped == 0);
    if (sanitized) {
        WARN("not graded for xruns: a sanitizer build");
    } else if (timer_late == 0) {
        CHECK(xruns(st) == 0);
        CHECK(st.late_callbacks == 0);
    } else {
        WARN("not graded for xruns: the JACK dummy driver's own timer woke late " << timer_late
                                                                                  << " times (a machine too busy "
                                                                                     "for a 2.7 ms period)");
    }
}

TEST_CASE("live audio whose JACK server vanishes reports the lost device, goes silent and stops at once",
          "[engine][live][jack]") {
    test::JackServer jack(48000, 128, 2);
    INFO(jack.error());
    REQUIRE(jack.ok());

    std::pair<LossReport, Clock::time_point> r;
    std::string how;
    SECTION("the server quits (SIGTERM)") {
        how = "quit";
        r = lose_device([&] { jack.stop(); });
    }
    SECTION("the server crashes (SIGKILL)") {
        how = "crash";
        r = lose_device([&] { jack.kill(); });
    }
    SECTION("the server stalls (SIGSTOP): the callbacks stop, the stream still looks active") {
        how = "stall";
        r = lose_device([&] { jack.pause(); });
        jack.resume();
    }
    const auto& [loss, vanished_at] = r;
    const double detected_s = std::chrono::duration<double>(loss.lost_at - vanished_at).count();
    WARN("JACK server " << how << ": loss reported after " << detected_s << " s, stopped in " << loss.stop_s
                        << " s: " << loss.message);
    CHECK_THAT(loss.message, Contains("audio device 'system' was lost") && Contains("the output is silent"));
    CHECK(detected_s < 1.5);  // the watchdog's limit (0.75 s at 128 frames) plus its polling
    CHECK(loss.stop_s < 1.0);
}
