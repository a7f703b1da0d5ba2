// A channel's correction rendered as one impulse response: gain, whole-sample delay,
// biquads in direct form I (double) and the FIR, run on a unit impulse. What a
// convolver-only host (CamillaDSP Conv, Equalizer APO Convolution, a DAW) plays.
#pragma once

#include <cstddef>
#include <vector>

#include "roomcal/core/filter_set.hpp"
#include "roomcal/core/units.hpp"

namespace roomcal::dsp {

// The first `taps` samples of the channel's impulse response at rate `fs`. With
// `include_delay` the response starts at round(delay_samples); a fractional delay is
// rounded, not interpolated. Throws roomcal::UsageError when `taps` is 0.
std::vector<double> render_impulse_response(const ChannelFilter& channel, Hz fs, std::size_t taps, bool include_delay);

}  // namespace roomcal::dsp
