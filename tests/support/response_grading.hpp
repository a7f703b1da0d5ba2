// Grading a measured response against a known truth, shared by the measurement tests.
#pragma once

#include <vector>

#include "roomcal/core/frequency_response.hpp"
#include "roomcal/core/impulse_response.hpp"

namespace roomcal::test {

// `truth` placed as a measurement lays its response out: `pre` samples in (what the
// measurement keeps before t = 0), as long as `measured`, same rate and reference.
ImpulseResponse placed_truth(const std::vector<double>& truth, const ImpulseResponse& measured, std::size_t pre);

// 1/6-octave magnitude, 20 Hz–20 kHz, windowed to everything before the arrival and the
// whole response after it: nothing of either response is cut.
FrequencyResponse sixth_octave_response(const ImpulseResponse& ir);

// Largest |difference| of two responses on one grid within [lo, hi] Hz; `at` gets where.
double max_magnitude_difference_db(const FrequencyResponse& a, const FrequencyResponse& b, double lo, double hi,
                                   double* at = nullptr);

// Normalised error of two responses within [lo, hi] Hz, after the best sub-sample
// alignment (a weighted fit of the cross-spectrum's phase): timing is graded on its own.
double in_band_error_db(const std::vector<double>& got, const std::vector<double>& want, double rate_hz,
                        double lo = 20.0, double hi = 20000.0);

}  // namespace roomcal::test
