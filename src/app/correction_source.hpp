// Where a command's correction comes from: the FilterSet a room profile holds for the
// audio's rate, or a FIR WAV made into a set, and the room audition ("as heard in room X")
// after it. Shared by `render` and `live`.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "roomcal/core/filter_set.hpp"
#include "roomcal/core/room.hpp"

namespace roomcal::app {

// The correction `room` (loaded from `room_dir`) holds for `rate`. Throws roomcal::Error
// naming the rates the room has and the `roomcal fit` command that makes this one.
const FilterSet& room_correction(const Room& room, const std::string& room_dir, Hz rate);

// The FIR WAV `fir` as a set for `channels` channels at `rate`, its channels named "1",
// "2", ...: one FIR channel per audio channel, or a mono FIR for all. Messages name what it
// corrects as `audio` ("song.wav", "audio device 'system'") and, for the rate, `rate_owner`
// ("the file", "the device"). Throws roomcal::Error when the FIR is for another rate or its
// channels do not fit.
FilterSet fir_correction(const std::string& fir, Hz rate, std::size_t channels, const std::string& audio,
                         const std::string& rate_owner);

// `correction` (nullptr: none), then the colouration of the room measured in `room_dir`
// relative to its target (correct::audition_filter), as one set for `channels` at `rate`.
// The room's channels are matched to `channels` by name, or else in order when there are as
// many. Throws roomcal::Error naming the room when it has no measurements or its channels do
// not fit.
FilterSet with_audition(const FilterSet* correction, const std::string& room_dir, Hz rate,
                        const std::vector<std::string>& channels);

}  // namespace roomcal::app
