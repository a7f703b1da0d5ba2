// Target curves a correction aims for: flat, a tilt in dB/octave about a pivot, and a
// bass shelf ("house curve"), parsed from the CLI's compact syntax.
#pragma once

#include <string>

#include "roomcal/core/units.hpp"

namespace roomcal::correct {

struct TargetCurve {
    double tilt_db_per_octave = 0.0;
    Hz tilt_pivot{1000.0};
    double bass_shelf_db = 0.0;  // added below `bass_shelf_corner`
    Hz bass_shelf_corner{100.0};

    // Target level in dB at f, relative to the pivot. The shelf is a smooth first-order
    // shelf so the curve has no corner a fit would chase.
    double level_db(Hz f) const;
    std::string describe() const;
};

// "flat", "tilt:-1", "tilt:-1@500", "house:+4@100", combined with '+' or ',':
// "house:+4@100,tilt:-0.5". Throws roomcal::UsageError saying which part is wrong.
TargetCurve parse_target(const std::string& spec);

}  // namespace roomcal::correct
