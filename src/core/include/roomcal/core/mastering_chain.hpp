// The mastering chain as a person sets it ("a touch of EQ and limiting"): parametric EQ
// bands, a true-peak limiter and makeup gain. Plain data shared by the engine, the
// chain.json file (io/chain_file) and the monitor; validate() states every range.
#pragma once

#include <string>
#include <vector>

#include "roomcal/core/filter_set.hpp"

namespace roomcal {

struct ChainBand {
    ParametricFilter filter;
    bool enabled = true;
    bool operator==(const ChainBand&) const = default;
};

struct ChainLimiter {
    bool enabled = true;
    double ceiling_dbtp = -1.0;  // −30 to 0
    double release_ms = 100.0;   // 1 to 5000
    double input_gain_db = 0.0;  // drive, −24 to +24
    bool operator==(const ChainLimiter&) const = default;
};

struct MasteringChain {
    std::vector<ChainBand> eq;  // at most 16 bands
    ChainLimiter limiter;
    double makeup_db = 0.0;  // after the EQ, before the limiter; −24 to +24
    bool operator==(const MasteringChain&) const = default;

    // Throws roomcal::UsageError naming the first setting out of range (e.g. "eq band 3:
    // frequency 25000 Hz is outside 10–24000 Hz") and the range.
    void validate() const;
};

}  // namespace roomcal
