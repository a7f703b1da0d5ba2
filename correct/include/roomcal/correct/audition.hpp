// "As heard in room X": the filter that gives a corrected (flat-to-target) system the
// colouration of another measured room — per channel, the RMS average of its mic
// positions relative to its own target, overall level removed (mean over 200 Hz–2 kHz),
// smoothed, as a minimum-phase FIR — and the cascade of a correction with it, so the
// engine's correction stage plays both at once (correction, then room audition).
#pragma once

#include <cstddef>

#include "roomcal/core/filter_set.hpp"
#include "roomcal/core/room.hpp"
#include "roomcal/core/units.hpp"

namespace roomcal::correct {

struct AuditionOptions {
    Hz sample_rate{48000.0};
    std::size_t taps_at_48k = 32768;  // scaled with the rate
    double smoothing_octaves = 1.0 / 12.0;
    double max_level_db = 18.0;  // the colouration is held within ±this
};

// One FIR per channel of `room`, named as in the room. Throws roomcal::Error naming the
// room for a room without measurements (via channel_data), roomcal::UsageError for
// unusable options.
FilterSet audition_filter(const Room& room, const AuditionOptions& options);

// `first`, then `then`, as one set at their common rate: a channel in both keeps first's
// delay and biquads, gets the sum of the gains and the convolution of the FIRs; a channel
// in only one keeps its own filter. Latencies add. Throws roomcal::Error when the rates
// differ.
FilterSet cascade(const FilterSet& first, const FilterSet& then);

}  // namespace roomcal::correct
