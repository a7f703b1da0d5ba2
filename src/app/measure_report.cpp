// Terminal summaries of analysed recordings.
#include "measure_report.hpp"

#include <algorithm>
#include <cmath>

#include "roomcal/core/format.hpp"

namespace roomcal::app {

void print_analysis(std::ostream& out, const measure::RecordingAnalysis& a) {
    const double fs = a.impulse_response.sample_rate.value;
    out << "  timing: " << measure::to_string(a.timing) << ", latency " << fmt(a.latency_samples, 7) << " samples ("
        << fmt(1000.0 * a.latency_samples / fs, 4) << " ms), direct sound " << fmt(1000.0 * a.arrival_samples / fs, 4)
        << " ms after it\n";
    if (a.drift_ppm) out << "  clock drift: " << fmt(*a.drift_ppm, 3) << " ppm\n";
    out << "  peak " << fmt(a.peak_dbfs, 3) << " dBFS, response noise floor " << fmt(a.noise_floor_db, 3) << " dB\n";
    if (!a.snr_db.empty()) {
        out << "  SNR per octave:";
        for (const auto& b : a.snr_db) out << " " << fmt(b.centre_hz, 4) << ":" << std::lround(b.value);
        out << " dB\n";
    }
    if (!a.decay.empty()) {
        out << "  RT60 per octave:";
        for (const auto& d : a.decay)
            out << " " << fmt(d.centre_hz, 4) << ":" << (std::isfinite(d.rt60_s()) ? fmt(d.rt60_s(), 2) : "-")
                << (d.reliable ? "" : "?");
        out << " s"
            << (std::any_of(a.decay.begin(), a.decay.end(), [](const auto& d) { return !d.reliable; })
                    ? "  (? = less certain: from T20, or not enough decay above the noise)"
                    : "")
            << "\n";
    }
    double worst_thd = 0.0, at = 0.0;
    for (const auto& p : a.distortion)
        if (p.frequency_hz >= 100 && p.thd_percent > worst_thd) {
            worst_thd = p.thd_percent;
            at = p.frequency_hz;
        }
    if (at > 0) out << "  THD: at most " << fmt(worst_thd, 2) << " % (at " << fmt(at, 4) << " Hz, above 100 Hz)\n";
    for (const auto& w : a.warnings) out << "  warning: " << w << "\n";
}

}  // namespace roomcal::app
