// `roomcal render IN OUT`: a file through the same engine the monitor runs live — a
// room's correction (or a FIR WAV) at the file's rate, optionally followed by another
// room's colouration (--as-heard-in), and a mastering chain — written atomically, with the
// engine's latency taken off so the output lines up with the input. The output is measured
// on the way through the engine's meters (EBU R128 loudness and range via libebur128, true
// and sample peak), fed from its meter tap as the monitor's are.
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "commands.hpp"
#include "correction_source.hpp"
#include "roomcal/core/error.hpp"
#include "roomcal/core/format.hpp"
#include "roomcal/engine/meters.hpp"
#include "roomcal/engine/render.hpp"
#include "roomcal/io/audio_file.hpp"
#include "roomcal/io/chain_file.hpp"
#include "roomcal/io/room_profile.hpp"

namespace roomcal::app {
namespace fs = std::filesystem;
namespace {

struct RenderOptions {
    std::string in, out, room, fir, chain, as_heard_in;
    bool no_correction = false;
    bool no_meters = false;
    // Offline the block only sets the speed (the output is the same up to float rounding):
    // 16384 (one convolution partition per block) measured fastest for 16k-64k-tap FIRs,
    // with or without the chain (bench/render_vs_peers --blocks).
    std::size_t block = 16384;
};

// A level for the summary line: one decimal, "-inf" for silence.
std::string level(double db) {
    if (!std::isfinite(db)) return db < 0.0 ? "-inf" : "inf";
    char s[32];
    std::snprintf(s, sizeof s, "%.1f", db);
    return s;
}

// The summary of the output's meters: programme loudness and range, the highest true and
// sample peak of any channel.
std::string meter_summary(const engine::MeterReadings& m) {
    double true_peak = engine::meter_silence, sample_peak = engine::meter_silence;
    for (std::size_t c = 0; c < m.channels; ++c) {
        true_peak = std::max(true_peak, m.true_peak_dbtp[c].max_db);
        sample_peak = std::max(sample_peak, m.sample_peak_dbfs[c].max_db);
    }
    return level(m.integrated_lufs) + " LUFS integrated, LRA " + level(m.loudness_range_lu) + " LU, true peak " +
           level(true_peak) + " dBTP, sample peak " + level(sample_peak) + " dBFS";
}

// The room's correction at the file's rate, its channels in the set's order.
FilterSet room_set(const RenderOptions& o, Hz rate, std::size_t channels) {
    const Room room = io::load_room(o.room);
    const FilterSet& set = room_correction(room, o.room, rate);
    if (set.channels.size() != channels)
        throw Error(o.in + " has " + std::to_string(channels) + " channel(s), room " + room.name + "'s correction " +
                    std::to_string(set.channels.size()) + "; render a file with one channel per loudspeaker");
    return set;
}

// A FIR WAV as a set: one channel per file channel, or its one channel for all.
FilterSet fir_set(const RenderOptions& o, Hz rate, std::size_t channels) {
    return fir_correction(o.fir, rate, channels, o.in, "the file");
}

int run_render(const RenderOptions& o) {
    const int sources = (o.room.empty() ? 0 : 1) + (o.fir.empty() ? 0 : 1) + (o.no_correction ? 1 : 0);
    if (sources != 1)
        throw UsageError("say what to apply: exactly one of --room DIR, --fir FILTER.wav or --no-correction");
    if (fs::exists(o.out) && fs::equivalent(o.in, o.out))
        throw UsageError("the output would overwrite the input " + o.in + "; choose another output file");

    std::optional<MasteringChain> chain;
    if (!o.chain.empty()) chain = io::read_chain(o.chain);
    const auto start = std::chrono::steady_clock::now();
    io::AudioReader reader(o.in);  // streamed: no buffer of the file's size
    const auto info = reader.info();
    const Hz rate = info.sample_rate;
    const std::size_t channels = info.num_channels;
    std::unique_ptr<engine::Correction> correction;
    std::vector<std::string> names;
    std::string what = "no correction";
    std::optional<FilterSet> set;
    if (!o.no_correction) {
        set = o.room.empty() ? fir_set(o, rate, channels) : room_set(o, rate, channels);
        for (const auto& c : set->channels) names.push_back(c.channel);
    } else {
        for (std::size_t c = 0; c < channels; ++c) names.push_back(std::to_string(c + 1));
    }
    if (!o.as_heard_in.empty()) set = with_audition(set ? &*set : nullptr, o.as_heard_in, rate, names);
    if (set) {
        correction = std::make_unique<engine::Correction>(*set, rate, o.block, names);
        what = set->description.empty() ? "the correction" : set->description;
    }

    const bool tty = isatty(STDERR_FILENO);
    int shown = -1;
    auto progress = [&](double f) {
        const int pct = static_cast<int>(f * 100.0);
        if (!tty || pct == shown) return;
        shown = pct;
        std::fprintf(stderr, "\rrender: %3d %%", pct);
        if (pct == 100) std::fprintf(stderr, "\n");
    };
    // The meters know layouts of 1–6 channels (meters.hpp); wider files render unmetered.
    const bool metered = !o.no_meters && channels <= engine::max_meter_channels;
    engine::Meters meters;
    engine::RenderResult r;
    io::write_audio_stream(o.out, channels, rate, io::format_for_path(o.out), [&](const io::AudioChunkWriter& write) {
        engine::RenderStreams streams;
        streams.total_frames = info.num_frames;
        streams.read = [&](float* const* into, std::size_t frames) { return reader.read(into, frames); };
        streams.write = write;
        r = engine::render(streams, rate, names, std::move(correction), o.block, progress, chain ? &*chain : nullptr,
                           metered ? &meters : nullptr);
    });
    if (chain)
        what += " + mastering chain (" + std::to_string(chain->eq.size()) + " EQ bands, limiter " +
                (chain->limiter.enabled ? "at " + fmt(chain->limiter.ceiling_dbtp) + " dBTP" : "off") + ")";
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    const double duration = static_cast<double>(info.num_frames) / rate.value;

    std::cout << "rendered " << o.in << " (" << channels << " ch, " << fmt(rate.value, 9) << " Hz, " << fmt(duration, 4)
              << " s) through " << what << " -> " << o.out << "\n";
    std::cout << "  " << fmt(seconds, 3) << " s, " << fmt(duration / seconds, 3) << "x real time; block " << o.block
              << " frames";
    if (r.latency_samples > 0) std::cout << "; latency " << r.latency_samples << " samples taken off the start";
    std::cout << "\n";
    if (metered)
        std::cout << "  output: " << meter_summary(meters.readings()) << "\n";
    else if (!o.no_meters)
        std::cout << "  output: not metered (" << channels << " channels; the meters know layouts of 1 to "
                  << engine::max_meter_channels << ")\n";
    if (r.clipped_samples > 0)
        std::cout << "  warning: " << r.clipped_samples
                  << " samples clipped at 0 dBFS; lower the input level or add a limiter (--chain)\n";
    return exit_ok;
}

}  // namespace

Runner add_render(CLI::App& app) {
    auto o = std::make_shared<RenderOptions>();
    auto* cmd = app.add_subcommand("render", "Run a file through the correction (and mastering chain) offline");
    cmd->add_option("in", o->in, "Input audio file (WAV, FLAC, ...)")->required()->check(CLI::ExistingFile);
    cmd->add_option("out", o->out, "Output audio file (.wav: float32, .flac: 24-bit)")->required();
    cmd->add_option("--room", o->room, "Room whose correction to apply (at the file's rate)");
    cmd->add_option("--fir", o->fir, "FIR WAV: one channel per audio channel, or mono for all")
        ->check(CLI::ExistingFile);
    cmd->add_option("--chain", o->chain, "Mastering chain (chain.json)");
    cmd->add_option("--as-heard-in", o->as_heard_in,
                    "Then play it as heard in this measured room (its response relative to its target)");
    cmd->add_flag("--no-correction", o->no_correction, "Bypass the room correction");
    cmd->add_flag("--no-meters", o->no_meters, "Do not measure the output (loudness, true peak)");
    cmd->add_option("--block", o->block, "Processing block in frames (16-65536)")->capture_default_str();
    return [o] { return run_render(*o); };
}

}  // namespace roomcal::app
