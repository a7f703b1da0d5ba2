// RecordingAnalysis as JSON. NaN figures (a decay that could not be evaluated) become null.
#include "roomcal/measure/analysis_json.hpp"

#include <nlohmann/json.hpp>

#include <cmath>

namespace roomcal::measure {
namespace {

nlohmann::json number_or_null(double v) { return std::isfinite(v) ? nlohmann::json(v) : nlohmann::json(); }

}  // namespace

std::string analysis_to_json(const RecordingAnalysis& a) {
    using nlohmann::json;
    json j;
    j["sample_rate"] = a.impulse_response.sample_rate.value;
    j["timing"] = to_string(a.timing);
    j["latency_samples"] = a.latency_samples;
    j["latency_ms"] = 1000.0 * a.latency_samples / a.impulse_response.sample_rate.value;
    j["arrival_samples"] = a.arrival_samples;
    j["timing_confidence"] = a.timing_confidence;
    j["drift_ppm"] = a.drift_ppm ? json(*a.drift_ppm) : json();
    j["peak_dbfs"] = a.peak_dbfs;
    j["noise_floor_db"] = a.noise_floor_db;
    j["snr_db"] = json::array();
    for (const auto& b : a.snr_db) j["snr_db"].push_back({{"centre_hz", b.centre_hz}, {"snr_db", b.value}});
    j["thd"] = json::array();
    for (const auto& p : a.distortion) {
        json h = json::object();
        for (std::size_t k = 0; k < p.harmonic_db.size(); ++k)
            h["h" + std::to_string(k + 2) + "_db"] = p.harmonic_db[k];
        h["frequency_hz"] = p.frequency_hz;
        h["thd_percent"] = p.thd_percent;
        j["thd"].push_back(std::move(h));
    }
    j["rt60"] = json::array();
    for (const auto& d : a.decay)
        j["rt60"].push_back({{"centre_hz", d.centre_hz},
                             {"rt60_s", number_or_null(d.rt60_s())},
                             {"edt_s", number_or_null(d.edt_s)},
                             {"t20_s", number_or_null(d.t20_s)},
                             {"t30_s", number_or_null(d.t30_s)},
                             {"reliable", d.reliable},
                             {"note", d.note}});
    j["warnings"] = a.warnings;
    return j.dump(2) + "\n";
}

}  // namespace roomcal::measure
