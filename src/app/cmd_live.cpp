// `roomcal live`: the engine running live through PortAudio, headless. The device's input
// (pass-through: a DAW routed in through JACK, PipeWire or a loopback device) or a file
// player (two files, A/B) goes through the room's correction at the device's rate, a room
// audition (--as-heard-in) and a mastering chain to the device's output, with running
// stats, until --seconds, the end of the file, SIGINT/SIGTERM, or the loss of the device
// (exit 1, output silenced).
#include <atomic>
#include <chrono>
#include <cmath>
#include <csignal>
#include <cstdio>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "commands.hpp"
#include "correction_source.hpp"
#include "roomcal/core/error.hpp"
#include "roomcal/core/format.hpp"
#include "roomcal/engine/devices.hpp"
#include "roomcal/engine/live_audio.hpp"
#include "roomcal/engine/play_record.hpp"
#include "roomcal/io/audio_file.hpp"
#include "roomcal/io/chain_file.hpp"
#include "roomcal/io/room_profile.hpp"

namespace roomcal::app {
namespace {

using Clock = std::chrono::steady_clock;
constexpr auto poll_interval = std::chrono::milliseconds(50);

struct LiveOptions {
    std::string room, fir, chain, device, play_a, play_b, as_heard_in;
    bool no_correction = false;
    double rate = 0.0;  // 0: the device's default rate
    unsigned buffer = 128;
    std::size_t channels = 0;  // 0: the correction's, the file's, or 2
    double seconds = 0.0;      // 0: until interrupted
    double ab_every = 0.0;     // 0: no switching
    double stats_every = 5.0;
};

// Signals reach a handler with no context, so the one flag they set is the process's.
std::atomic<bool> stop_requested{false};
static_assert(std::atomic<bool>::is_always_lock_free, "set from a signal handler");

extern "C" void request_stop(int) { stop_requested.store(true); }

// SIGINT and SIGTERM end the run cleanly while it lasts; the previous handlers come back after.
class StopOnSignals {
public:
    StopOnSignals() {
        stop_requested.store(false);
        struct sigaction sa {};
        sa.sa_handler = request_stop;
        sigemptyset(&sa.sa_mask);
        ::sigaction(SIGINT, &sa, &old_int_);
        ::sigaction(SIGTERM, &sa, &old_term_);
    }
    ~StopOnSignals() {
        ::sigaction(SIGINT, &old_int_, nullptr);
        ::sigaction(SIGTERM, &old_term_, nullptr);
    }
    StopOnSignals(const StopOnSignals&) = delete;
    StopOnSignals& operator=(const StopOnSignals&) = delete;

private:
    struct sigaction old_int_ {};
    struct sigaction old_term_ {};
};

std::string quoted(const std::string& s) { return "'" + s + "'"; }

std::string one_decimal(double x) {
    char s[32];
    std::snprintf(s, sizeof s, "%.1f", x);
    return s;
}

std::string two_decimals(double x) {
    char s[32];
    std::snprintf(s, sizeof s, "%.2f", x);
    return s;
}

void check_options(const LiveOptions& o) {
    const int sources = (o.room.empty() ? 0 : 1) + (o.fir.empty() ? 0 : 1) + (o.no_correction ? 1 : 0);
    if (sources != 1)
        throw UsageError("say what to apply: exactly one of --room DIR, --fir FILTER.wav or --no-correction");
    if (!o.play_b.empty() && o.play_a.empty()) throw UsageError("--play-b needs --play A.wav: B is what A switches to");
    if (o.ab_every > 0.0 && o.play_b.empty())
        throw UsageError("--ab-every needs two files to switch between: --play A.wav --play-b B.wav");
}

// The audio device the stream opens (its output side names it in messages).
engine::DeviceInfo output_device(const std::string& name) {
    const int index = engine::find_device(name, false);
    for (const auto& d : engine::list_devices().devices)
        if (d.index == index) return d;
    throw Error("audio device " + quoted(name) + " disappeared while roomcal looked at it; check `roomcal devices`");
}

// A file to play at the device's rate (roomcal plays it as it is: no resampling).
AudioBuffer<float> load_for_playing(const std::string& path, double rate, const std::string& device) {
    auto file = io::read_audio(path);
    if (std::abs(file.info.sample_rate.value - rate) > 0.5)
        throw Error(path + " is at " + fmt(file.info.sample_rate.value, 9) + " Hz, audio device " + quoted(device) +
                    " runs at " + fmt(rate, 9) + " Hz; play a file at " + fmt(rate, 9) +
                    " Hz, or run the device at the file's rate (--rate " + fmt(file.info.sample_rate.value, 9) + ")");
    return std::move(file.audio);
}

std::string stats_line(const engine::LiveStats& st, double elapsed_s, double engine_latency_s) {
    const std::size_t xruns = st.input_overflows + st.output_underflows;
    const double latency_ms = (st.input_latency_s + st.output_latency_s + engine_latency_s) * 1000.0;
    return one_decimal(elapsed_s) + " s: " + std::to_string(st.callbacks) + " callbacks, " + std::to_string(xruns) +
           " xruns (in " + std::to_string(st.input_overflows) + ", out " + std::to_string(st.output_underflows) +
           "), " + std::to_string(st.late_callbacks) + " late, max callback " + two_decimals(st.max_callback_ms) +
           " ms, load " + one_decimal(st.cpu_load * 100.0) + " %, latency " + one_decimal(latency_ms) + " ms";
}

int run_live(const LiveOptions& o) {
    check_options(o);
    std::optional<MasteringChain> chain;
    if (!o.chain.empty()) chain = io::read_chain(o.chain);
    std::optional<Room> room;
    if (!o.room.empty()) room = io::load_room(o.room);

    engine::PortAudioSession session;
    const engine::DeviceInfo device = output_device(o.device);
    const double rate = o.rate > 0.0 ? o.rate : device.default_sample_rate;
    const std::string device_text = "audio device " + quoted(device.name);

    // The correction for the device's rate, and the channels it decides.
    std::optional<FilterSet> set;
    std::vector<std::string> names;
    if (room) {
        set = room_correction(*room, o.room, Hz(rate));
        if (o.channels != 0 && o.channels != set->channels.size())
            throw UsageError("room " + room->name + "'s correction has " + std::to_string(set->channels.size()) +
                             " channels, --channels asks for " + std::to_string(o.channels) +
                             "; leave --channels out to run the room's");
        for (const auto& c : set->channels) names.push_back(c.channel);
    }
    std::optional<AudioBuffer<float>> file_a, file_b;
    if (!o.play_a.empty()) file_a = load_for_playing(o.play_a, rate, device.name);
    if (!o.play_b.empty()) file_b = load_for_playing(o.play_b, rate, device.name);
    if (names.empty()) {
        const std::size_t n = o.channels != 0 ? o.channels : file_a ? file_a->num_channels() : 2;
        for (std::size_t c = 0; c < n; ++c) names.push_back(std::to_string(c + 1));
    }
    if (!o.fir.empty()) set = fir_correction(o.fir, Hz(rate), names.size(), device_text, "the device");
    if (!o.as_heard_in.empty()) set = with_audition(set ? &*set : nullptr, o.as_heard_in, Hz(rate), names);

    engine::EngineConfig config;
    config.sample_rate = Hz(rate);
    config.max_block = o.buffer;
    config.channels = names;
    config.mastering_chain = chain.has_value();
    engine::Engine eng(config);
    std::unique_ptr<engine::Correction> correction;
    if (set) correction = std::make_unique<engine::Correction>(*set, Hz(rate), o.buffer, names);
    std::unique_ptr<engine::Chain> chain_stage;
    if (chain) chain_stage = std::make_unique<engine::Chain>(*chain, Hz(rate), o.buffer, names.size());
    eng.start_with(std::move(correction), std::move(chain_stage));

    std::unique_ptr<engine::FilePlayer> player;
    if (file_a) {
        const auto fade = static_cast<std::size_t>(config.crossfade_ms * 1e-3 * rate);
        player = std::make_unique<engine::FilePlayer>(
            std::move(*file_a), file_b ? std::move(*file_b) : AudioBuffer<float>(), names.size(), fade);
    }

    engine::LiveAudioConfig lc;
    lc.device = o.device;
    lc.sample_rate = rate;
    lc.frames_per_buffer = o.buffer;
    engine::LiveAudio live(lc, eng, player.get());

    std::string what = set ? (set->description.empty() ? "the correction" : set->description) : "no correction";
    if (chain)
        what += " + mastering chain (" + std::to_string(chain->eq.size()) + " EQ bands, limiter " +
                (chain->limiter.enabled ? "at " + fmt(chain->limiter.ceiling_dbtp) + " dBTP" : "off") + ")";
    const std::string source =
        player ? "playing " + o.play_a + (o.play_b.empty() ? "" : " / B: " + o.play_b) : "passing the input through";
    StopOnSignals signals;
    std::cout << "live: " << source << " on " << device_text << " (" << device.host_api << "), " << names.size()
              << " ch, " << fmt(rate, 9) << " Hz, " << o.buffer << " frames (" << two_decimals(o.buffer / rate * 1e3)
              << " ms); " << what << "\n";
    std::cout << "  stop with Ctrl-C" << (o.seconds > 0.0 ? " or after " + fmt(o.seconds) + " s" : std::string())
              << (player ? " or at the end of the file" : "") << std::endl;

    live.start();
    if (player) player->play();
    const auto started = Clock::now();
    auto seconds_since = [&](Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); };
    auto engine_latency_s = [&] { return static_cast<double>(eng.latency_samples()) / rate; };
    double next_stats = o.stats_every > 0.0 ? o.stats_every : -1.0;
    double next_switch = o.ab_every > 0.0 ? o.ab_every : -1.0;
    std::string why = "by a signal";
    engine::LiveHealth health;
    for (;;) {
        std::this_thread::sleep_for(poll_interval);
        health = live.health();
        if (!health.ok()) break;
        eng.collect();
        const double t = seconds_since(started);
        if (next_stats > 0.0 && t >= next_stats) {
            std::cout << "  " << stats_line(live.stats(), t, engine_latency_s()) << std::endl;
            next_stats += o.stats_every;
        }
        if (next_switch > 0.0 && t >= next_switch) {
            player->select_b(!player->b_selected());
            std::cout << "  " << one_decimal(t) << " s: now playing " << (player->b_selected() ? "B" : "A")
                      << std::endl;
            next_switch += o.ab_every;
        }
        if (stop_requested.load()) break;
        if (o.seconds > 0.0 && t >= o.seconds) {
            why = "after " + fmt(o.seconds) + " s";
            break;
        }
        if (player && !player->playing()) {
            why = "at the end of the file";
            break;
        }
    }
    if (health.ok()) {
        live.stop();
        health = live.health();
    }
    const double elapsed = seconds_since(started);
    const auto st = live.stats();
    std::cout << "live: " << (health.ok() ? "stopped " + why : std::string("device lost")) << "; "
              << stats_line(st, elapsed, engine_latency_s()) << "\n";
    if (eng.clipped_samples() > 0)
        std::cout << "  warning: " << eng.clipped_samples()
                  << " samples clipped at 0 dBFS; lower the input level or add a limiter (--chain)\n";
    if (st.input_overflows + st.output_underflows + st.late_callbacks > 0)
        std::cout << "  dropouts: try a larger --buffer, or a quieter machine\n";
    std::cout << std::flush;
    if (!health.ok()) throw Error(health.message);
    return exit_ok;
}

}  // namespace

