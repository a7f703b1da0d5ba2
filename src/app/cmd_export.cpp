// `roomcal export`: a room's correction for other tools: a CamillaDSP v4 YAML config, an
// Equalizer APO config, REW filter-settings files (one per channel) or impulse-response
// WAVs (one per sample rate). Every file is built in memory first and written atomically,
// FIR WAVs before the config that names them.
#include <algorithm>
#include <bit>
#include <cctype>
#include <cmath>
#include <filesystem>
#include <iostream>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "commands.hpp"
#include "roomcal/core/atomic_file.hpp"
#include "roomcal/core/error.hpp"
#include "roomcal/core/format.hpp"
#include "roomcal/io/filter_text.hpp"
#include "roomcal/io/filter_wav.hpp"
#include "roomcal/io/room_profile.hpp"

namespace roomcal::app {
namespace fs = std::filesystem;
namespace {

constexpr double reference_rate = 48000.0;
constexpr std::size_t default_taps = 65536;  // at 48 kHz

struct ExportOptions {
    std::string room, format, out;
    double rate = 0.0;
    std::size_t taps = 0;
};

std::string rates_of(const Room& room) {
    std::vector<double> rates;
    for (const auto& s : room.corrections) rates.push_back(s.sample_rate.value);
    std::sort(rates.begin(), rates.end());
    std::string out;
    for (double r : rates) out += (out.empty() ? "" : ", ") + fmt(r, 9);
    return out + " Hz";
}

// --rate's set; without it 48 kHz, or the only one there is.
const FilterSet& pick_set(const Room& room, const ExportOptions& o) {
    if (o.rate > 0.0) {
        if (const auto* s = room.correction_for(Hz(o.rate))) return *s;
        throw UsageError("room " + room.name + " has no correction at " + fmt(o.rate, 9) + " Hz; it has " +
                         rates_of(room) + "; choose one with --rate or run roomcal fit --room " + o.room + " --rate " +
                         fmt(o.rate, 9));
    }
    if (const auto* s = room.correction_for(Hz(reference_rate))) return *s;
    if (room.corrections.size() == 1) return room.corrections.front();
    throw UsageError("room " + room.name + " has corrections at " + rates_of(room) + "; choose one with --rate");
}

// Channel names as parts of file names.
std::string file_part(const std::string& s) {
    std::string out;
    for (const char c : s) out += std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' ? c : '_';
    return out;
}

// PATH with "-PART" before its extension.
fs::path with_suffix(const fs::path& path, const std::string& part) {
    fs::path p = path;
    p.replace_filename(path.stem().string() + "-" + part + path.extension().string());
    return p;
}

// Taps at `rate` for a length given at 48 kHz.
std::size_t scaled_taps(std::size_t taps_at_48k, Hz rate) {
    return static_cast<std::size_t>(std::llround(static_cast<double>(taps_at_48k) * rate.value / reference_rate));
}

// Without --taps: the scaled default, or the next power of two that holds every channel's
// delay and FIR when that is longer.
std::size_t taps_for(const FilterSet& set, std::size_t asked) {
    if (asked > 0) return scaled_taps(asked, set.sample_rate);
    std::size_t taps = scaled_taps(default_taps, set.sample_rate);
    std::size_t needed = 0;
    for (const auto& c : set.channels)
        needed = std::max(needed, static_cast<std::size_t>(std::llround(c.delay_samples)) + c.fir.size());
    if (needed > taps) taps = std::bit_ceil(needed);
    return taps;
}

// Text configs run FIRs from WAVs beside them: "<out stem>-<channel>-fir.wav", named in
// the config relative to it (CamillaDSP and Equalizer APO look beside the config first).
std::map<std::string, std::string> write_fir_companions(const FilterSet& set, const fs::path& out) {
    std::map<std::string, std::string> names;
    for (const auto& c : set.channels) {
        if (c.fir.empty()) continue;
        const fs::path wav = with_suffix(out, file_part(c.channel) + "-fir").replace_extension(".wav");
        io::write_channel_fir_wav(c, set.sample_rate, wav);
        std::cout << "wrote " << wav.string() << " (FIR of channel " << c.channel << ", " << c.fir.size() << " taps)\n";
        names[c.channel] = wav.filename().string();
    }
    return names;
}

int run_export(const ExportOptions& o) {
    const fs::path dir(o.room);
    const Room room = io::load_room(dir);
    if (room.corrections.empty())
        throw Error("room " + room.name + " has no correction yet; run roomcal fit --room " + o.room + " first");
    const fs::path out(o.out);

    if (o.format == "wav") {
        std::vector<const FilterSet*> sets;
        if (o.rate > 0.0)
            sets.push_back(&pick_set(room, o));
        else
            for (const auto& s : room.corrections) sets.push_back(&s);
        std::error_code ec;
        fs::create_directories(out, ec);
        if (ec || !fs::is_directory(out))
            throw Error(out.string() + ": cannot create the folder (" + ec.message() +
                        "); --out names a folder for wav");
        for (const auto* set : sets) {
            const auto taps = taps_for(*set, o.taps);
            const fs::path wav = out / (file_part(room.name) + "-" + fmt(set->sample_rate.value, 9) + ".wav");
            io::write_fir_wav(*set, wav, taps);
            std::string channels;
            for (const auto& c : set->channels) channels += (channels.empty() ? "" : " ") + c.channel;
            std::cout << "wrote " << wav.string() << " (" << taps << " taps at " << fmt(set->sample_rate.value, 9)
                      << " Hz, channels " << channels << ")\n";
        }
        return exit_ok;
    }

    const FilterSet& set = pick_set(room, o);
    const std::string rate = fmt(set.sample_rate.value, 9);
    if (o.format == "rew") {
        // Every file's text first: a channel REW cannot hold stops the export before any write.
        std::vector<std::pair<fs::path, std::string>> files;
        for (const auto& c : set.channels)
            files.emplace_back(set.channels.size() == 1 ? out : with_suffix(out, file_part(c.channel)),
                               io::rew_filter_text(set, c.channel));
        for (std::size_t i = 0; i < files.size(); ++i) {
            write_text_file_atomically(files[i].first, files[i].second);
            const auto& c = set.channels[i];
            std::cout << "wrote " << files[i].first.string() << " (REW filter settings, channel " << c.channel << ", "
                      << c.parametric.size() << " filter(s) at " << rate << " Hz";
            if (std::abs(c.gain_db) > 0.0) std::cout << "; set its gain to " << fmt(c.gain_db, 4) << " dB in REW";
            std::cout << ")\n";
        }
        return exit_ok;
    }

    // Check that the text can be written before any FIR WAV is: a placeholder for every
    // FIR's path makes the exporters validate everything else.
    std::map<std::string, std::string> placeholders;
    for (const auto& c : set.channels)
        if (!c.fir.empty()) placeholders[c.channel] = "fir.wav";
    if (o.format == "camilladsp")
        (void)io::camilladsp_yaml(set, placeholders);
    else
        (void)io::equalizer_apo_text(set, placeholders);

    const auto firs = write_fir_companions(set, out);
    const std::string text =
        o.format == "camilladsp" ? io::camilladsp_yaml(set, firs) : io::equalizer_apo_text(set, firs);
    write_text_file_atomically(out, text);
    std::cout << "wrote " << out.string() << " ("
              << (o.format == "camilladsp" ? "CamillaDSP v4 configuration" : "Equalizer APO configuration") << ", "
              << set.channels.size() << " channel(s) at " << rate << " Hz)\n";
    if (o.format == "equalizerapo" && text.find("bilinear transform") != std::string::npos)
        std::cout << "note: Equalizer APO's filter design differs from roomcal's near Nyquist; the file's header says "
                     "by how much. --format wav gives an exact copy.\n";
    return exit_ok;
}

}  // namespace

Runner add_export(CLI::App& app) {
    auto o = std::make_shared<ExportOptions>();
    auto* cmd = app.add_subcommand("export", "Export a room's correction for other tools");
    cmd->add_option("--room", o->room, "Room folder")->required();
    cmd->add_option("--format", o->format, "camilladsp | equalizerapo | rew | wav")
        ->required()
        ->check(CLI::IsMember({"camilladsp", "equalizerapo", "rew", "wav"}));
    cmd->add_option("--out", o->out,
                    "Output file (camilladsp, equalizerapo; rew with several channels writes FILE-L.txt, "
                    "FILE-R.txt, ...) or folder (wav: ROOM-RATE.wav per sample rate)")
        ->required();
    cmd->add_option("--rate", o->rate, "Sample rate of the correction to export (default 48000, or the only one)")
        ->check(CLI::PositiveNumber);
    cmd->add_option("--taps", o->taps, "wav: impulse-response length at 48 kHz, scaled per rate (default 65536)")
        ->check(CLI::PositiveNumber);
    return [o] { return run_export(*o); };
}

}  // namespace roomcal::app
