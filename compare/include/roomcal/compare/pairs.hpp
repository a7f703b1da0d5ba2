// What the masters keep changing: band differences of many mix/master pairs averaged per
// third octave with a Student-t confidence interval, the consistent part (interval clear
// of zero, at least 0.5 dB) told apart from song-to-song variation, and turned into a
// target-curve adjustment for the room the mixes were made in (masters +3 dB in a region
// → the room overstates it by about 3 dB → lower the target there by 3 dB).
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "roomcal/compare/compare.hpp"

namespace roomcal::compare {

struct BandStats {
    double centre_hz = 0.0;
    double mean_db = 0.0;  // master over mix, level-matched, averaged over the pairs
    double sd_db = 0.0;    // song-to-song variation
    double ci_low_db = 0.0, ci_high_db = 0.0;
    bool consistent = false;
    double target_change_db = 0.0;  // the suggested adjustment at this band
};

struct PairsSummary {
    std::size_t pairs = 0;
    double confidence_level = 0.95;
    std::vector<BandStats> bands;
    double consistent_rms_db = 0.0;                        // RMS of the means over 40 Hz–16 kHz
    double variation_rms_db = 0.0;                         // RMS of the song-to-song SDs over the same bands
    std::vector<std::pair<double, double>> target_change;  // (Hz, dB), smooth, 0 where nothing is consistent
    std::string summary;
};

// Throws roomcal::UsageError for fewer than two pairs or pairs on different band grids.
PairsSummary summarise_pairs(const std::vector<Comparison>& pairs, double confidence_level = 0.95);

}  // namespace roomcal::compare
