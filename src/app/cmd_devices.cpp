// `roomcal devices`: PortAudio host APIs and devices.
#include <cstdio>
#include <iostream>

#include "commands.hpp"
#include "roomcal/engine/devices.hpp"

namespace roomcal::app {

Runner add_devices(CLI::App& app) {
    auto* cmd = app.add_subcommand("devices", "List audio host APIs and devices (inputs, outputs, default rate)");
    return [cmd] {
        (void)cmd;
        engine::PortAudioSession session;
        const auto list = engine::list_devices();
        std::cout << "Host APIs:";
        if (list.host_apis.empty()) std::cout << " none";
        for (const auto& api : list.host_apis) std::cout << "  " << api.name << " (" << api.device_count << ")";
        std::cout << "\n";
        if (list.devices.empty()) {
            std::cout << "no audio devices found. Connect an interface, start JACK or PipeWire, or use "
                         "--simulate NAME to measure a virtual room.\n";
            return exit_ok;
        }
        std::printf("%4s  %-40s %-10s %4s %4s %9s\n", "idx", "name", "host API", "in", "out", "rate");
        for (const auto& d : list.devices) {
            std::string mark;
            if (d.is_default_input) mark += " [default in]";
            if (d.is_default_output) mark += " [default out]";
            std::printf("%4d  %-40.40s %-10.10s %4d %4d %9.0f%s\n", d.index, d.name.c_str(), d.host_api.c_str(),
                        d.max_input_channels, d.max_output_channels, d.default_sample_rate, mark.c_str());
        }
        return exit_ok;
    };
}

}  // namespace roomcal::app
