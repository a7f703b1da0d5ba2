// Where a correction may push: per frequency, how much the mic positions disagree
// (spatial spread), how deep and narrow a dip is against its one-octave surroundings,
// and from those a weight for the fit and a "never boost here" flag. A dip that is
// deep and narrow, or that moves between positions, is a cancellation (a null) that
// no amount of boost fills; boosting it only wastes headroom and excites the mode
// elsewhere in the room.
#pragma once

#include <cstddef>
#include <string>
#include <utility>
#include <vector>

namespace roomcal::correct {

struct ConfidenceOptions {
    double deep_dip_db = 6.0;            // a dip this far below its 1-octave surroundings is a null
    double varying_dip_db = 3.0;         // ... or this deep where positions disagree by
    double varying_spread_db = 3.0;      // ... at least this much (standard deviation)
    double spread_half_weight_db = 3.0;  // spread at which the fit weight halves
    double guard_octaves = 1.0 / 6.0;    // no-boost flags widen by this much on each side
};

struct Confidence {
    std::vector<double> frequency_hz;
    std::vector<double> spread_db;  // standard deviation across positions (0 with one position)
    std::vector<double> dip_db;     // 1-octave minus 1/24-octave smoothed average; positive in a dip
    std::vector<double> weight;     // 0..1, how much the fit trusts this frequency
    std::vector<char> no_boost;     // a null: the correction must not boost here
    std::size_t positions = 0;
    std::string note;  // e.g. "one position: spatial confidence unknown"

    // Contiguous no-boost stretches as (low Hz, high Hz).
    std::vector<std::pair<double, double>> null_ranges() const;
};

// `average_db` is the RMS average of the positions, unsmoothed, on `grid_hz` (log-spaced).
Confidence assess_confidence(const std::vector<double>& grid_hz, const std::vector<double>& average_db,
                             const std::vector<double>& spread_db, std::size_t positions,
                             const ConfidenceOptions& o = {});

}  // namespace roomcal::correct
