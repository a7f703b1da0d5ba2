// `roomcal measure`: sweeps through the loudspeakers, one mic position after another,
// into a room profile — on a real device or a virtual room.
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <iostream>
#include <sstream>

#include "commands.hpp"
#include "measure_report.hpp"
#include "prompt.hpp"
#include "roomcal/app/device_recorder.hpp"
#include "roomcal/core/error.hpp"
#include "roomcal/core/format.hpp"
#include "roomcal/io/response_text.hpp"
#include "roomcal/io/room_profile.hpp"
#include "roomcal/measure/session.hpp"
#include "roomcal/measure/virtual_device.hpp"

namespace roomcal::app {
namespace fs = std::filesystem;
namespace {

struct MeasureOptions {
    std::string room, simulate, out_dev, in_dev, channels, loopback, timing_ref, mic_cal;
    int in_channel = 1;
    int positions = 1;
    int sweeps = 1;
    double level = -20.0;
    double rate = 48000.0;
    std::size_t length = 1u << 18;
    unsigned buffer = 256;
    double spl_offset = 0.0;
    bool yes = false;
};

constexpr double loud_dbfs = -10.0;  // above this a sweep needs explicit confirmation

std::vector<std::string> split(const std::string& s, char sep) {
    std::vector<std::string> parts;
    std::stringstream ss(s);
    std::string part;
    while (std::getline(ss, part, sep))
        if (!part.empty()) parts.push_back(part);
    return parts;
}

int parse_index(const std::string& text, const char* what) {
    try {
        std::size_t used = 0;
        const int v = std::stoi(text, &used);
        if (used == text.size() && v >= 1) return v;
    } catch (const std::exception&) {
    }
    throw UsageError(std::string(what) + " \"" + text + "\" must be a channel number from 1");
}

void print_progress(const std::string& stage, const measure::RecorderProgress& p) {
    const int width = 30;
    const int filled = static_cast<int>(std::lround(p.fraction * width));
    std::cerr << "\r  " << stage << " [" << std::string(static_cast<std::size_t>(filled), '#')
              << std::string(static_cast<std::size_t>(width - filled), ' ') << "] " << std::lround(p.fraction * 100)
              << "%";
    if (p.input_peak_dbfs > -150) std::cerr << "  input " << fmt(p.input_peak_dbfs, 3) << " dBFS   ";
    if (p.fraction >= 1.0) std::cerr << "\n";
    std::cerr << std::flush;
}

std::unique_ptr<measure::Recorder> make_recorder(const MeasureOptions& o, std::vector<std::string>& channels) {
    if (!o.simulate.empty()) {
        if (!o.out_dev.empty() || !o.in_dev.empty())
            throw UsageError("--simulate replaces the audio devices; drop --out-dev/--in-dev");
        auto r = std::make_unique<measure::VirtualRecorder>(measure::find_builtin_room(o.simulate), Hz(o.rate),
                                                            !o.loopback.empty());
        if (channels.empty()) channels = r->output_channels();
        return r;
    }
    DeviceRecorderConfig c;
    c.output_device = o.out_dev;
    c.input_device = o.in_dev;
    c.sample_rate = o.rate;
    c.frames_per_buffer = o.buffer;
    c.mic_input = o.in_channel - 1;
    if (channels.empty()) channels = {"L=1", "R=2"};
    std::vector<std::string> names;
    int highest = 0;
    for (std::size_t i = 0; i < channels.size(); ++i) {
        const auto eq = channels[i].find('=');
        const std::string name = channels[i].substr(0, eq);
        const int out = eq == std::string::npos ? static_cast<int>(i) + 1
                                                : parse_index(channels[i].substr(eq + 1), "output channel");
        c.outputs[name] = out - 1;
        highest = std::max(highest, out);
        names.push_back(name);
    }
    channels = names;
    if (!o.loopback.empty()) {
        // --loopback IN[:OUT]: input IN is wired from output OUT (default: the next free output).
        const auto parts = split(o.loopback, ':');
        c.loopback_input = parse_index(parts.at(0), "loopback input") - 1;
        c.loopback_output = (parts.size() > 1 ? parse_index(parts[1], "loopback output") : highest + 1) - 1;
    }
    return make_device_recorder(c);
}

}  // namespace

Runner add_measure(CLI::App& app) {
    auto o = std::make_shared<MeasureOptions>();
    auto* cmd = app.add_subcommand("measure", "Measure a room: play sweeps, record the mic, store the responses");
    cmd->add_option("--room", o->room, "Room folder to create or add to")->required();
    cmd->add_option("--simulate", o->simulate,
                    "Measure a built-in virtual room instead: untreated-bedroom, living-room, treated-studio");
    cmd->add_option("--out-dev", o->out_dev, "Output device: index, name or a unique part of it (roomcal devices)");
    cmd->add_option("--in-dev", o->in_dev, "Input device (default: the output device when it has inputs)");
    cmd->add_option("--channels", o->channels, "Loudspeakers to measure: L,R or with outputs L=1,R=2");
    cmd->add_option("--in-channel", o->in_channel, "Device input of the measurement mic (from 1)")
        ->capture_default_str();
    cmd->add_option("--positions", o->positions, "Mic positions to measure (listening position first)")
        ->capture_default_str();
    cmd->add_option("--sweeps", o->sweeps, "Sweeps per position, averaged; repeatability is checked")
        ->capture_default_str();
    cmd->add_option("--loopback", o->loopback, "Loopback wire as timing reference: INPUT[:OUTPUT] (from 1)");
    cmd->add_option("--timing-ref", o->timing_ref, "Loudspeaker that plays the acoustic timing reference, e.g. L");
    cmd->add_option("--level", o->level, "Sweep peak level, dBFS (above -10 asks to confirm)")->capture_default_str();
    cmd->add_option("--rate", o->rate, "Sample rate")
        ->check(CLI::IsMember({44100.0, 48000.0, 88200.0, 96000.0}))
        ->capture_default_str();
    cmd->add_option("--length", o->length, "Sweep length in samples")->capture_default_str();
    cmd->add_option("--buffer", o->buffer, "Device buffer size in frames")->capture_default_str();
    cmd->add_option("--mic-cal", o->mic_cal, "Mic calibration file (REW/UMIK text) to store with the room")
        ->check(CLI::ExistingFile);
    cmd->add_option("--spl-offset", o->spl_offset, "SPL calibration offset in dB, with --mic-cal");
    cmd->add_flag("--yes,-y", o->yes, "Do not ask: confirm a loud sweep and each mic position");
    return [o] {
        if (o->positions < 1 || o->positions > 32) throw UsageError("--positions must be 1 to 32");
        if (o->level > 0.0) throw UsageError("--level above 0 dBFS is impossible; the output would clip");
        if (o->level > loud_dbfs) {
            const std::string q = "The sweep will play at " + fmt(o->level, 3) +
                                  " dBFS, which can be very loud. Turn the amplifier down first. Continue?";
            if (!o->yes && !(interactive() && confirm(q)))
                throw UsageError("refusing to play a sweep louder than " + fmt(loud_dbfs) +
                                 " dBFS without confirmation; add --yes once the amplifier is turned down");
        }
        std::optional<io::MicCalibration> cal;
        if (!o->mic_cal.empty()) cal = io::read_mic_calibration(o->mic_cal);

        auto channels = split(o->channels, ',');
        auto recorder = make_recorder(*o, channels);
        measure::SessionOptions so;
        so.sweep.sample_rate = Hz(o->rate);
        so.sweep.end = Hz(std::min(22000.0, o->rate / 2.0));
        so.sweep.length_samples = o->length;
        so.sweep.level_dbfs = o->level;
        so.sweeps = o->sweeps;
        so.loopback = !o->loopback.empty();
        if (!o->timing_ref.empty()) so.timing_reference = o->timing_ref;
        measure::MeasurementSession session(*recorder, so);

        const fs::path dir(o->room);
        Room room = io::load_or_create_room(dir);
        room.metadata["device"] = recorder->describe();
        if (cal) {
            room.mic_calibration.source = fs::path(o->mic_cal).filename().string();
            room.mic_calibration.deviation = cal->response;
            room.mic_calibration.spl_offset_db = o->spl_offset;
        }
        std::cout << "measuring " << channels.size() << " channel(s) at " << o->positions << " position(s) on "
                  << recorder->describe() << "\n";
        const bool ask = o->simulate.empty() && !o->yes && interactive();
        for (int p = 1; p <= o->positions; ++p) {
            if (ask) {
                std::cout << "Place the mic at position " << p << " of " << o->positions
                          << (p == 1 ? " (the listening position)" : "")
                          << " and press Enter (q to stop): " << std::flush;
                std::string line;
                std::getline(std::cin, line);
                if (line == "q") break;
            }
            for (const auto& ch : channels) {
                if (p == 1) {
                    const auto lc = session.check_level(ch, print_progress);
                    std::cout << "level check " << ch << ": sweep expected to peak near "
                              << fmt(lc.predicted_peak_dbfs, 3) << " dBFS at the mic\n";
                }
                const auto take = session.measure(ch, p, print_progress);
                std::cout << "channel " << ch << ", position " << p << ":\n";
                print_analysis(std::cout, take.analysis);
                if (o->sweeps > 1)
                    std::cout << "  repeatability: " << fmt(take.repeatability_db, 2) << " dB (worst at "
                              << fmt(take.repeatability_at_hz, 4) << " Hz)\n";
                auto m = take.measurement;
                m.label = p == 1 ? "listening position" : "position " + std::to_string(p);
                room.channel(ch).put(std::move(m));
            }
            // Saved after every position: stopping later loses nothing already measured.
            io::save_room(room, dir);
        }
        std::cout << "saved room " << room.name << " in " << dir.string() << "\n";
        return exit_ok;
    };
}

}  // namespace roomcal::app
