// `roomcal compare MIX MASTER`: align and level-match a mix and its master, print what
// the master changed, and write it as JSON. `--pairs LIST` does it for many songs and
// turns what the masters consistently changed into a target adjustment for the room the
// mixes were made in (`--apply-to DIR`, after confirmation).
#include <nlohmann/json.hpp>

#include <cmath>
#include <cstdio>
#include <iostream>
#include <memory>
#include <string>
#include <thread>
#include <utility>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <vector>

#include "commands.hpp"
#include "compare_output.hpp"
#include "prompt.hpp"
#include "roomcal/compare/compare.hpp"
#include "roomcal/compare/pairs.hpp"
#include "roomcal/core/atomic_file.hpp"
#include "roomcal/core/error.hpp"
#include "roomcal/correct/fit.hpp"
#include "roomcal/correct/target.hpp"
#include "roomcal/io/audio_file.hpp"
#include "roomcal/io/room_profile.hpp"
#include "roomcal/report/compare_report.hpp"

namespace roomcal::app {
namespace {

namespace fs = std::filesystem;

struct CompareCliOptions {
    std::string mix, master, json, report, pairs, apply_to;
    bool yes = false;
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

}  // namespace

void print_comparison(std::ostream& out, const compare::Comparison& c) {
    const double fs = c.sample_rate.value;
    out << c.summary << "\n";
    out << "aligned: master starts " << fixed(std::abs(c.alignment.offset_samples / fs), 3) << " s "
        << (c.alignment.offset_samples >= 0 ? "later" : "earlier") << " (" << c.alignment.offset_samples
        << " samples at " << fs << " Hz), confidence " << fixed(c.alignment.confidence, 2)
        << (c.alignment.polarity_inverted ? ", polarity inverted" : "") << "; " << fixed(c.overlap_s)
        << " s compared\n";
    out << "loudness: mix " << fixed(c.mix.loudness_lufs) << " LUFS, master " << fixed(c.master.loudness_lufs)
        << " LUFS (by RMS " << fixed(c.rms_match_db) << " dB, loudest 3 s " << fixed(c.loudest_match_db) << " dB)\n";
    out << "dynamics: LRA " << fixed(c.mix.lra_lu) << " → " << fixed(c.master.lra_lu) << " LU, PLR "
        << fixed(c.mix.plr_db) << " → " << fixed(c.master.plr_db) << " dB, true peak " << fixed(c.mix.true_peak_dbtp)
        << " → " << fixed(c.master.true_peak_dbtp) << " dBTP\n";
    for (const auto& w : c.warnings) out << "warning: " << w << "\n";
}

namespace {

// Reads the mix and the master side by side (decoding a long file is most of a
// comparison's wait); the mix's error, if any, is the one reported.
std::pair<io::AudioFile<float>, io::AudioFile<float>> read_mix_and_master(const fs::path& mix_path,
                                                                          const fs::path& master_path) {
    io::AudioFile<float> master;
    std::exception_ptr master_error;
    std::thread reader([&] {
        try {
            master = io::read_audio(master_path);
        } catch (...) {
            master_error = std::current_exception();
        }
    });
    io::AudioFile<float> mix;
    try {
        mix = io::read_audio(mix_path);
    } catch (...) {
        reader.join();
        throw;
    }
    reader.join();
    if (master_error) std::rethrow_exception(master_error);
    return {std::move(mix), std::move(master)};
}

int run_compare(const CompareCliOptions& o) {
    const auto [mix, master] = read_mix_and_master(o.mix, o.master);
    const auto c =
        compare::compare_pair(mix.audio.view(), mix.info.sample_rate, master.audio.view(), master.info.sample_rate);
    print_comparison(std::cout, c);
    if (!o.report.empty()) {
        report::Document doc;
        doc.title = "roomcal compare";
        doc.subtitle = o.mix + " → " + o.master;
        doc.sections.push_back(report::comparison_section(c, o.mix, o.master));
        report::write_html(doc, o.report);
        std::cout << "wrote " << o.report << "\n";
    }
    if (!o.json.empty()) {
        write_text_file_atomically(o.json, to_json(c, o.mix, o.master).dump(2) + "\n");
        std::cout << "wrote " << o.json << "\n";
    }
    return exit_ok;
}

// "mix master" per line; '#' starts a comment; a path with spaces goes in double quotes;
// relative paths count from the list's folder.
std::vector<std::pair<fs::path, fs::path>> read_pairs(const fs::path& list) {
    std::ifstream in(list);
    if (!in) throw Error("cannot read the pairs file " + list.string() + "; check the path");
    std::vector<std::pair<fs::path, fs::path>> out;
    std::string line;
    for (int number = 1; std::getline(in, line); ++number) {
        if (const auto hash = line.find('#'); hash != std::string::npos) line.erase(hash);
        std::istringstream words(line);
        std::vector<std::string> paths;
        std::string w;
        while (words >> std::ws && !words.eof()) {
            if (words.peek() == '"') {
                words.get();
                std::getline(words, w, '"');
            } else {
                words >> w;
            }
            paths.push_back(w);
        }
        if (paths.empty()) continue;
        if (paths.size() != 2)
            throw UsageError(list.string() + " line " + std::to_string(number) + ": expected \"mix master\", found " +
                             std::to_string(paths.size()) + " path(s); quote paths that contain spaces");
        const auto resolve = [&](const fs::path& p) { return p.is_absolute() ? p : list.parent_path() / p; };
        out.emplace_back(resolve(paths[0]), resolve(paths[1]));
    }
    return out;
}

// The room's target for `key` moved by the suggested change: the current target's shape
// (without its roll-off limits, which a fit finds again) plus the change, stored as the
// room's own curve.
RoomTarget adjusted_target(const Room& room, const std::string& key, const compare::PairsSummary& s) {
    correct::TargetCurve current = correct::target_for(room, correct::FitOptions{}, key);
    current.low_limit = Hz(0.0);
    current.high_limit = Hz(20000.0);
    RoomTarget t;
    const RoomTarget* before = room.target_for(key);
    t.spec = "file:" + std::string(before ? before->spec : "flat") + " adjusted by " + std::to_string(s.pairs) +
             " mix/master pairs";
    for (const auto& [f, change] : s.target_change) {
        t.curve.frequency_hz.push_back(f);
        t.curve.magnitude_db.push_back(current.level_db(Hz(f)) + change);
    }
    return t;
}

int run_pairs(const CompareCliOptions& o) {
    const fs::path list(o.pairs);
    const auto pairs = read_pairs(list);
    std::vector<compare::Comparison> results;
    nlohmann::json per_pair = nlohmann::json::array();
    for (const auto& [mix_path, master_path] : pairs) {
        try {
            const auto [mix, master] = read_mix_and_master(mix_path, master_path);
            results.push_back(compare::compare_pair(mix.audio.view(), mix.info.sample_rate, master.audio.view(),
                                                    master.info.sample_rate));
            std::cout << mix_path.filename().string() << " → " << master_path.filename().string() << ": "
                      << results.back().summary << "\n";
            per_pair.push_back(to_json(results.back(), mix_path.string(), master_path.string()));
        } catch (const Error& e) {
            std::cout << "skipped " << mix_path.string() << " / " << master_path.string() << ": " << e.what() << "\n";
        }
    }
    const auto s = compare::summarise_pairs(results);
    std::cout << "\n"
              << s.pairs << " pairs; consistent difference RMS " << fixed(s.consistent_rms_db)
              << " dB, song-to-song variation RMS " << fixed(s.variation_rms_db) << " dB (40 Hz–16 kHz)\n"
              << s.summary;
    if (!o.json.empty()) {
        nlohmann::json bands = nlohmann::json::array();
        for (const auto& b : s.bands)
            bands.push_back({{"center_hz", b.centre_hz},
                             {"mean_db", b.mean_db},
                             {"sd_db", b.sd_db},
                             {"ci95_db", {b.ci_low_db, b.ci_high_db}},
                             {"consistent", b.consistent},
                             {"target_change_db", b.target_change_db}});
        const nlohmann::json j = {{"pairs", s.pairs},
                                  {"consistent_rms_db", s.consistent_rms_db},
                                  {"variation_rms_db", s.variation_rms_db},
                                  {"bands", bands},
                                  {"summary", s.summary},
                                  {"comparisons", per_pair}};
        write_text_file_atomically(o.json, j.dump(2) + "\n");
        std::cout << "wrote " << o.json << "\n";
    }
    if (o.apply_to.empty()) return exit_ok;
    bool any_change = false;
    for (const auto& b : s.bands) any_change = any_change || std::abs(b.target_change_db) >= 0.1;
    if (!any_change) {
        std::cout << "nothing to apply to " << o.apply_to << ": no consistent difference\n";
        return exit_ok;
    }
    Room room = io::load_room(o.apply_to);
    std::vector<std::string> keys;
    for (const auto& [key, t] : room.targets) keys.push_back(key);
    if (keys.empty()) keys.push_back("*");
    if (!o.yes) {
        if (!interactive())
            throw UsageError("changing the target of " + o.apply_to + " needs a confirmation; add --yes to apply it");
        if (!confirm("Change the target of room " + room.name + " as suggested above?")) {
            std::cout << "left " << o.apply_to << " unchanged\n";
            return exit_ok;
        }
    }
    for (const auto& key : keys) room.targets[key] = adjusted_target(room, key, s);
    io::save_room(room, o.apply_to);
    std::cout << "target of " << o.apply_to << " adjusted; run roomcal fit --room " << o.apply_to
              << " to correct towards it\n";
    return exit_ok;
}

}  // namespace

Runner add_compare(CLI::App& app) {
    auto o = std::make_shared<CompareCliOptions>();
    auto* cmd = app.add_subcommand("compare", "Level-match and align a mix against its master; show what changed");
    cmd->add_option("mix", o->mix, "The mix (any audio file libsndfile reads)")->check(CLI::ExistingFile);
    cmd->add_option("master", o->master, "Its master")->check(CLI::ExistingFile);
    cmd->add_option("--json", o->json, "Write the comparison as JSON");
    cmd->add_option("--report", o->report, "Write a self-contained HTML page of the comparison");
    cmd->add_option("--pairs", o->pairs, "Compare many songs: a file of \"mix master\" lines")
        ->check(CLI::ExistingFile);
    cmd->add_option("--apply-to", o->apply_to, "With --pairs: adjust this room's target by what the masters changed")
        ->check(CLI::ExistingDirectory);
    cmd->add_flag("--yes,-y", o->yes, "Do not ask before changing the room's target");
    return [o] {
        if (!o->pairs.empty()) {
            if (!o->mix.empty()) throw UsageError("give either MIX MASTER or --pairs LIST, not both");
            return run_pairs(*o);
        }
        if (o->mix.empty() || o->master.empty())
            throw UsageError("compare needs MIX and MASTER (or --pairs LIST); see roomcal help compare");
        if (!o->apply_to.empty()) throw UsageError("--apply-to needs --pairs: one song says little about a room");
        return run_compare(*o);
    };
}

}  // namespace roomcal::app
