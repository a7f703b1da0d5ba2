// Where a correction may push: per frequency, the room's level at third-octave
// resolution averaged over the mic positions, how much the positions disagree there
// (spatial spread), how deep a dip is against its surroundings, and from those a trust
// for boosts and "never boost here" flags. A dip that is narrow and deep is a
// cancellation (a null) that no boost fills: the correction may lift its surroundings
// but never chases it. A dip that is deep even at third-octave resolution, or that
// moves between positions, is not boosted at all: boosting it only wastes headroom and
// excites the mode elsewhere in the room.
#pragma once

#include <cstddef>
#include <string>
#include <utility>
#include <vector>

namespace roomcal::correct {

struct ConfidenceOptions {
    double narrow_dip_db = 3.0;         // fine detail this far below its third-octave level: a narrow dip
    double deep_dip_db = 6.0;           // a third-octave level this far below both sides (±½ octave): a deep null
    double full_trust_spread_db = 3.0;  // positions agreeing this well (SD of third-octave levels): full boost
    double varying_spread_db = 5.0;     // ... disagreeing this much: a moving null, no boost
    double guard_octaves = 1.0 / 6.0;   // boosts ramp up over this much beside a no-boost null
};

struct Confidence {
    std::vector<double> frequency_hz;
    std::vector<double> level_db;   // third-octave level of the RMS average of the positions
    std::vector<double> spread_db;  // SD of the positions' third-octave levels (0 with one position)
    std::vector<double> dip_db;     // third-octave level minus the fine (1/24-octave) average; > 0 in a dip
    std::vector<double> weight;     // 0..1, how far a boost may go towards the target here
    std::vector<char> narrow;       // a narrow null: boosts here go no further than its surroundings
    std::vector<char> no_boost;     // a deep or moving null: the correction must not boost here
    std::vector<char> guard;        // beside a no-boost null: boosts ramp up from 0 here
    std::size_t positions = 0;
    std::string note;  // e.g. "one position: spatial confidence unknown"

    // Contiguous stretches of nulls (narrow, no-boost or its guard) as (low Hz, high Hz).
    std::vector<std::pair<double, double>> null_ranges() const;
};

// `responses_db` holds each position's unsmoothed magnitude on `grid_hz` (log-spaced).
Confidence assess_confidence(const std::vector<double>& grid_hz, const std::vector<std::vector<double>>& responses_db,
                             const ConfidenceOptions& o = {});

}  // namespace roomcal::correct
