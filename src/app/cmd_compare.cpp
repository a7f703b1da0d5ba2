// `roomcal compare MIX MASTER`: align and level-match a mix and its master, print what
// the master changed, and write it as JSON.
#include <nlohmann/json.hpp>

#include <cmath>
#include <cstdio>
#include <iostream>
#include <memory>
#include <string>

#include "commands.hpp"
#include "roomcal/compare/compare.hpp"
#include "roomcal/core/atomic_file.hpp"
#include "roomcal/core/error.hpp"
#include "roomcal/io/audio_file.hpp"

namespace roomcal::app {
namespace {

struct CompareCliOptions {
    std::string mix, master, json, report;
};

std::string fixed(double v, int digits = 1) {
    char s[32];
    std::snprintf(s, sizeof s, "%.*f", digits, v);
    return s;
}

// JSON numbers must be finite: a silent channel's peak becomes null.
nlohmann::json number(double v) { return std::isfinite(v) ? nlohmann::json(v) : nlohmann::json(nullptr); }

nlohmann::json to_json(const compare::Comparison& c, const std::string& mix, const std::string& master) {
    using nlohmann::json;
    const auto pair = [](double a, double b) { return json{{"mix", number(a)}, {"master", number(b)}}; };
    json bands = json::array(), erb = json::array(), windows = json::array();
    for (const auto& b : c.bands) bands.push_back({{"center_hz", b.centre_hz}, {"diff_db", number(b.diff_db)}});
    for (const auto& b : c.erb_bands) erb.push_back({{"center_hz", b.centre_hz}, {"diff_db", number(b.diff_db)}});
    for (const auto& w : c.alignment.windows)
        windows.push_back({{"at_seconds", w.at_s}, {"offset_samples", w.lag}, {"peak", w.peak}});
    json j = {
        {"mix", mix},
        {"master", master},
        {"sample_rate", c.sample_rate.value},
        {"offset_samples", c.alignment.offset_samples},
        {"offset_seconds", static_cast<double>(c.alignment.offset_samples) / c.sample_rate.value},
        {"polarity_inverted", c.alignment.polarity_inverted},
        {"alignment_confidence", c.alignment.confidence},
        {"alignment_windows", windows},
        {"drift_ppm", c.alignment.drift_ppm},
        {"overlap_seconds", c.overlap_s},
        {"loudness_lufs", pair(c.mix.loudness_lufs, c.master.loudness_lufs)},
        {"gain_match_db", c.gain_match_db},
        {"rms_match_db", c.rms_match_db},
        {"loudest_section_match_db", c.loudest_match_db},
        {"bands", bands},
        {"erb_bands", erb},
        {"lra_lu", pair(c.mix.lra_lu, c.master.lra_lu)},
        {"true_peak_dbtp", pair(c.mix.true_peak_dbtp, c.master.true_peak_dbtp)},
        {"sample_peak_dbfs", pair(c.mix.sample_peak_dbfs, c.master.sample_peak_dbfs)},
        {"crest_factor_db", pair(c.mix.crest_db, c.master.crest_db)},
        {"plr_db", pair(c.mix.plr_db, c.master.plr_db)},
        {"summary", c.summary},
        {"warnings", c.warnings},
    };
    if (c.width_known) {
        j["width_db"] = pair(c.mix.width_db, c.master.width_db);
        j["width_diff_db"] = c.width_diff_db;
    }
    return j;
}

int run_compare(const CompareCliOptions& o) {
    const auto mix = io::read_audio(o.mix);
    const auto master = io::read_audio(o.master);
    const auto c =
        compare::compare_pair(mix.audio.view(), mix.info.sample_rate, master.audio.view(), master.info.sample_rate);
    const double fs = c.sample_rate.value;
    std::cout << c.summary << "\n";
    std::cout << "aligned: master " << (c.alignment.offset_samples >= 0 ? "starts " : "starts ")
              << fixed(std::abs(c.alignment.offset_samples / fs), 3) << " s "
              << (c.alignment.offset_samples >= 0 ? "later" : "earlier") << " (" << c.alignment.offset_samples
              << " samples at " << fs << " Hz), confidence " << fixed(c.alignment.confidence, 2)
              << (c.alignment.polarity_inverted ? ", polarity inverted" : "") << "; " << fixed(c.overlap_s)
              << " s compared\n";
    std::cout << "loudness: mix " << fixed(c.mix.loudness_lufs) << " LUFS, master " << fixed(c.master.loudness_lufs)
              << " LUFS (by RMS " << fixed(c.rms_match_db) << " dB, loudest 3 s " << fixed(c.loudest_match_db)
              << " dB)\n";
    std::cout << "dynamics: LRA " << fixed(c.mix.lra_lu) << " → " << fixed(c.master.lra_lu) << " LU, PLR "
              << fixed(c.mix.plr_db) << " → " << fixed(c.master.plr_db) << " dB, true peak "
              << fixed(c.mix.true_peak_dbtp) << " → " << fixed(c.master.true_peak_dbtp) << " dBTP\n";
    for (const auto& w : c.warnings) std::cout << "warning: " << w << "\n";
    if (!o.json.empty()) {
        write_text_file_atomically(o.json, to_json(c, o.mix, o.master).dump(2) + "\n");
        std::cout << "wrote " << o.json << "\n";
    }
    return exit_ok;
}

}  // namespace

Runner add_compare(CLI::App& app) {
    auto o = std::make_shared<CompareCliOptions>();
    auto* cmd = app.add_subcommand("compare", "Level-match and align a mix against its master; show what changed");
    cmd->add_option("mix", o->mix, "The mix (any audio file libsndfile reads)")->required()->check(CLI::ExistingFile);
    cmd->add_option("master", o->master, "Its master")->required()->check(CLI::ExistingFile);
    cmd->add_option("--json", o->json, "Write the comparison as JSON");
    return [o] { return run_compare(*o); };
}

}  // namespace roomcal::app
