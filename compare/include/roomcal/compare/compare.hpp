// Mix against master: aligned (GCC-PHAT), level-matched on integrated loudness (EBU
// R 128 through libebur128) over the overlap, then what the master changed — long-term
// average spectra (Welch, frames gated on the mix's level, paired frame by frame) per
// third octave and per ERB, mid/side width, loudness range, crest factor, PLR and true
// peak — with a short human summary.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "roomcal/compare/align.hpp"
#include "roomcal/core/audio_buffer.hpp"
#include "roomcal/core/units.hpp"

namespace roomcal::compare {

struct Dynamics {
    double loudness_lufs = 0.0;  // integrated, over the aligned overlap
    double lra_lu = 0.0;         // loudness range
    double true_peak_dbtp = 0.0;
    double sample_peak_dbfs = 0.0;
    double rms_dbfs = 0.0;
    double crest_db = 0.0;  // sample peak over RMS
    double plr_db = 0.0;    // true peak over integrated loudness
    double max_short_term_lufs = 0.0;
    double width_db = 0.0;  // side over mid energy, floored at -60 dB (mono)
};

struct Band {
    double centre_hz = 0.0;
    double diff_db = 0.0;  // master over mix, level-matched
};

// A third-octave band's name as a person reads it: its ISO 266 nominal frequency ("63 Hz",
// "1.6 kHz", "12.5 kHz") for a centre within 1/12 octave of one, else the centre rounded.
std::string band_name(double centre_hz);

struct Comparison {
    Hz sample_rate{48000.0};  // the common rate everything below counts in
    Alignment alignment;
    double overlap_s = 0.0;
    Dynamics mix, master;
    double gain_match_db = 0.0;     // master's integrated loudness over the mix's
    double rms_match_db = 0.0;      // the same by RMS
    double loudest_match_db = 0.0;  // the same by the loudest 3 s (short-term maximum)
    std::vector<Band> bands;        // third octaves 20 Hz–20 kHz
    std::vector<Band> erb_bands;    // one ERB wide each (Glasberg & Moore 1990)
    double width_diff_db = 0.0;     // master's mid/side width over the mix's (both stereo)
    bool width_known = false;
    std::vector<std::string> warnings;
    std::string summary;  // e.g. "master: +2.8 dB below 80 Hz, ..., 4.5 LU louder, ..."
};

struct CompareOptions {
    AlignOptions align;
};

// `mix` and `master` at their own rates and channel counts (mono or more; both are
// brought to the higher rate). Throws roomcal::Error for silence, a file too short, or
// two files that are not versions of the same music, saying what to check.
Comparison compare_pair(AudioView<const float> mix, Hz mix_rate, AudioView<const float> master, Hz master_rate,
                        const CompareOptions& options = {});

// Resampled to `to` (libsamplerate, sinc); a copy when the rates are equal.
AudioBuffer<float> resample(AudioView<const float> x, Hz from, Hz to);

}  // namespace roomcal::compare
