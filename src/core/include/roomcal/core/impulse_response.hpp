// A measured or designed impulse response: samples, their rate, and where t = 0 lies
// (the arrival of the direct sound, or the latency a loopback reference measured).
#pragma once

#include <cstddef>
#include <vector>

#include "roomcal/core/units.hpp"

namespace roomcal {

struct ImpulseResponse {
    std::vector<double> samples;
    Hz sample_rate{48000.0};
    double reference_sample = 0.0;  // fractional index of t = 0 within samples

    std::size_t size() const { return samples.size(); }
    Seconds duration() const { return to_seconds(static_cast<double>(samples.size()), sample_rate); }
    Seconds reference_time() const { return to_seconds(reference_sample, sample_rate); }

    // Throws roomcal::Error naming `what` if empty, non-finite or the rate is not positive.
    void validate(const char* what) const;
};

}  // namespace roomcal
