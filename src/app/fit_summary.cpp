// Printing a fit's result.
#include "fit_summary.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>

#include "roomcal/core/format.hpp"

namespace roomcal::app {
namespace {

std::string printf_string(const char* format, double v) {
    char buf[64];
    std::snprintf(buf, sizeof buf, format, v);
    return buf;
}

// Nominal third-octave labels: 31.5, 40, ... 1k, 1.25k, ... 16k.
std::string band_label(double hz) {
    if (hz < 1000.0) return printf_string(hz < 100.0 ? "%.3g" : "%.0f", hz < 100.0 ? hz : std::round(hz / 10.0) * 10.0);
    return printf_string("%.3gk", hz / 1000.0);
}

}  // namespace

void print_fit_summary(std::ostream& out, const Room& room, const correct::FitResult& res, bool detailed) {
    out << "fit: room " << room.name << ", " << (res.sets.empty() ? "" : res.sets.front().description) << "\n";
    for (const auto& c : res.channels) {
        const auto& p = c.prediction;
        out << "channel " << c.channel << ": target " << c.target.describe() << "\n";
        out << "  corrected " << fmt(std::round(c.low_limit.value)) << "–" << fmt(std::round(c.high_limit.value))
            << " Hz";
        if (!c.parametric.empty()) out << ", " << c.parametric.size() << " parametric filters";
        if (c.fir_taps)
            out << ", FIR " << c.fir_taps << " taps (pre-ringing "
                << (c.pre_ringing_db < -200.0 ? std::string("none") : printf_string("%.1f dB", c.pre_ringing_db))
                << ")";
        out << "; level trim " << printf_string("%+.2f", c.level_trim_db) << " dB, delay "
            << printf_string("%.3f", c.delay_ms) << " ms\n";
        out << "  deviation from target (third-octave SD, 30 Hz–16 kHz): average "
            << printf_string("%.2f", p.sd_before_db) << " → " << printf_string("%.2f", p.sd_after_db) << " dB";
        if (detailed) {
            out << "; at each position";
            for (const auto& pos : p.positions)
                out << "  " << pos.position << ": " << printf_string("%.2f", pos.sd_before_db) << " → "
                    << printf_string("%.2f", pos.sd_after_db);
        }
        out << "\n";
        if (!detailed) continue;
        for (const auto& f : c.parametric)
            out << "    " << short_name(f.type) << printf_string(" %8.1f Hz", f.frequency_hz)
                << printf_string("  Q %5.2f", f.q) << printf_string("  %+6.2f dB", f.gain_db) << "\n";
        const auto nulls = c.confidence.null_ranges();
        if (!nulls.empty()) {
            // The widest first: a single position's comb of small dips would bury them.
            auto shown = nulls;
            std::stable_sort(shown.begin(), shown.end(),
                             [](const auto& a, const auto& b) { return a.second / a.first > b.second / b.first; });
            const std::size_t limit = 8;
            if (shown.size() > limit) shown.resize(limit);
            std::sort(shown.begin(), shown.end());
            out << "  dips left alone (never filled):";
            for (const auto& [lo, hi] : shown) out << " " << fmt(std::round(lo)) << "–" << fmt(std::round(hi)) << " Hz";
            if (nulls.size() > limit) out << " (the " << limit << " widest of " << nulls.size() << ")";
            out << "\n";
        }
        out << "  band Hz  ";
        for (const auto& b : p.average_bands) {
            const auto label = band_label(b.centre_hz);
            out << std::string(6 - std::min<std::size_t>(6, label.size()), ' ') << label;
        }
        out << "\n  before   ";
        for (const auto& b : p.average_bands) out << printf_string("%6.1f", b.before_db);
        out << "\n  after    ";
        for (const auto& b : p.average_bands) out << printf_string("%6.1f", b.after_db);
        out << "\n";
    }
    out << "preamp " << printf_string("%.2f", res.preamp_db) << " dB ("
        << (res.needs_limiter ? "the output limiter must stay on" : "a full-scale sine cannot clip") << ")\n";
    if (res.latency_ms > 0.0)
        out << "latency " << printf_string("%.1f", res.latency_ms) << " ms (set your DAW's delay compensation)\n";
    for (const auto& w : res.warnings) out << "warning: " << w << "\n";
}

}  // namespace roomcal::app
