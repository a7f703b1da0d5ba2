// `roomcal demo`: the pipeline on the built-in virtual rooms, no audio hardware needed.
#include <chrono>
#include <cmath>
#include <filesystem>
#include <iostream>

#include "commands.hpp"
#include "roomcal/core/error.hpp"
#include "roomcal/io/room_profile.hpp"
#include "roomcal/measure/sweep_file.hpp"
#include "roomcal/measure/virtual_room.hpp"

namespace roomcal::app {
namespace fs = std::filesystem;

Runner add_demo(CLI::App& app) {
    auto out = std::make_shared<std::string>("roomcal-demo");
    auto* cmd = app.add_subcommand("demo", "Run the pipeline on the built-in virtual rooms (no hardware needed)");
    cmd->add_option("--out", *out, "Folder for the results")->capture_default_str();
    return [out] {
        const auto start = std::chrono::steady_clock::now();
        const fs::path dir(*out);
        std::error_code ec;
        fs::create_directories(dir, ec);
        if (ec) throw Error("cannot create demo folder " + dir.string() + ": " + ec.message());

        const Hz rate(48000.0);
        measure::SweepSpec spec;
        spec.sample_rate = rate;
        const auto sweep = measure::make_sweep(spec);
        measure::write_sweep(dir / "sweep.wav", sweep);
        std::cout << "sweep: " << sweep.sweep_samples << " samples, " << spec.start.value << "–" << spec.end.value
                  << " Hz at " << spec.level_dbfs << " dBFS -> " << (dir / "sweep.wav").string() << "\n";

        for (const auto& vr : measure::builtin_rooms()) {
            Room room;
            room.name = vr.name;
            room.metadata["source"] = "virtual room (simulated ground truth)";
            room.metadata["description"] = vr.description;
            for (std::size_t s = 0; s < vr.speakers.size(); ++s) {
                auto& ch = room.channel(vr.speakers[s].channel);
                for (std::size_t p = 0; p < vr.mic_positions.size(); ++p) {
                    Measurement m;
                    m.position = static_cast<int>(p + 1);
                    m.label = p == 0 ? "listening position" : "around the listening position";
                    m.impulse_response = measure::simulate_impulse_response(vr, s, vr.mic_positions[p], rate, 1u << 17);
                    ch.measurements.push_back(std::move(m));
                }
            }
            const fs::path room_dir = dir / "rooms" / vr.name;
            io::save_room(room, room_dir);
            std::cout << "room " << vr.name << " (" << vr.description << "): " << vr.speakers.size() << " channels × "
                      << vr.mic_positions.size() << " positions -> " << room_dir.string() << "\n";
        }
        const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        std::cout << "demo finished in " << std::round(secs * 10) / 10 << " s; results in "
                  << fs::absolute(dir).string() << "\n";
        return exit_ok;
    };
}

}  // namespace roomcal::app
