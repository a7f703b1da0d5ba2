// Parametric-EQ fitting: N biquads (bells, low and high shelves) that bring a measured
// response to its target on a log-frequency grid. A greedy pass places one filter at a
// time on the largest remaining deviation (trying a bell and a shelf, keeping the one
// that helps most); Levenberg–Marquardt (Eigen) then refines all of them together on the
// weighted dB error of the very biquads the engine will run. Limits are hard: gains,
// Qs and frequencies are projected into their ranges every step; the summed boost is
// capped, and flagged nulls and the cut-only region are never boosted.
#pragma once

#include <vector>

#include "roomcal/core/filter_set.hpp"

namespace roomcal::correct {

struct PeqLimits {
    int filters = 10;
    double max_boost_db = 6.0;  // per filter and for all filters together, at any frequency
    double max_cut_db = 15.0;
    double q_min = 0.5;
    double q_max = 10.0;       // cuts
    double q_max_boost = 3.0;  // boosts ring audibly at high Q
    Hz low{20.0};              // filter frequencies and the fit range
    Hz high{500.0};
    bool shelves = true;
};

struct PeqProblem {
    std::vector<double> grid_hz;   // log-spaced
    std::vector<double> error_db;  // measured minus target (level-aligned): what the filters cancel
    std::vector<double> weight;    // >= 0 per point; outside [low, high] it is taken as 0
    std::vector<char> no_boost;    // the correction must not rise above 0 dB here
    Hz sample_rate{48000.0};
};

struct PeqFit {
    std::vector<ParametricFilter> filters;
    double rms_before_db = 0.0;  // weighted RMS deviation in the fit range
    double rms_after_db = 0.0;
    double max_boost_db = 0.0;  // of the realised filters together, checked up to Nyquist
    int iterations = 0;
};

// Throws roomcal::UsageError for impossible limits (filters < 1, q_min > q_max, range
// outside (0, Nyquist)), roomcal::Error for mismatched problem vectors.
PeqFit fit_parametric(const PeqProblem& problem, const PeqLimits& limits);

// Summed dB response of `filters` (designed at `fs`) on `grid_hz`.
std::vector<double> parametric_db(const std::vector<ParametricFilter>& filters, Hz fs,
                                  const std::vector<double>& grid_hz);

}  // namespace roomcal::correct
