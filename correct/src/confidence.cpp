// Null detection and boost trust from the positions' responses.
#include "roomcal/correct/confidence.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>

#include "roomcal/core/error.hpp"
#include "roomcal/measure/averaging.hpp"
#include "roomcal/measure/smoothing.hpp"

namespace roomcal::correct {
namespace {

std::vector<double> fractional(const std::vector<double>& grid, const std::vector<double>& db, double n) {
    return measure::smooth({grid, db, {}}, {measure::SmoothingKind::fractional_octave, n}).magnitude_db;
}

}  // namespace

std::vector<std::pair<double, double>> Confidence::null_ranges() const {
    std::vector<std::pair<double, double>> out;
    bool open = false;
    for (std::size_t i = 0; i < frequency_hz.size(); ++i) {
        const bool null = no_boost[i] || narrow[i] || guard[i];
        if (null && open) out.back().second = frequency_hz[i];
        if (null && !open) out.emplace_back(frequency_hz[i], frequency_hz[i]);
        open = null;
    }
    return out;
}

Confidence assess_confidence(const std::vector<double>& grid_hz, const std::vector<std::vector<double>>& responses_db,
                             const ConfidenceOptions& o) {
    if (responses_db.empty()) throw Error("confidence: no responses");
    std::vector<FrequencyResponse> thirds, raw;
    for (const auto& r : responses_db) {
        if (r.size() != grid_hz.size() || grid_hz.size() < 2)
            throw Error("confidence: a response and the grid differ in length");
        raw.push_back({grid_hz, r, {}});
        thirds.push_back({grid_hz, fractional(grid_hz, r, 3), {}});
    }
    const auto average = measure::summarise_positions(raw).rms_average.magnitude_db;
    const auto spread = measure::summarise_positions(thirds).spread_db;
    const auto fine = fractional(grid_hz, average, 24);
    const auto third = fractional(grid_hz, average, 3);
    const std::size_t n = grid_hz.size();

    Confidence c;
    c.frequency_hz = grid_hz;
    c.level_db = third;
    c.positions = responses_db.size();
    c.spread_db = c.positions > 1 ? spread : std::vector<double>(n, 0.0);
    c.dip_db.resize(n);
    c.weight.resize(n);
    c.narrow.assign(n, 0);
    std::vector<char> raw_no_boost(n, 0);
    std::vector<double> deep(n);
    for (std::size_t i = 0; i < n; ++i) {
        c.dip_db[i] = third[i] - fine[i];
        const double s = c.spread_db[i];
        const double x =
            std::clamp((s - o.full_trust_spread_db) / (o.varying_spread_db - o.full_trust_spread_db), 0.0, 1.0);
        c.weight[i] = 0.5 + 0.5 * std::cos(std::numbers::pi * x);
        // A deep dip has higher ground on both sides within half an octave; a roll-off
        // (falling towards one end) is not a dip.
        double left = third[i], right = third[i];
        for (std::size_t j = 0; j < n; ++j) {
            if (grid_hz[j] >= grid_hz[i] / std::numbers::sqrt2 && j < i) left = std::max(left, third[j]);
            if (grid_hz[j] <= grid_hz[i] * std::numbers::sqrt2 && j > i) right = std::max(right, third[j]);
        }
        deep[i] = std::min(left, right) - third[i];
        raw_no_boost[i] = s >= o.varying_spread_db;
    }
    // A dip is flagged where it is deeper than its threshold and, from there, out to
    // where it is half as deep: the whole dip, not only its core.
    auto flag_dips = [&](const std::vector<double>& depth, double threshold, std::vector<char>& flags) {
        for (std::size_t i = 0; i < n; ++i) {
            if (depth[i] <= threshold || flags[i]) continue;
            std::size_t a = i, b = i;
            while (a > 0 && depth[a - 1] > threshold / 2.0) --a;
            while (b + 1 < n && depth[b + 1] > threshold / 2.0) ++b;
            for (std::size_t j = a; j <= b; ++j) flags[j] = 1;
        }
    };
    flag_dips(c.dip_db, o.narrow_dip_db, c.narrow);
    flag_dips(deep, o.deep_dip_db, raw_no_boost);
    // Boosts ramp up from a null's edge over the guard band (raised cosine in octaves), so
    // the correction needs no step there.
    c.no_boost = raw_no_boost;
    c.guard.assign(n, 0);
    for (std::size_t i = 0; i < n; ++i) {
        if (c.no_boost[i]) continue;
        double nearest = o.guard_octaves;
        for (std::size_t j = 0; j < n; ++j)
            if (c.no_boost[j]) nearest = std::min(nearest, std::abs(std::log2(grid_hz[j] / grid_hz[i])));
        if (nearest >= o.guard_octaves) continue;
        c.guard[i] = 1;
        c.weight[i] *= 0.5 - 0.5 * std::cos(std::numbers::pi * nearest / o.guard_octaves);
    }
    if (c.positions <= 1)
        c.note = "one position: spatial confidence unknown; measure 5 or more positions around the listening seat";
    else if (c.positions < 4)
        c.note = std::to_string(c.positions) + " positions: spatial confidence is rough; 5 or more are better";
    return c;
}

}  // namespace roomcal::correct
