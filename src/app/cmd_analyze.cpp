// `roomcal analyze`: impulse response and quality report from a recording of our sweep
// made with any tool.
#include <iostream>

#include "commands.hpp"
#include "measure_report.hpp"
#include "roomcal/core/atomic_file.hpp"
#include "roomcal/core/error.hpp"
#include "roomcal/core/format.hpp"
#include "roomcal/io/audio_file.hpp"
#include "roomcal/measure/analysis_json.hpp"
#include "roomcal/measure/sweep_file.hpp"

namespace roomcal::app {
namespace {

struct AnalyzeOptions {
    std::string sweep, recording, out, json;
    int mic_channel = 1;
    int loopback = 0;
    bool no_drift = false;
};

}  // namespace

Runner add_analyze(CLI::App& app) {
    auto o = std::make_shared<AnalyzeOptions>();
    auto* cmd = app.add_subcommand("analyze", "Turn a recorded sweep into an impulse response and a quality report");
    cmd->add_option("--sweep", o->sweep, "The sweep WAV that was played (its JSON sidecar beside it)")->required();
    cmd->add_option("--recording", o->recording, "The recording of the mic (any format libsndfile reads)")->required();
    cmd->add_option("--out", o->out, "Impulse response WAV to write (float32)")->required();
    cmd->add_option("--json", o->json, "Also write the quality and acoustics report as JSON");
    cmd->add_option("--mic-channel", o->mic_channel, "Channel of the recording holding the mic (from 1)")
        ->capture_default_str();
    cmd->add_option("--loopback", o->loopback, "Channel of the recording wired to the output, as timing reference");
    cmd->add_flag("--no-drift-compensation", o->no_drift, "Measure clock drift but do not compensate it");
    return [o] {
        const auto sweep = measure::read_sweep(o->sweep);
        const auto played = io::read_audio_double(o->sweep);
        if (played.audio.num_frames() != sweep.signal.size() ||
            std::abs(played.audio(0, sweep.sweep_offset + 1000) - sweep.signal[sweep.sweep_offset + 1000]) > 1e-6)
            throw Error(o->sweep + " does not match its sidecar " + measure::sidecar_path(o->sweep).string() +
                        "; regenerate both with `roomcal sweep`");
        const auto rec = io::read_audio_double(o->recording);
        if (std::abs(rec.info.sample_rate.value - sweep.spec.sample_rate.value) > 0.5)
            throw Error(o->recording + " is at " + fmt(rec.info.sample_rate.value) + " Hz but the sweep is at " +
                        fmt(sweep.spec.sample_rate.value) + " Hz: record at the sweep's rate, or make a sweep at " +
                        fmt(rec.info.sample_rate.value) + " Hz with `roomcal sweep --rate`");
        measure::AnalysisOptions ao;
        if (o->mic_channel < 1) throw UsageError("--mic-channel counts from 1");
        ao.mic_channel = static_cast<std::size_t>(o->mic_channel - 1);
        if (o->loopback > 0) ao.loopback_channel = static_cast<std::size_t>(o->loopback - 1);
        ao.compensate_drift = !o->no_drift;
        const auto a = measure::analyze_recording(rec.audio.view(), sweep, ao);

        // Everything is computed before anything is written.
        const auto& ir = a.impulse_response.samples;
        const double* ptr = ir.data();
        io::write_audio(o->out, AudioView<const double>(&ptr, 1, ir.size()), a.impulse_response.sample_rate,
                        io::AudioWriteFormat::wav_float32);
        if (!o->json.empty()) write_text_file_atomically(o->json, measure::analysis_to_json(a));
        print_analysis(std::cout, a);
        std::cout << "wrote " << o->out << (o->json.empty() ? "" : " and " + o->json) << "\n";
        return exit_ok;
    };
}

}  // namespace roomcal::app
