// `roomcal sweep`: write a measurement sweep and its parameter sidecar.
#include <iostream>

#include "commands.hpp"
#include "roomcal/measure/sweep_file.hpp"

namespace roomcal::app {
namespace {

struct SweepOptions {
    std::string out = "sweep.wav";
    double rate = 48000.0;
    double start = 10.0;
    double end = 22000.0;
    std::size_t length = 1u << 18;
    double level = -20.0;
};

}  // namespace

Runner add_sweep(CLI::App& app) {
    auto opt = std::make_shared<SweepOptions>();
    auto* cmd = app.add_subcommand("sweep", "Write a synchronized exponential sine sweep (WAV + JSON sidecar)");
    cmd->add_option("--out", opt->out, "Output WAV; the sidecar goes beside it as .json")->capture_default_str();
    cmd->add_option("--rate", opt->rate, "Sample rate in Hz")
        ->check(CLI::IsMember({44100.0, 48000.0, 88200.0, 96000.0}))
        ->capture_default_str();
    cmd->add_option("--start", opt->start, "Start frequency in Hz")->capture_default_str();
    auto* end =
        cmd->add_option("--end", opt->end, "End frequency in Hz (at most half the rate)")->capture_default_str();
    cmd->add_option("--length", opt->length, "Sweep length in samples (rounded for synchronization)")
        ->capture_default_str();
    cmd->add_option("--level", opt->level, "Peak level in dBFS (-60..0)")->capture_default_str();
    return [opt, end] {
        measure::SweepSpec spec;
        spec.sample_rate = Hz(opt->rate);
        spec.start = Hz(opt->start);
        // The default stops below Nyquist at any rate; an explicit --end is validated as given.
        spec.end = Hz(end->count() > 0 ? opt->end : std::min(opt->end, opt->rate / 2.0));
        spec.length_samples = opt->length;
        spec.level_dbfs = opt->level;
        const auto sweep = measure::make_sweep(spec);
        const auto side = measure::write_sweep(opt->out, sweep);
        std::cout << "wrote " << opt->out << " (" << sweep.signal.size() << " samples at " << spec.sample_rate.value
                  << " Hz, " << spec.start.value << "–" << spec.end.value << " Hz, peak " << spec.level_dbfs
                  << " dBFS) and " << side.string() << "\n";
        return exit_ok;
    };
}

}  // namespace roomcal::app
