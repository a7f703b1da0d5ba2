// `roomcal import`: an impulse-response WAV, a REW text export or an FRD file into a
// room profile (created when missing), and mic calibration files into a room.
#include <algorithm>
#include <cmath>
#include <filesystem>
#include <iostream>
#include <optional>

#include "commands.hpp"
#include "roomcal/core/error.hpp"
#include "roomcal/core/format.hpp"
#include "roomcal/io/audio_file.hpp"
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

}  // namespace

Runner add_import(CLI::App& app) {
    auto o = std::make_shared<ImportOptions>();
    auto* cmd = app.add_subcommand("import", "Import an impulse response or REW/FRD export into a room");
    cmd->add_option("file", o->file, "IR WAV/FLAC, REW text export or FRD file")->check(CLI::ExistingFile);
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
        std::optional<Measurement> m;
        if (!o->file.empty()) m = measurement_from(*o);
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
