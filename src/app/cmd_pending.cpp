// Subcommands whose options are settled but whose work is not built yet. Each is
// declared in full so `roomcal help CMD` documents it; running it exits 2 and says so.
#include <iostream>
#include <memory>
#include <string>

#include "commands.hpp"

namespace roomcal::app {
namespace {

// Option values are parsed (so usage errors surface) but not used yet.
struct Sink {
    std::string s1, s2, s3, s4, s5, s6, s7;
    int i1 = 0, i2 = 0, i3 = 0;
    double d1 = 0.0, d2 = 0.0;
    bool b1 = false;
};

// The runner owns the sink: CLI11 writes parsed values into it, so it must outlive parsing.
Runner not_yet(const std::string& name, std::shared_ptr<Sink> sink) {
    return [name, sink] {
        std::cerr << "roomcal " << name << ": not available yet in this version of roomcal\n";
        return exit_usage_error;
    };
}

}  // namespace

void add_pending(CLI::App& app, std::vector<std::pair<CLI::App*, Runner>>& out) {
    auto v = std::make_shared<Sink>();
    auto keep = [&out, v](CLI::App* cmd) { out.emplace_back(cmd, not_yet(cmd->get_name(), v)); };

    auto* monitor = app.add_subcommand("monitor", "Open the monitor app (measure, correct, master, compare)");
    monitor->add_option("--room", v->s1, "Room to open");
    monitor->add_option("--simulate", v->s2, "Use a built-in virtual room as the audio device");
    monitor->add_option("--page", v->s3, "Page to open: audio, measure, correct, monitor, compare, rooms");
    monitor->add_option("--screenshot", v->s4, "Render, save a PNG of the window, and exit");
    monitor->add_option("--frames", v->i1, "Frames to render before the screenshot");
    keep(monitor);
}

}  // namespace roomcal::app
