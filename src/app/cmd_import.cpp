// `roomcal import`: an impulse-response WAV, a REW text export or an FRD file into a
// room profile (created when missing), mic calibration files into a room, and REW
// filter-settings or Equalizer APO files as a channel's parametric correction.
#include <algorithm>
#include <cmath>
#include <filesystem>
#include <iostream>
#include <optional>

#include "commands.hpp"
#include "roomcal/core/error.hpp"
#include "roomcal/core/format.hpp"
#include "roomcal/dsp/biquad_design.hpp"
#include "roomcal/io/audio_file.hpp"
#include "roomcal/io/filter_text.hpp"
#include "roomcal/io/response_text.hpp"
#include "roomcal/io/room_profile.hpp"

namespace roomcal::app {
namespace fs = std::filesystem;
namespace {

struct ImportOptions {
    std::string file, room, channel, label, mic_cal;
    int position = 0;
    int file_channel = 1;
    double spl_offset = 0.0;
};

bool is_audio(const fs::path& p) {
    auto ext = p.extension().string();
    std::transform(ext.begin(), ext.end(), ext.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return ext == ".wav" || ext == ".flac" || ext == ".aiff" || ext == ".aif" || ext == ".w64";
}

Measurement measurement_from(const ImportOptions& o) {
    Measurement m;
    m.timing = "imported";
    m.label = o.label;
    if (is_audio(o.file)) {
        const auto f = io::read_audio_double(o.file);
        if (o.file_channel < 1 || static_cast<std::size_t>(o.file_channel) > f.info.num_channels)
            throw UsageError(o.file + " has " + std::to_string(f.info.num_channels) +
                             " channel(s); choose one with "
                             "--file-channel 1.." +
                             std::to_string(f.info.num_channels));
        const auto ch = f.audio.channel(static_cast<std::size_t>(o.file_channel - 1));
        m.impulse_response.samples.assign(ch.begin(), ch.end());
        m.impulse_response.sample_rate = f.info.sample_rate;
        const auto peak =
            std::max_element(ch.begin(), ch.end(), [](double a, double b) { return std::abs(a) < std::abs(b); });
        if (std::abs(*peak) <= 0.0) throw Error(o.file + " is silent: it holds no impulse response");
        m.impulse_response.reference_sample = static_cast<double>(peak - ch.begin());
        // With no timing reference, the arrival is where the file puts the peak.
        m.delay_samples = m.impulse_response.reference_sample;
    } else {
        m.frequency_response = io::read_response_text(o.file);
    }
    return m;
}

// The rates an imported parametric correction is designed for.
constexpr double filter_rates[] = {44100.0, 48000.0, 88200.0, 96000.0};

struct ImportedFilters {
    std::vector<ParametricFilter> filters;
    double gain_db = 0.0;
    double delay_ms = 0.0;
    double delay_samples = 0.0;
    std::string format;
};

// The channel's settings from a REW filter-settings or Equalizer APO file; nullopt when
// the text is neither (a measurement export).
std::optional<ImportedFilters> filters_from(const ImportOptions& o) {
    if (is_audio(o.file)) return std::nullopt;
    const std::string text = io::read_text_file(o.file);
    const auto kind = io::detect_filter_text(text);
    if (kind == io::FilterTextKind::none) return std::nullopt;
    ImportedFilters f;
    if (kind == io::FilterTextKind::rew) {
        f.filters = io::parse_rew_filter_text(text, o.file);
        f.format = "REW filter settings";
        return f;
    }
    const auto config = io::parse_equalizer_apo_text(text, o.file);
    const auto names = config.channel_names();
    const bool global = std::any_of(config.sections.begin(), config.sections.end(), [](const io::ApoSection& s) {
        return s.channels.empty() && (!s.filters.empty() || s.preamp_db != 0.0 || !s.convolutions.empty());
    });
    if (!global && std::find(names.begin(), names.end(), o.channel) == names.end()) {
        std::string list;
        for (const auto& n : names) list += (list.empty() ? "" : ", ") + n;
        throw UsageError(o.file + " has no settings for channel " + o.channel + "; it has channel(s) " + list +
                         "; choose one with --channel");
    }
    const auto section = config.for_channel(o.channel);
    if (!section.convolutions.empty())
        throw Error(o.file + ": channel " + o.channel + " uses Convolution: " + section.convolutions.front() +
                    ", which a parametric correction cannot hold; import the FIR's filters without it");
    f.filters = section.filters;
    f.gain_db = section.preamp_db;
    f.delay_ms = section.delay_ms;
    f.delay_samples = section.delay_samples;
    f.format = "Equalizer APO";
    return f;
}

// Designs the filters at every rate of `filter_rates`, replacing the channel in each
// rate's FilterSet (created when missing) and keeping the other channels.
void store_filters(Room& room, const ImportOptions& o, const ImportedFilters& f) {
    for (const double rate : filter_rates) {
        for (const auto& p : f.filters)
            if (!(p.frequency_hz < rate / 2.0))
                throw UsageError(o.file + ": the " + short_name(p.type) + " filter at " + fmt(p.frequency_hz) +
                                 " Hz lies above the Nyquist frequency of " + fmt(rate) +
                                 " Hz, one of the rates roomcal designs for; remove it or lower it");
        ChannelFilter c;
        c.channel = o.channel;
        c.gain_db = f.gain_db;
        c.delay_samples = f.delay_ms * rate / 1000.0 + f.delay_samples;
        c.parametric = f.filters;
        c.biquads = dsp::design_biquads(f.filters, Hz(rate));
        auto set = std::find_if(room.corrections.begin(), room.corrections.end(),
                                [rate](const FilterSet& s) { return std::abs(s.sample_rate.value - rate) < 0.5; });
        if (set == room.corrections.end()) {
            FilterSet fresh;
            fresh.sample_rate = Hz(rate);
            fresh.description = "imported from " + fs::path(o.file).filename().string();
            room.corrections.push_back(std::move(fresh));
            set = std::prev(room.corrections.end());
        }
        auto existing = std::find_if(set->channels.begin(), set->channels.end(),
                                     [&](const ChannelFilter& x) { return x.channel == o.channel; });
        if (existing != set->channels.end())
            *existing = std::move(c);
        else
            set->channels.push_back(std::move(c));
    }
}

}  // namespace

Runner add_import(CLI::App& app) {
    auto o = std::make_shared<ImportOptions>();
    auto* cmd = app.add_subcommand("import", "Import an impulse response or REW/FRD export into a room");
    cmd->add_option("file", o->file,
                    "IR WAV/FLAC, REW text export, FRD file, or REW filter settings / Equalizer APO config")
        ->check(CLI::ExistingFile);
    cmd->add_option("--room", o->room, "Room folder (created if missing)")->required();
    cmd->add_option("--channel", o->channel, "Loudspeaker channel, e.g. L or R");
    cmd->add_option("--position", o->position, "Mic position number (from 1); default: the next free one");
    cmd->add_option("--label", o->label, "A note on the position, e.g. \"30 cm left\"");
    cmd->add_option("--file-channel", o->file_channel, "Channel of a multichannel WAV to import (from 1)")
        ->capture_default_str();
    cmd->add_option("--mic-cal", o->mic_cal, "Set the room's mic calibration file (REW/UMIK text)")
        ->check(CLI::ExistingFile);
    cmd->add_option("--spl-offset", o->spl_offset, "SPL calibration offset in dB, with --mic-cal");
    return [o] {
        if (o->file.empty() && o->mic_cal.empty())
            throw UsageError("give a file to import, or --mic-cal FILE to set the room's mic calibration");
        if (!o->file.empty() && o->channel.empty()) throw UsageError("--channel is required when importing a response");
        // Parse everything first: a bad file must leave the room as it was.
        std::optional<ImportedFilters> filters;
        if (!o->file.empty()) filters = filters_from(*o);
        std::optional<Measurement> m;
        if (!o->file.empty() && !filters) m = measurement_from(*o);
        std::optional<io::MicCalibration> cal;
        if (!o->mic_cal.empty()) cal = io::read_mic_calibration(o->mic_cal);

        const fs::path dir(o->room);
        const bool existed = io::room_exists(dir);
        Room room = io::load_or_create_room(dir);
        if (m) {
            auto& ch = room.channel(o->channel);
            if (m->has_impulse_response())
                for (const auto& other : ch.measurements)
                    if (other.has_impulse_response() && std::abs(other.impulse_response.sample_rate.value -
                                                                 m->impulse_response.sample_rate.value) > 0.5)
                        throw Error(o->file + " is at " + fmt(m->impulse_response.sample_rate.value) +
                                    " Hz but channel " + o->channel + " was measured at " +
                                    fmt(other.impulse_response.sample_rate.value) +
                                    " Hz; resample it or import it into another room");
            int position = o->position;
            if (position == 0) {
                position = 1;
                while (ch.find_position(position)) ++position;
            }
            if (position < 1) throw UsageError("--position counts from 1");
            m->position = position;
            const bool replaced = ch.put(*m);
            std::cout << (replaced ? "replaced" : "imported") << " channel " << o->channel << " position " << position
                      << " from " << o->file
                      << (m->has_impulse_response() ? " (impulse response)" : " (frequency response)") << "\n";
        }
        if (filters) {
            store_filters(room, *o, *filters);
            std::cout << "imported " << filters->filters.size() << " filter(s) for channel " << o->channel << " from "
                      << o->file << " (" << filters->format << ")";
            if (filters->gain_db != 0.0) std::cout << ", gain " << fmt(filters->gain_db) << " dB";
            std::cout << "; designed at 44100, 48000, 88200 and 96000 Hz\n";
        }
        if (cal) {
            room.mic_calibration.source = fs::path(o->mic_cal).filename().string();
            room.mic_calibration.deviation = cal->response;
            room.mic_calibration.spl_offset_db = o->spl_offset;
            std::cout << "mic calibration " << room.mic_calibration.source << " (" << cal->response.size() << " points"
                      << (cal->serial.empty() ? "" : ", serial " + cal->serial) << ") set for the room\n";
        }
        io::save_room(room, dir);
        std::cout << (existed ? "updated" : "created") << " room " << room.name << " in " << dir.string() << "\n";
        return exit_ok;
    };
}

}  // namespace roomcal::app
