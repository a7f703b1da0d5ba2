// Time alignment of two versions of the same music by the generalized cross-correlation
// with phase transform (GCC-PHAT; Knapp & Carter 1976): coarse on a decimated mono
// downmix over the whole overlap, then exact at full rate in windows at the start,
// middle and end, which also shows clock drift. The correlation's sign gives polarity,
// its peak against the rest of the correlation gives the confidence.
#pragma once

#include <cstddef>
#include <span>
#include <string>
#include <vector>

#include "roomcal/core/audio_buffer.hpp"
#include "roomcal/core/units.hpp"

namespace roomcal::compare {

struct AlignOptions {
    double max_offset_s = 30.0;
    // Below this confidence the two are not taken for versions of the same music.
    double min_confidence = 0.5;
};

struct WindowLag {
    double at_s = 0.0;  // window centre in the first signal
    long lag = 0;       // samples
    double peak = 0.0;  // normalised PHAT peak height, 0..1
};

struct Alignment {
    long offset_samples = 0;  // b[n + offset] lines up with a[n]
    bool polarity_inverted = false;
    double confidence = 0.0;        // 0..1, from the coarse peak's prominence
    double peak_to_sidelobe = 0.0;  // coarse peak over the next-highest peak away from it
    double drift_ppm = 0.0;         // lag change from the first to the last window, per duration
    std::vector<WindowLag> windows;
    std::vector<std::string> warnings;
};

// Aligns `b` to `a` (mono, same rate). Throws roomcal::Error when either is silent or
// shorter than 0.25 s. A low confidence is returned, not thrown: the caller refuses.
Alignment align(std::span<const float> a, std::span<const float> b, Hz rate, const AlignOptions& options = {});
// The same on the mono downmixes (mean of the channels) of two multichannel signals,
// made on the fly: no full-length downmix is stored.
Alignment align(AudioView<const float> a, AudioView<const float> b, Hz rate, const AlignOptions& options = {});

}  // namespace roomcal::compare
