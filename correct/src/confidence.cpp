// Null detection and fit weights from the multi-position summary.
#include "roomcal/correct/confidence.hpp"

#include <algorithm>
#include <cmath>

#include "roomcal/core/error.hpp"
#include "roomcal/measure/smoothing.hpp"

namespace roomcal::correct {

std::vector<std::pair<double, double>> Confidence::null_ranges() const {
    std::vector<std::pair<double, double>> out;
    for (std::size_t i = 0; i < frequency_hz.size(); ++i) {
        if (!no_boost[i]) continue;
        if (i > 0 && no_boost[i - 1]) {
            out.back().second = frequency_hz[i];
        } else {
            out.emplace_back(frequency_hz[i], frequency_hz[i]);
        }
    }
    return out;
}

Confidence assess_confidence(const std::vector<double>& grid_hz, const std::vector<double>& average_db,
                             const std::vector<double>& spread_db, std::size_t positions, const ConfidenceOptions& o) {
    if (grid_hz.size() != average_db.size() || grid_hz.size() != spread_db.size() || grid_hz.size() < 2)
        throw Error("confidence: the average, spread and grid differ in length");
    FrequencyResponse avg{grid_hz, average_db, {}};
    const auto fine = measure::smooth(avg, {measure::SmoothingKind::fractional_octave, 24});
    const auto wide = measure::smooth(avg, {measure::SmoothingKind::fractional_octave, 1});

    Confidence c;
    c.frequency_hz = grid_hz;
    c.spread_db = spread_db;
    c.positions = positions;
    c.dip_db.resize(grid_hz.size());
    c.weight.resize(grid_hz.size());
    std::vector<char> raw(grid_hz.size(), 0);
    for (std::size_t i = 0; i < grid_hz.size(); ++i) {
        c.dip_db[i] = wide.magnitude_db[i] - fine.magnitude_db[i];
        const double spread = positions > 1 ? spread_db[i] : 0.0;
        const double s = spread / o.spread_half_weight_db;
        c.weight[i] = 1.0 / (1.0 + s * s);
        raw[i] = c.dip_db[i] > o.deep_dip_db || (c.dip_db[i] > o.varying_dip_db && spread > o.varying_spread_db);
    }
    // Widen each flagged stretch by the guard band on both sides.
    c.no_boost.assign(grid_hz.size(), 0);
    const double guard = std::pow(2.0, o.guard_octaves);
    for (std::size_t i = 0; i < grid_hz.size(); ++i) {
        if (!raw[i]) continue;
        for (std::size_t j = 0; j < grid_hz.size(); ++j)
            if (grid_hz[j] >= grid_hz[i] / guard && grid_hz[j] <= grid_hz[i] * guard) c.no_boost[j] = 1;
    }
    if (positions <= 1)
        c.note = "one position: spatial confidence unknown; measure 5 or more positions around the listening seat";
    else if (positions < 4)
        c.note = std::to_string(positions) + " positions: spatial confidence is rough; 5 or more are better";
    return c;
}

}  // namespace roomcal::correct
