// Short human summaries of measurement results for the terminal.
#pragma once

#include <ostream>

#include "roomcal/measure/recording_analysis.hpp"

namespace roomcal::app {

void print_analysis(std::ostream& out, const measure::RecordingAnalysis& a);

}  // namespace roomcal::app
