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

// A parametric filter as a person sets it: type, frequency, Q and gain. Its biquad is
// designed per sample rate (dsp/biquad_design), so the same parameters mean the same
// response at 44.1 and 96 kHz; exports and imports speak in these terms.
enum class FilterType { peaking, low_shelf, high_shelf, low_pass, high_pass };

struct ParametricFilter {
    FilterType type = FilterType::peaking;
    double frequency_hz = 1000.0;
    double q = 0.7071;
    double gain_db = 0.0;  // ignored by low_pass and high_pass
    bool operator==(const ParametricFilter&) const = default;
};

// "PK", "LS", "HS", "LP", "HP", the short names REW and Equalizer APO use.
const char* short_name(FilterType t);

struct ChannelFilter {
    std::string channel;  // "L", "R", ...
    double gain_db = 0.0;
    double delay_samples = 0.0;   // integer in practice; double keeps sub-sample alignment visible
    std::vector<Biquad> biquads;  // applied in order
    std::vector<double> fir;      // empty: none
    // The settings the biquads were designed from, one per biquad and in the same order;
    // empty when the biquads came as raw coefficients.
    std::vector<ParametricFilter> parametric;

    // Complex response of gain, biquads and FIR (delay excluded) at f.
    std::complex<double> response(Hz f, Hz fs) const;
    bool operator==(const ChannelFilter&) const = default;
};

struct FilterSet {
    Hz sample_rate{48000.0};
    std::vector<ChannelFilter> channels;
    // The headroom part of every channel's gain_db: what keeps a full-scale sine below
    // 0 dBFS after correction (negative or zero). `needs_limiter` when the user chose a
    // smaller preamp and the output limiter catches the rest.
    double preamp_db = 0.0;
    bool needs_limiter = false;
    // Delay the FIRs add before the direct sound (linear- and mixed-phase corrections),
    // in samples: what a DAW must compensate.
    double latency_samples = 0.0;
    std::string description;  // e.g. "fir minimum-phase, target flat, 20–20000 Hz"

    const ChannelFilter* find(const std::string& channel) const;
    // Throws roomcal::Error if a coefficient is non-finite, a biquad is unstable, or rate <= 0.
    void validate() const;
    bool operator==(const FilterSet&) const = default;
};

}  // namespace roomcal
