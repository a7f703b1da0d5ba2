// Several mic positions summarised: the RMS (power) average, the vector (complex)
// average of time-aligned responses, and the spatial spread per frequency — the
// standard deviation across positions, which tells the correction how hard it may push.
#pragma once

#include <vector>

#include "roomcal/core/frequency_response.hpp"

namespace roomcal::measure {

struct PositionSummary {
    FrequencyResponse rms_average;     // magnitude only
    FrequencyResponse vector_average;  // empty unless every response has phase
    std::vector<double> spread_db;     // per frequency, standard deviation of the dB magnitudes
    std::size_t positions = 0;
};

// All responses on the same frequency grid; throws roomcal::Error otherwise.
PositionSummary summarise_positions(const std::vector<FrequencyResponse>& responses);

}  // namespace roomcal::measure
