// Biquads from parametric settings. The default design matches the analog prototype's
// magnitude at DC, at the filter's frequency and at Nyquist, with impulse-invariant
// poles (Vicanek 2016, "Matched second order digital filters"), so a bell at 12 kHz
// keeps its shape at 44.1 kHz instead of being squeezed towards Nyquist as the bilinear
// transform does. The bilinear "Audio EQ Cookbook" design (Bristow-Johnson) is kept for
// exports to tools that use it.
#pragma once

#include <complex>
#include <vector>

#include "roomcal/core/filter_set.hpp"

namespace roomcal::dsp {

// The analog prototype's response at f: peaking (s² + sA/Q + 1)/(s² + s/(AQ) + 1) with
// A = 10^(gain/40), the cookbook's shelves, and second-order low/high pass with Q.
std::complex<double> analog_response(const ParametricFilter& p, Hz f);

// Throws roomcal::UsageError for a frequency outside (0, Nyquist), Q <= 0 or a
// non-finite gain. The numerator is refined towards the least worst dB error up to
// 0.47·fs (within 0.25 dB of the prototype up to 20 kHz at 44.1 kHz for bells and shelves
// up to Q 4 near Nyquist).
Biquad design_biquad(const ParametricFilter& p, Hz fs);
// The three-point matched design alone (DC, f0, Nyquist): for a fit's inner loop, where
// thousands of candidates are tried in the bass and the refinement would dominate.
Biquad design_biquad_fast(const ParametricFilter& p, Hz fs);
std::vector<Biquad> design_biquads(const std::vector<ParametricFilter>& filters, Hz fs);

// The same settings through the bilinear transform (RBJ cookbook formulas).
Biquad design_cookbook_biquad(const ParametricFilter& p, Hz fs);

// Designs each channel's biquads from its parametric settings at the set's rate.
void realise_parametric(FilterSet& set);

}  // namespace roomcal::dsp
