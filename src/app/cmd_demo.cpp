// `roomcal demo`: the pipeline on the built-in virtual rooms, no audio hardware needed:
// each room is measured at several mic positions through the virtual measuring chain
// (nonlinear loudspeaker, latency, clock drift, noise) and stored as a room profile; then
// a synthetic mix is compared with its master and translated across the rooms.
#include <chrono>
#include <cmath>
#include <filesystem>
#include <iostream>

#include "commands.hpp"
#include "compare_output.hpp"
#include "fit_summary.hpp"
#include "measure_report.hpp"
#include "roomcal/compare/compare.hpp"
#include "roomcal/compare/demo_music.hpp"
#include "roomcal/compare/translate.hpp"
#include "roomcal/core/atomic_file.hpp"
#include "roomcal/core/error.hpp"
#include "roomcal/core/format.hpp"
#include "roomcal/correct/fit.hpp"
#include "roomcal/io/audio_file.hpp"
#include "roomcal/io/room_profile.hpp"
#include "roomcal/measure/analysis_json.hpp"
#include "roomcal/measure/averaging.hpp"
#include "roomcal/measure/room_response.hpp"
#include "roomcal/measure/session.hpp"
#include "roomcal/measure/smoothing.hpp"
#include "roomcal/measure/sweep_file.hpp"
#include "roomcal/measure/virtual_device.hpp"
#include "roomcal/report/compare_report.hpp"
#include "roomcal/report/html_report.hpp"
#include "roomcal/report/room_report.hpp"

