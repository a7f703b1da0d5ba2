// `roomcal translate MIX --rooms DIR1,DIR2,...`: how a mix lands at the listening position
// of each measured room, as measured and with the room's correction, relative to the
// room's target — a score per room, the worst bands, an octave table and what differs
// most between rooms; `--json` writes every third-octave band.
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <iostream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "commands.hpp"
#include "compare_output.hpp"
#include "roomcal/compare/translate.hpp"
#include "roomcal/core/atomic_file.hpp"
#include "roomcal/core/error.hpp"
#include "roomcal/io/audio_file.hpp"
#include "roomcal/io/room_profile.hpp"
#include "roomcal/report/compare_report.hpp"

namespace roomcal::app {
namespace {

struct TranslateOptions {
    std::string mix, rooms, json, report;
};

std::string fixed(double v, int digits = 1) {
    if (!std::isfinite(v)) return "-";
    char s[32];
    std::snprintf(s, sizeof s, "%+.*f", digits, v);
    return s;
}

std::string unsigned_fixed(double v) {
    char s[32];
    std::snprintf(s, sizeof s, "%.1f", v);
    return s;
}

// "63", "1.6k": a band's nominal name without its unit, for table headings.
std::string short_band(double f) {
    std::string n = compare::band_name(f);
    const auto k = n.find(" kHz");
    return k != std::string::npos ? n.substr(0, k) + "k" : n.substr(0, n.find(" Hz"));
}

std::string padded(std::string s, std::size_t width) {
    if (s.size() < width) s.append(width - s.size(), ' ');
    return s;
}

std::string right(std::string s, std::size_t width) {
    if (s.size() < width) s.insert(0, width - s.size(), ' ');
    return s;
}

// Wide enough for the longest room name.
std::size_t room_column(const compare::Translation& t) {
    std::size_t w = 4;
    for (const auto& r : t.rooms) w = std::max(w, r.room.size());
    return w + 2;
}

std::vector<std::string> split_rooms(const std::string& list) {
    std::vector<std::string> out;
    std::stringstream in(list);
    for (std::string item; std::getline(in, item, ',');)
        if (!item.empty()) out.push_back(item);
    if (out.empty()) throw UsageError("--rooms needs at least one room folder: --rooms DIR1,DIR2");
    return out;
}

nlohmann::json number(double v) { return std::isfinite(v) ? nlohmann::json(v) : nlohmann::json(nullptr); }

nlohmann::json to_json(const compare::Translation& t, const std::string& mix, const std::vector<std::string>& dirs) {
    using nlohmann::json;
    json rooms = json::array();
    for (std::size_t r = 0; r < t.rooms.size(); ++r) {
        const auto& rt = t.rooms[r];
        const bool corrected = !rt.deviation_corrected.empty();
        json bands = json::array();
        for (std::size_t b = 0; b < rt.deviation.size(); ++b) {
            json band = {{"center_hz", rt.deviation[b].centre_hz},
                         {"heard_db", number(rt.heard_db[b])},
                         {"deviation_db", number(rt.deviation[b].diff_db)}};
            if (corrected) {
                band["heard_corrected_db"] = number(rt.heard_corrected_db[b]);
                band["deviation_corrected_db"] = number(rt.deviation_corrected[b].diff_db);
            }
            bands.push_back(band);
        }
        json worst = json::array();
        for (const auto& w : rt.worst) worst.push_back({{"center_hz", w.centre_hz}, {"deviation_db", w.diff_db}});
        rooms.push_back({{"room", rt.room},
                         {"folder", dirs[r]},
                         {"score_db", rt.score_db},
                         {"score_corrected_db", corrected ? json(rt.score_corrected_db) : json(nullptr)},
                         {"worst", worst},
                         {"bands", bands}});
    }
    json mix_bands = json::array();
    for (std::size_t b = 0; b < t.centres_hz.size(); ++b)
        mix_bands.push_back({{"center_hz", t.centres_hz[b]}, {"level_db", number(t.mix_db[b])}});
    return {{"mix", mix},
            {"sample_rate", t.sample_rate.value},
            {"score_band_hz", {40.0, 16000.0}},
            {"mix_bands", mix_bands},
            {"rooms", rooms},
            {"differences", t.differences},
            {"warnings", t.warnings}};
}

// The deviation at each octave centre (31.5 Hz … 16 kHz), one column per room and state.
void print_octave_table(std::ostream& out, const compare::Translation& t) {
    static constexpr double octaves[] = {31.5, 63.0, 125.0, 250.0, 500.0, 1000.0, 2000.0, 4000.0, 8000.0, 16000.0};
    std::vector<std::size_t> at;
    for (double f : octaves)
        for (std::size_t b = 0; b < t.centres_hz.size(); ++b)
            if (std::abs(std::log2(t.centres_hz[b] / f)) < 1.0 / 6.0) at.push_back(b);
    const std::size_t name_width = room_column(t);
    out << "\ndeviation from target by octave (dB; uncorrected / corrected):\n" << padded("room", name_width);
    for (std::size_t b : at) out << right(short_band(t.centres_hz[b]), 12);
    out << "\n";
    for (const auto& rt : t.rooms) {
        out << padded(rt.room, name_width);
        for (std::size_t b : at) {
            std::string cell = fixed(rt.deviation[b].diff_db);
            if (!rt.deviation_corrected.empty()) cell += "/" + fixed(rt.deviation_corrected[b].diff_db);
            out << right(cell, 12);
        }
        out << "\n";
    }
}

}  // namespace

void print_translation(std::ostream& out, const compare::Translation& t) {
    out << "into " << t.rooms.size()
        << " room(s): third-octave deviation from each room's target at the listening position, level "
           "removed; score = RMS over 40 Hz–16 kHz\n\n";
    const std::size_t name_width = room_column(t);
    out << padded("room", name_width) << padded("uncorrected", 13) << padded("corrected", 12)
        << "worst bands (uncorrected)\n";
    for (const auto& rt : t.rooms) {
        std::string worst;
        for (const auto& w : rt.worst)
            worst += (worst.empty() ? "" : ", ") + compare::band_name(w.centre_hz) + " " + fixed(w.diff_db);
        const std::string corrected =
            rt.deviation_corrected.empty() ? "no fit" : unsigned_fixed(rt.score_corrected_db) + " dB";
        out << padded(rt.room, name_width) << padded(unsigned_fixed(rt.score_db) + " dB", 13) << padded(corrected, 12)
            << worst << "\n";
    }
    print_octave_table(out, t);
    if (!t.differences.empty()) {
        out << "\nroom to room (uncorrected):\n";
        for (const auto& d : t.differences) out << "  " << d << "\n";
    }
    for (const auto& w : t.warnings) out << "warning: " << w << "\n";
}

namespace {

int run_translate(const TranslateOptions& o) {
    const auto dirs = split_rooms(o.rooms);
    std::vector<Room> rooms;
    for (const auto& d : dirs) rooms.push_back(io::load_room(d));
    const auto mix = io::read_audio(o.mix);
    const auto t = compare::translate(mix.audio.view(), mix.info.sample_rate, rooms);

    std::cout << "translate " << o.mix << " ";
    print_translation(std::cout, t);
    if (!o.report.empty()) {
        report::Document doc;
        doc.title = "roomcal translate";
        doc.subtitle = o.mix;
        doc.sections.push_back(report::translation_section(t, o.mix));
        report::write_html(doc, o.report);
        std::cout << "wrote " << o.report << "\n";
    }
    if (!o.json.empty()) {
        write_text_file_atomically(o.json, to_json(t, o.mix, dirs).dump(2) + "\n");
        std::cout << "wrote " << o.json << "\n";
    }
    return exit_ok;
}

}  // namespace

Runner add_translate(CLI::App& app) {
    auto o = std::make_shared<TranslateOptions>();
    auto* cmd = app.add_subcommand("translate", "How a mix lands in each measured room, corrected and not");
    cmd->footer(
        "For each room: the mix's long-term spectrum through its loudspeakers' measured responses at the "
        "listening position (and with the room's correction, when fitted), relative to the room's target with the "
        "overall level removed. Lower scores translate better.");
    cmd->add_option("mix", o->mix, "The mix (WAV, FLAC, ...)")->required()->check(CLI::ExistingFile);
    cmd->add_option("--rooms", o->rooms, "Measured room folders, comma separated")->required();
    cmd->add_option("--json", o->json, "Also write every third-octave band as JSON");
    cmd->add_option("--report", o->report, "Write a self-contained HTML page of the translation");
    return [o] { return run_translate(*o); };
}

}  // namespace roomcal::app
