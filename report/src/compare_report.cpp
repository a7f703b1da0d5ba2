// The compare and translate sections: plots of band differences and tables of the figures.
#include "roomcal/report/compare_report.hpp"

#include <cctype>
#include <cmath>
#include <cstdio>

namespace roomcal::report {
namespace {

std::string fixed(double v, int digits = 1, bool sign = false) {
    if (!std::isfinite(v)) return "–";
    char s[32];
    std::snprintf(s, sizeof s, sign ? "%+.*f" : "%.*f", digits, v);
    return s;
}

Curve band_curve(const std::string& label, const std::vector<compare::Band>& bands, bool dashed = false,
                 const std::string& colour = {}) {
    Curve c;
    c.label = label;
    c.dashed = dashed;
    c.colour = colour;
    for (const auto& b : bands) {
        c.x.push_back(b.centre_hz);
        c.y.push_back(b.diff_db);
    }
    return c;
}

}  // namespace

Section comparison_section(const compare::Comparison& c, const std::string& mix, const std::string& master) {
    Section s;
    s.title = "What the master changed";
    s.intro = c.summary + " (" + mix + " → " + master +
              "; the master level-matched to the mix by integrated "
              "loudness, " +
              fixed(c.overlap_s) + " s of aligned audio compared).";
    s.warnings = c.warnings;

    Plot p;
    p.title = "Master over mix, level-matched";
    p.x_label = "Frequency (Hz)";
    p.y_label = "dB";
    p.x_range = AxisRange{20.0, 20000.0};
    p.curves.push_back(band_curve("third octaves", c.bands));
    p.curves.push_back(band_curve("ERB bands", c.erb_bands, true));
    p.references.push_back({"no change", 0.0});
    s.plots.push_back(p);

    const double fs = c.sample_rate.value;
    Table align;
    align.title = "Alignment and level";
    align.header = {"", "value"};
    align.rows = {
        {"master starts later by", fixed(static_cast<double>(c.alignment.offset_samples) / fs, 4) + " s (" +
                                       std::to_string(c.alignment.offset_samples) + " samples at " + fixed(fs, 0) +
                                       " Hz)"},
        {"polarity", c.alignment.polarity_inverted ? "inverted" : "same"},
        {"alignment confidence", fixed(c.alignment.confidence, 2)},
        {"drift", fixed(c.alignment.drift_ppm, 1) + " ppm"},
        {"level match, integrated loudness", fixed(c.gain_match_db, 1, true) + " dB"},
        {"level match, RMS", fixed(c.rms_match_db, 1, true) + " dB"},
        {"level match, loudest 3 s", fixed(c.loudest_match_db, 1, true) + " dB"},
    };
    if (c.width_known) align.rows.push_back({"stereo width (side over mid)", fixed(c.width_diff_db, 1, true) + " dB"});
    s.tables.push_back(align);

    Table dyn;
    dyn.title = "Dynamics";
    dyn.header = {"", "mix", "master"};
    dyn.rows = {
        {"integrated loudness (LUFS)", fixed(c.mix.loudness_lufs), fixed(c.master.loudness_lufs)},
        {"loudness range (LU)", fixed(c.mix.lra_lu), fixed(c.master.lra_lu)},
        {"true peak (dBTP)", fixed(c.mix.true_peak_dbtp), fixed(c.master.true_peak_dbtp)},
        {"crest factor (dB)", fixed(c.mix.crest_db), fixed(c.master.crest_db)},
        {"PLR (dB)", fixed(c.mix.plr_db), fixed(c.master.plr_db)},
    };
    s.tables.push_back(dyn);

    Table bands;
    bands.title = "Third-octave difference (master over mix, dB)";
    bands.header = {"band", "difference"};
    for (const auto& b : c.bands) bands.rows.push_back({compare::band_name(b.centre_hz), fixed(b.diff_db, 1, true)});
    s.tables.push_back(bands);
    return s;
}

Section translation_section(const compare::Translation& t, const std::string& mix) {
    Section s;
    s.title = "How the mix translates across rooms";
    s.intro = mix +
              " at each room's listening position, through its measured loudspeakers, relative to the room's "
              "target with the overall level removed (mean over 200 Hz–2 kHz). The score is the RMS deviation over "
              "third octaves 40 Hz–16 kHz: lower translates better.";
    for (const auto& d : t.differences)
        s.intro += " " + std::string(1, static_cast<char>(std::toupper(d[0]))) + d.substr(1) + ".";
    s.warnings = t.warnings;

    static const char* palette[] = {"#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b"};
    Plot p;
    p.title = "Deviation from target at the seat (solid: as measured, dashed: corrected)";
    p.x_label = "Frequency (Hz)";
    p.y_label = "dB";
    p.x_range = AxisRange{20.0, 20000.0};
    for (std::size_t r = 0; r < t.rooms.size(); ++r) {
        const auto& rt = t.rooms[r];
        const std::string colour = palette[r % std::size(palette)];
        p.curves.push_back(band_curve(rt.room, rt.deviation, false, colour));
        if (!rt.deviation_corrected.empty())
            p.curves.push_back(band_curve(rt.room + ", corrected", rt.deviation_corrected, true, colour));
    }
    p.references.push_back({"target", 0.0});
    s.plots.push_back(p);

    Table scores;
    scores.title = "Translation score (RMS deviation, 40 Hz–16 kHz)";
    scores.header = {"room", "as measured (dB)", "corrected (dB)", "worst bands, as measured"};
    for (const auto& rt : t.rooms) {
        std::string worst;
        for (const auto& w : rt.worst)
            worst += (worst.empty() ? "" : ", ") + compare::band_name(w.centre_hz) + " " + fixed(w.diff_db, 1, true);
        scores.rows.push_back({rt.room, fixed(rt.score_db),
                               rt.deviation_corrected.empty() ? "no correction" : fixed(rt.score_corrected_db), worst});
    }
    s.tables.push_back(scores);
    return s;
}

}  // namespace roomcal::report
