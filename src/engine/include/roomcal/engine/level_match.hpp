// Level-matched bypass: the K-weighted (ITU-R BS.1770) mean square of the chain's input and
// output, each averaged over a few seconds, gives the gain that makes the bypassed signal
// as loud as the processed one, so an A/B compares tone and dynamics, not level.
#pragma once

#include <cstddef>
#include <vector>

#include "roomcal/core/units.hpp"

namespace roomcal::engine {

class LevelMatch {
public:
    // [main thread] For `channels` channels at `rate`, averaging over `seconds`.
    LevelMatch(Hz rate, std::size_t channels, double seconds = 3.0);
    // [audio thread] Feeds one block of the bypass path and the processed path.
    void feed(const float* const* bypass, const float* const* processed, std::size_t frames) noexcept;
    // [audio thread] The gain (linear) for the bypass path now, within ±24 dB; 1 until
    // both paths carry signal.
    float gain() const noexcept { return gain_; }
    void reset() noexcept;

private:
    struct KFilter {
        double b[5][2];  // two sections (shelf, high-pass): b0 b1 b2 a1 a2
        double s[2][2] = {{0, 0}, {0, 0}};
        double run(double x) noexcept;
    };
    KFilter design(Hz rate) const;
    std::vector<KFilter> in_, out_;
    double p_in_ = 0.0, p_out_ = 0.0, alpha_ = 0.0;
    float gain_ = 1.0f;
};

}  // namespace roomcal::engine
