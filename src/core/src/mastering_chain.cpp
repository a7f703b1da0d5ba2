// Ranges of the mastering chain's settings.
#include "roomcal/core/mastering_chain.hpp"

#include <cmath>

#include "roomcal/core/error.hpp"
#include "roomcal/core/format.hpp"

namespace roomcal {
namespace {

void check(const std::string& what, double v, double lo, double hi, const char* unit) {
    if (!(std::isfinite(v) && v >= lo && v <= hi))
        throw UsageError(what + " " + fmt(v) + unit + " is outside " + fmt(lo) + "–" + fmt(hi) + unit);
}

}  // namespace

void MasteringChain::validate() const {
    if (eq.size() > 16) throw UsageError("the chain has " + std::to_string(eq.size()) + " EQ bands; at most 16");
    for (std::size_t i = 0; i < eq.size(); ++i) {
        const auto& f = eq[i].filter;
        const std::string band = "eq band " + std::to_string(i + 1) + ":";
        check(band + " frequency", f.frequency_hz, 10.0, 24000.0, " Hz");
        check(band + " Q", f.q, 0.1, 20.0, "");
        check(band + " gain", f.gain_db, -24.0, 24.0, " dB");
    }
    check("limiter ceiling", limiter.ceiling_dbtp, -30.0, 0.0, " dBTP");
    check("limiter release", limiter.release_ms, 1.0, 5000.0, " ms");
    check("limiter input gain", limiter.input_gain_db, -24.0, 24.0, " dB");
    check("makeup gain", makeup_db, -24.0, 24.0, " dB");
}

}  // namespace roomcal
