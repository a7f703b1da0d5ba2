// Target curves a correction aims for: flat, a tilt in dB/octave about a pivot, a bass
// shelf ("house curve"), a Harman-like in-room slope, a user curve (REW house-curve
// file), and the roll-off limits outside which nothing is corrected — parsed from the
// CLI's compact syntax.
#pragma once

#include <string>
#include <vector>

#include "roomcal/core/frequency_response.hpp"
#include "roomcal/core/units.hpp"

namespace roomcal::correct {

struct TargetCurve {
    double tilt_db_per_octave = 0.0;
    Hz tilt_pivot{1000.0};
    double bass_shelf_db = 0.0;  // added below `bass_shelf_corner`
    Hz bass_shelf_corner{100.0};
    // A user curve in dB, added to the above (log-frequency interpolation, held flat
    // beyond its ends); empty: none.
    FrequencyResponse custom;
    std::string custom_source;  // the file it came from
    // Below `low_limit` and above `high_limit` the correction fades to nothing: the
    // speaker's own roll-off is not fought, and the target itself rolls off there
    // (second-order Butterworth high-pass at the low limit, low-pass at a high limit
    // below 20 kHz), as a target for a speaker that cannot go lower should. A low limit
    // of 0 means "find it" (find_low_rolloff) and adds no roll-off until it is found.
    Hz low_limit{0.0};
    Hz high_limit{20000.0};

    // Target level in dB at f, relative to the pivot. The shelf is a smooth first-order
    // shelf so the curve has no corner a fit would chase.
    double level_db(Hz f) const;
    std::vector<double> level_db(const std::vector<double>& grid_hz) const;
    std::string describe() const;
};

// "flat", "tilt:-1", "tilt:-1@500", "house:+4@100", "harman", "low:40", "low:auto",
// "high:16000", combined with ',' or ';': "house:+4@100,tilt:-0.5,low:35". Throws
// roomcal::UsageError saying which part is wrong.
TargetCurve parse_target(const std::string& spec);

// `base` plus a user curve of (Hz, dB) points. Throws roomcal::UsageError if the points
// are not increasing in frequency or hold a non-finite value.
TargetCurve with_custom_curve(TargetCurve base, const std::vector<std::pair<double, double>>& points,
                              const std::string& source);

// The frequency where `average_db` (on `grid_hz`, smoothed by the caller) first rises to
// within 6 dB of its mean over 200 Hz–2 kHz, searching upwards from the bottom: the
// speaker-in-room low roll-off. Returns the grid's first frequency if it never falls.
Hz find_low_rolloff(const std::vector<double>& grid_hz, const std::vector<double>& average_db);

}  // namespace roomcal::correct
