// The JSON report of one analysed recording (`roomcal analyze --json`): timing, drift,
// levels, SNR, distortion and decay per band, and the warnings.
#pragma once

#include <string>

#include "roomcal/measure/recording_analysis.hpp"

namespace roomcal::measure {

std::string analysis_to_json(const RecordingAnalysis& analysis);

}  // namespace roomcal::measure