namespace roomcal::app {
namespace fs = std::filesystem;
namespace {

struct DemoOptions {
    std::string out = "roomcal-demo";
    int positions = 5;
};

// Largest spread across positions within a band, and where.
std::pair<double, double> worst_spread(const measure::PositionSummary& s, double lo, double hi) {
    double worst = 0.0, at = 0.0;
    for (std::size_t i = 0; i < s.spread_db.size(); ++i)
        if (s.rms_average.frequency_hz[i] >= lo && s.rms_average.frequency_hz[i] <= hi && s.spread_db[i] > worst) {
            worst = s.spread_db[i];
            at = s.rms_average.frequency_hz[i];
        }
    return {worst, at};
}

}  // namespace

Runner add_demo(CLI::App& app) {
    auto o = std::make_shared<DemoOptions>();
    auto* cmd = app.add_subcommand("demo", "Run the pipeline on the built-in virtual rooms (no hardware needed)");
    cmd->add_option("--out", o->out, "Folder for the results")->capture_default_str();
    cmd->add_option("--positions", o->positions, "Mic positions measured per room (1 to 9)")->capture_default_str();
    return [o] {
        if (o->positions < 1 || o->positions > 9) throw UsageError("--positions must be 1 to 9 for the virtual rooms");
        const auto start = std::chrono::steady_clock::now();
        const fs::path dir(o->out);
        std::error_code ec;
        fs::create_directories(dir, ec);
        if (ec) throw Error("cannot create demo folder " + dir.string() + ": " + ec.message());

        measure::SessionOptions so;
        so.loopback = true;
        const auto sweep = measure::make_sweep(so.sweep);
        measure::write_sweep(dir / "sweep.wav", sweep);
        std::cout << "sweep: " << sweep.sweep_samples << " samples, " << so.sweep.start.value << "–"
                  << so.sweep.end.value << " Hz at " << so.sweep.level_dbfs << " dBFS, with timing markers -> "
                  << (dir / "sweep.wav").string() << "\n";

        for (const auto& vr : measure::builtin_rooms()) {
            std::cout << "\n== " << vr.name << " (" << vr.description << ")\n";
            measure::VirtualRecorder recorder(vr, so.sweep.sample_rate, true);
            measure::MeasurementSession session(recorder, so);
            Room room;
            room.name = vr.name;
            room.metadata["source"] = recorder.describe();
            std::vector<measure::PositionSummary> summaries;
            for (const auto& sp : vr.speakers) {
                std::vector<FrequencyResponse> responses;
                for (int p = 1; p <= o->positions; ++p) {
                    auto take = session.measure(sp.channel, p);
                    if (p == 1) {
                        std::cout << "channel " << sp.channel << " at the listening position:\n";
                        print_analysis(std::cout, take.analysis);
                        write_text_file_atomically(dir / (vr.name + "-" + sp.channel + "-analysis.json"),
                                                   measure::analysis_to_json(take.analysis));
                    }
                    measure::IrWindow w;
                    w.right_ms = 300.0;
                    responses.push_back(measure::smooth(
                        measure::measurement_response(room, take.measurement, log_frequency_grid(20_Hz, 20_kHz, 24), w),
                        measure::Smoothing{measure::SmoothingKind::fractional_octave, 6}));
                    take.measurement.label = p == 1 ? "listening position" : "position " + std::to_string(p);
                    room.channel(sp.channel).measurements.push_back(std::move(take.measurement));
                }
                const auto s = measure::summarise_positions(responses);
                const auto [bass, bass_at] = worst_spread(s, 20, 300);
                const auto [treble, treble_at] = worst_spread(s, 1000, 16000);
                std::cout << "channel " << sp.channel << ", " << o->positions << " positions: spread up to "
                          << fmt(bass, 2) << " dB at " << fmt(std::round(bass_at), 6) << " Hz (bass), "
                          << fmt(treble, 2) << " dB at " << fmt(std::round(treble_at), 6) << " Hz (treble)\n";
            }
            // Correct it: a minimum-phase FIR to a flat target, every position.
            std::cout << "\n";
            const auto fit = correct::fit_room(room, {});
            print_fit_summary(std::cout, room, fit, false);
            room.corrections = fit.sets;
            const fs::path room_dir = dir / "rooms" / vr.name;
            io::save_room(room, room_dir);
            std::cout << "room profile -> " << room_dir.string() << "\n";
            const fs::path report_path = dir / (vr.name + "-report.html");
            report::write_html(report::room_document(room), report_path);
            std::cout << "report -> " << report_path.string() << "\n";
        }
        // Compare a mix with its master, and how the mix lands in each room just measured.
        std::cout << "\n== compare: a synthetic mix and its master ("
                  << "20 s, 48 kHz)\n";
        const auto pair = compare::demo_music(48_kHz, 20.0);
        io::write_audio(dir / "mix.wav", pair.mix.view(), 48_kHz, io::AudioWriteFormat::wav_float32);
        io::write_audio(dir / "master.wav", pair.master.view(), 48_kHz, io::AudioWriteFormat::wav_float32);
        std::cout << "the master: " << pair.changes << ", starting " << fmt(pair.master_delay_s) << " s later\n";
        const auto cmp = compare::compare_pair(pair.mix.view(), 48_kHz, pair.master.view(), 48_kHz);
        print_comparison(std::cout, cmp);
        std::cout << "(band differences are at equal loudness: where the master adds bass, the rest reads lower)\n";
        std::cout << "\n== translate: the mix ";
        std::vector<Room> rooms;
        for (const auto& vr : measure::builtin_rooms()) rooms.push_back(io::load_room(dir / "rooms" / vr.name));
        const auto tr = compare::translate(pair.mix.view(), 48_kHz, rooms);
        print_translation(std::cout, tr);
        report::Document doc;
        doc.title = "roomcal demo: mix, master and rooms";
        doc.subtitle = (dir / "mix.wav").string() + " → " + (dir / "master.wav").string();
        doc.sections.push_back(report::comparison_section(cmp, "mix.wav", "master.wav"));
        doc.sections.push_back(report::translation_section(tr, "mix.wav"));
        report::write_html(doc, dir / "compare-report.html");
        std::cout << "report -> " << (dir / "compare-report.html").string() << "\n";

        const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        std::cout << "\ndemo finished in " << fmt(secs, 3) << " s; results in " << fs::absolute(dir).string() << "\n";
        return exit_ok;
    };
}

}  // namespace roomcal::app
