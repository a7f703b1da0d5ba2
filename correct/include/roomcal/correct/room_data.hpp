// What a fit needs from a room: each channel's calibrated responses at the chosen mic
// positions on one log-frequency grid, their position summary (RMS average, spread),
// and the listening position's impulse response and arrival time.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "roomcal/core/room.hpp"
#include "roomcal/measure/averaging.hpp"

namespace roomcal::correct {

// 20 Hz–20 kHz, 48 points per octave: the grid every fit and prediction works on.
const std::vector<double>& analysis_grid();

struct ChannelData {
    std::string channel;
    std::vector<int> positions;
    std::vector<FrequencyResponse> responses;  // calibrated, one per position, on analysis_grid()
    measure::PositionSummary summary;
    std::optional<ImpulseResponse> listening_ir;  // the first chosen position's, when it has one
    double arrival_samples = 0.0;                 // direct sound after the timing reference, first position
    Hz arrival_rate{48000.0};                     // the rate arrival_samples counts in
    std::string timing;                           // how the arrival was timed (Measurement::timing)
};

// `positions` empty: every position the channel has. Throws roomcal::Error naming the
// room and channel if the channel is missing, has no measurements, or lacks a
// requested position.
ChannelData channel_data(const Room& room, const std::string& channel, const std::vector<int>& positions = {});

}  // namespace roomcal::correct
