// Minimum phase from magnitude by the folded real cepstrum (Oppenheim & Schafer, Discrete-
// Time Signal Processing, ch. 13): the minimum-phase counterpart of a response or an IR,
// and the excess phase that remains when it is taken away.
#pragma once

#include <vector>

#include "roomcal/core/frequency_response.hpp"
#include "roomcal/core/impulse_response.hpp"

namespace roomcal::measure {

// Removes the 2π jumps between neighbouring points. Only sound where the true phase moves
// by less than π from point to point; the phases this module and response.hpp produce
// are continuous already.
std::vector<double> unwrap_phase(std::vector<double> phase_rad);

// The same magnitude with its minimum phase. The magnitude is resampled onto a dense
// linear grid from DC to Nyquist, held at its end values outside the response. Pass the
// sample rate of the system the response came from: its spectrum repeats about that
// Nyquist frequency, which makes the phase exact up to the top of the grid. Without it,
// Nyquist is taken as twice the top frequency. Throws roomcal::UsageError if the grid
// reaches above the given Nyquist.
FrequencyResponse minimum_phase(const FrequencyResponse& r, Hz sample_rate = Hz(0.0));

// The all-pass part of a measured response: 0 dB, phase = measured − minimum phase
// (a pure delay τ gives −2πfτ). The measured phase must be continuous, as
// frequency_response() gives it. Throws roomcal::Error if the response has no phase.
FrequencyResponse excess_phase(const FrequencyResponse& measured, Hz sample_rate = Hz(0.0));

// The minimum-phase IR with the same magnitude spectrum, as long as the input, starting
// at sample 0 (its reference). Spectral nulls are floored 200 dB below the peak.
ImpulseResponse minimum_phase_ir(const ImpulseResponse& ir);

}  // namespace roomcal::measure
