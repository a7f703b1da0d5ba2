// A correction as the engine runs it: per channel, biquad sections (double), an
// optional FIR, a gain and a delay, all for one sample rate. A Room keeps one
// FilterSet per rate, so a rate change never plays a filter made for another rate.
#pragma once

#include <complex>
#include <cstddef>
#include <string>
#include <vector>

#include "roomcal/core/units.hpp"

namespace roomcal {

// Normalised direct-form coefficients: H(z) = (b0 + b1 z^-1 + b2 z^-2) / (1 + a1 z^-1 + a2 z^-2).
struct Biquad {
    double b0 = 1.0, b1 = 0.0, b2 = 0.0, a1 = 0.0, a2 = 0.0;

    // Complex response at frequency f for sample rate fs.
    std::complex<double> response(Hz f, Hz fs) const;
    // True if both poles lie strictly inside the unit circle.
    bool is_stable() const;
    bool operator==(const Biquad&) const = default;
};

struct ChannelFilter {
    std::string channel;  // "L", "R", ...
    double gain_db = 0.0;
    double delay_samples = 0.0;   // integer in practice; double keeps sub-sample alignment visible
    std::vector<Biquad> biquads;  // applied in order
    std::vector<double> fir;      // empty: none

    // Complex response of gain, biquads and FIR (delay excluded) at f.
    std::complex<double> response(Hz f, Hz fs) const;
    bool operator==(const ChannelFilter&) const = default;
};

struct FilterSet {
    Hz sample_rate{48000.0};
    std::vector<ChannelFilter> channels;

    const ChannelFilter* find(const std::string& channel) const;
    // Throws roomcal::Error if a coefficient is non-finite, a biquad is unstable, or rate <= 0.
    void validate() const;
    bool operator==(const FilterSet&) const = default;
};

}  // namespace roomcal