Runner add_live(CLI::App& app) {
    auto o = std::make_shared<LiveOptions>();
    auto* cmd = app.add_subcommand("live", "Run the correction (and mastering chain) live through an audio device");
    cmd->footer(
        "Passes the device's input through to its output, or plays --play A.wav (and --play-b B.wav for A/B). "
        "The room's correction for the device's rate is used. Stops after --seconds, at the end of the file, "
        "or on Ctrl-C (SIGINT) or SIGTERM; exits 1 when the device goes away (the output goes silent).");
    cmd->add_option("--room", o->room, "Room whose correction to apply (the one for the device's rate)");
    cmd->add_option("--fir", o->fir, "FIR WAV: one channel per audio channel, or mono for all")
        ->check(CLI::ExistingFile);
    cmd->add_flag("--no-correction", o->no_correction, "Bypass the room correction");
    cmd->add_option("--as-heard-in", o->as_heard_in,
                    "Then play it as heard in this measured room (its response relative to its target)");
    cmd->add_option("--chain", o->chain, "Mastering chain (chain.json)")->check(CLI::ExistingFile);
    cmd->add_option("--device", o->device, "Audio device: number or (part of) name, see `roomcal devices`");
    cmd->add_option("--rate", o->rate, "Sample rate in Hz (default: the device's)")
        ->check(CLI::Range(8000.0, 384000.0));
    cmd->add_option("--buffer", o->buffer, "Frames per buffer (16-8192)")
        ->check(CLI::Range(16u, 8192u))
        ->capture_default_str();
    cmd->add_option("--channels", o->channels, "Channels (default: the correction's, the file's, or 2)")
        ->check(CLI::Range(std::size_t{1}, std::size_t{64}));
    cmd->add_option("--seconds", o->seconds, "Stop after this long (default: run until interrupted)")
        ->check(CLI::NonNegativeNumber);
    cmd->add_option("--play", o->play_a, "Play this file (A) instead of passing the input through")
        ->check(CLI::ExistingFile);
    cmd->add_option("--play-b", o->play_b, "The file to compare with (B), played from the same position")
        ->check(CLI::ExistingFile);
    cmd->add_option("--ab-every", o->ab_every, "Switch between A and B every this many seconds (crossfaded)")
        ->check(CLI::NonNegativeNumber);
    cmd->add_option("--stats-every", o->stats_every, "Print running stats every this many seconds (0: only at the end)")
        ->check(CLI::NonNegativeNumber)
        ->capture_default_str();
    return [o] { return run_live(*o); };
}

}  // namespace roomcal::app
