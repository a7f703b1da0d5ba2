// Cumulative spectral decay, the "waterfall" of Berman & Fincham (1977): the spectrum of
// the IR seen through a window whose start slides later in time, one slice per step, so
// resonances show as ridges that fall at their own decay rate.
#pragma once

#include <vector>

#include "roomcal/core/impulse_response.hpp"

namespace roomcal::measure {

struct WaterfallSpec {
    double start_ms = 0;     // first slice, after the IR's reference
    double end_ms = 300;     // last slice (inclusive)
    double step_ms = 10;     // between slices: 0..300 ms in 30 steps by default
    double rise_ms = 0.5;    // half-Hann rise before each slice's start
    double window_ms = 300;  // each slice's window after its start, the same for all slices
};

struct Waterfall {
    std::vector<double> times_s;  // slice starts after the reference
    std::vector<double> frequency_hz;
    std::vector<std::vector<double>> magnitude_db;  // [slice][frequency], on the IR's dB scale
};

// Each slice is frequency_response() with IrWindow{rise_ms, window_ms} around the
// reference moved to the slice start. Throws roomcal::UsageError for a spec that cannot
// be used (non-positive step or window, slices starting after the IR ends) and for a grid
// frequency_response() refuses.
Waterfall cumulative_spectral_decay(const ImpulseResponse& ir, const std::vector<double>& grid_hz,
                                    const WaterfallSpec& spec = {});

}  // namespace roomcal::measure
