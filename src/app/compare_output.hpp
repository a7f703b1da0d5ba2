// How `compare` and `translate` print their results, shared with `demo`.
#pragma once

#include <ostream>

#include "roomcal/compare/compare.hpp"
#include "roomcal/compare/translate.hpp"

namespace roomcal::app {

// The summary line, alignment, loudness and dynamics, and the warnings.
void print_comparison(std::ostream& out, const compare::Comparison& c);

// Each room's score (uncorrected and corrected) with its worst bands, an octave table of
// deviations and the room-to-room differences.
void print_translation(std::ostream& out, const compare::Translation& t);

}  // namespace roomcal::app
