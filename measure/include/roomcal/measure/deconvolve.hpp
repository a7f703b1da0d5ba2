// Sweep deconvolution: the recording's spectrum divided by the sweep's, regularised
// outside the swept band (Kirkeby-style), so in-band the division is exact and the
// room's response needs no correction for the sweep's ripple. With the synchronized
// sweep the k-th harmonic response lands L·ln(k) before the linear one (Novak 2015).
#pragma once

#include <span>
#include <vector>

#include "roomcal/measure/sweep.hpp"

namespace roomcal::measure {

struct Deconvolution {
    // Circular result of length n: lag 0 (sound leaving at the sweep's first sample) at
    // index 0, positive lags after it, negative lags (harmonics) wrapped to the end. The
    // band limit is zero-phase: every arrival is a symmetric peak at its exact lag, and the
    // low band edge rings for a few hundred milliseconds either side of it.
    std::vector<double> h;
    double rate_l = 0.0;
    Hz sample_rate{48000.0};

    // The linear response from lag `from` (may be negative), `length` samples.
    std::vector<double> linear(long from, std::size_t length) const;
    // The k-th harmonic response (k >= 2) around `arrival`, the linear response's arrival
    // lag: from `pre` samples before it, `length` samples.
    std::vector<double> harmonic(int k, double arrival, std::size_t pre, std::size_t length) const;
    // Samples available for the k-th harmonic before the (k−1)-th one begins.
    std::size_t harmonic_span(int k) const;
};

// `segment` is the recording from the sweep's start in playback time (index
// sweep.sweep_offset of the played signal) to before the second timing marker.
Deconvolution deconvolve(std::span<const double> segment, const Sweep& sweep);

// Lag of the largest peak of |h| in [from, to), refined by a parabola through the
// three samples around it (sub-sample).
double peak_lag(const std::vector<double>& h, std::size_t from, std::size_t to);

}  // namespace roomcal::measure
