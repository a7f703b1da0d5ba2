// `roomcal monitor`: runs roomcal-monitor (ui/), installed next to roomcal, with the
// arguments given; the CLI itself links no display libraries, so it runs on a headless
// machine. `roomcal monitor --help` shows the monitor's own options.
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "commands.hpp"
#include "roomcal/core/error.hpp"

namespace roomcal::app {
namespace fs = std::filesystem;

Runner add_monitor(CLI::App& app) {
    auto* cmd = app.add_subcommand("monitor", "Open the monitor app (measure, correct, master, compare)");
    cmd->prefix_command();
    cmd->footer(
        "Options (see `roomcal monitor --help`): --room DIR, --simulate NAME, --page NAME, "
        "--screenshot FILE.png --frames N, --frame-stats FILE.json, --seconds S, --config DIR.");
    cmd->set_help_flag();
    return [cmd]() -> int {
        std::error_code ec;
        const fs::path self = fs::read_symlink("/proc/self/exe", ec);
        const fs::path monitor = (ec ? fs::path(".") : self.parent_path()) / "roomcal-monitor";
        if (!fs::exists(monitor))
            throw Error("the monitor app is not installed next to roomcal (" + monitor.string() +
                        "); build it with `cmake --build build --target roomcal-monitor`");
        std::vector<std::string> args{monitor.string()};
        for (const auto& a : cmd->remaining()) args.push_back(a);
        std::vector<char*> argv;
        for (auto& a : args) argv.push_back(a.data());
        argv.push_back(nullptr);
        ::execv(monitor.c_str(), argv.data());
        throw Error("cannot start " + monitor.string() + ": " + std::strerror(errno));
    };
}

}  // namespace roomcal::app
