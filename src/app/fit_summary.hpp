// What a fit did, in words and a third-octave table: shared by `roomcal fit` and the demo.
#pragma once

#include <ostream>

#include "roomcal/core/room.hpp"
#include "roomcal/correct/fit.hpp"

namespace roomcal::app {

// `detailed`: also each parametric filter, the nulls left alone and the band table.
void print_fit_summary(std::ostream& out, const Room& room, const correct::FitResult& res, bool detailed);

}  // namespace roomcal::app
