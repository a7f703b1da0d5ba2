// The response a room's measurement shows: from its impulse response (windowed) or from
// the frequency response it was imported as, with the room's mic calibration removed
// and its SPL offset added. Every consumer of measured responses goes through it.
#pragma once

#include <vector>

#include "roomcal/core/room.hpp"
#include "roomcal/measure/response.hpp"

namespace roomcal::measure {

FrequencyResponse measurement_response(const Room& room, const Measurement& measurement,
                                       const std::vector<double>& grid_hz, const IrWindow& window = {});

}  // namespace roomcal::measure
