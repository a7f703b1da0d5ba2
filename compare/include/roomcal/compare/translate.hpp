// How a mix lands in each measured room: the mix's long-term spectrum (paired level-gated
// Welch frames, per channel) through each channel's listening-position response — as
// measured, and with the room's correction — summed at the seat, per third octave,
// relative to the room's target with the overall level removed (mean over 200 Hz–2 kHz);
// a translation score (RMS deviation over 40 Hz–16 kHz), the worst bands, and what
// differs most between rooms.
#pragma once

#include <string>
#include <vector>

#include "roomcal/compare/compare.hpp"
#include "roomcal/core/audio_buffer.hpp"
#include "roomcal/core/room.hpp"

namespace roomcal::compare {

struct RoomTranslation {
    std::string room;
    std::vector<double> heard_db;            // predicted band power at the seat, uncorrected
    std::vector<double> heard_corrected_db;  // the same with the room's correction (empty: none fitted)
    std::vector<Band> deviation;             // from the target, level removed, uncorrected
    std::vector<Band> deviation_corrected;
    double score_db = 0.0, score_corrected_db = 0.0;  // RMS deviation, 40 Hz–16 kHz
    std::vector<Band> worst;                          // the three largest |deviation|, uncorrected
};

struct Translation {
    Hz sample_rate{48000.0};
    std::vector<double> centres_hz;  // third octaves 20 Hz–20 kHz (to Nyquist)
    std::vector<double> mix_db;      // the mix's own band power (all channels)
    std::vector<RoomTranslation> rooms;
    std::vector<std::string> differences;  // "in B, 63–100 Hz is 5.1 dB louder than in A"
    std::vector<std::string> warnings;
};

// The mix's channels feed the rooms' "L" and "R" (a mono mix feeds both; a room without
// them, its own channels in order). Throws roomcal::Error naming a room without a
// measurement for a needed channel or a silent mix.
Translation translate(AudioView<const float> mix, Hz rate, const std::vector<Room>& rooms);

}  // namespace roomcal::compare
