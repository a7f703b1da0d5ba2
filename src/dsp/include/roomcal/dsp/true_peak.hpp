// True peak of a whole signal (ITU-R BS.1770-4 Annex 2): oversampled 4× below 96 kHz,
// 2× below 192 kHz, by a polyphase Kaiser-windowed sinc. Only stretches that could rise
// above the highest value found so far are interpolated — a block is skipped when its
// largest sample times the largest absolute sum of any phase's taps (a strict bound on
// every interpolated value near it) stays below — so the answer equals interpolating
// everything, at about the cost of a sample-peak scan.
#pragma once

#include <span>

#include "roomcal/core/units.hpp"

namespace roomcal::dsp {

// Largest absolute interpolated value of `x` (linear, not dB); 0 for an empty signal.
double true_peak(std::span<const float> x, Hz rate);

// The same interpolating every sample (the reference the fast path is tested against).
double true_peak_exhaustive(std::span<const float> x, Hz rate);

}  // namespace roomcal::dsp
