// Reverberation times per octave band after ISO 3382-1: octave filters (IEC 61260-1),
// Schroeder backward integration (1965) with the noise floor subtracted (Chu 1978),
// truncated and compensated where the decay meets the noise (Lundeby, Vigran, Bietz &
// Vorländer 1995), then EDT, T20 and T30 by linear regression.
#pragma once

#include <string>
#include <vector>

#include "roomcal/core/filter_set.hpp"
#include "roomcal/core/impulse_response.hpp"

namespace roomcal::measure {

// Nominal octave-band centres from 63 Hz to 8 kHz.
inline const std::vector<double> default_octave_centres_hz{63, 125, 250, 500, 1000, 2000, 4000, 8000};

struct DecayResult {
    double centre_hz = 0.0;
    double edt_s = 0.0;  // each NaN when the decay curve does not span its evaluation range
    double t20_s = 0.0;
    double t30_s = 0.0;
    double t20_r = 0.0;  // correlation of the regression line with the decay curve (-1 is perfect)
    double t30_r = 0.0;
    double dynamic_range_db = 0.0;  // how far the band decays before it meets the noise floor
    bool reliable = false;          // T30 meets ISO 3382-1: 45 dB above noise and |r| >= 0.99
    std::string note;               // why it is not reliable, and what to use instead

    // The reverberation time to report: T30 when reliable, else T20 when the decay spans
    // 40 dB above the noise and its fit has |r| >= 0.99, else NaN.
    double rt60_s() const;
};

// Sixth-order Butterworth octave band-pass at `centre_hz` (three biquads, unity gain at
// the centre, -3 dB at the base-10 band edges centre · 10^(±0.15) of IEC 61260-1, about
// 19 dB down one octave away), the usual realisation of an IEC 61260-1 octave filter.
// Throws roomcal::UsageError if the band does not fit below Nyquist.
std::vector<Biquad> octave_band_filter(double centre_hz, Hz rate);

// Decay times per octave band (a centre of 0 analyses the broadband IR). Bands whose
// upper edge lies above Nyquist come back NaN with a note. Throws roomcal::UsageError for
// a negative centre, roomcal::Error if the IR is invalid or holds no sound.
std::vector<DecayResult> decay_times(const ImpulseResponse& ir,
                                     const std::vector<double>& octave_centres = default_octave_centres_hz);

// Noise-compensated Schroeder curve in dB, one value per IR sample, 0 dB at the onset of
// the sound (ISO 3382-1: where the squared IR first comes within 20 dB of its peak).
// centre_hz = 0 analyses the broadband IR, otherwise its octave band at that centre.
std::vector<double> schroeder_curve_db(const ImpulseResponse& ir, double centre_hz = 0.0);

}  // namespace roomcal::measure
