// Minimum phase from magnitude by homomorphic processing (Oppenheim & Schafer): the real
// cepstrum of ln|H| folded onto positive quefrencies is the cepstrum of the causal,
// minimum-phase H with the same magnitude.
#pragma once

#include <complex>
#include <span>
#include <vector>

namespace roomcal::dsp {

// ln|H| on bins 0..n/2 of an n-point FFT (n even) -> ln H_min on the same bins: its real
// part is ln|H|, its imaginary part the minimum phase (continuous, no unwrapping).
// Cepstral aliasing falls as n grows; use n well above the response's length.
std::vector<std::complex<double>> minimum_phase_log_spectrum(std::span<const double> log_magnitude, std::size_t n);

}  // namespace roomcal::dsp
