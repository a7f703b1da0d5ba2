// K-weighting (ITU-R BS.1770-4 pre-filter and RLB high-pass, designed for any rate) and
// the running loudness ratio.
#include "roomcal/engine/level_match.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>

namespace roomcal::engine {

double LevelMatch::KFilter::run(double x) noexcept {
    for (int k = 0; k < 2; ++k) {
        const double y = b[0][k] * x + s[k][0];
        s[k][0] = b[1][k] * x - b[3][k] * y + s[k][1];
        s[k][1] = b[2][k] * x - b[4][k] * y;
        x = y;
    }
    return x;
}

LevelMatch::KFilter LevelMatch::design(Hz rate) const {
    KFilter f{};
    const double pi = std::numbers::pi;
    {  // the head's high shelf, +4 dB above ~1.7 kHz
        const double f0 = 1681.974450955533, g = 3.999843853973347, q = 0.7071752369554196;
        const double k = std::tan(pi * f0 / rate.value), vh = std::pow(10.0, g / 20.0);
        const double vb = std::pow(vh, 0.4996667741545416), a0 = 1.0 + k / q + k * k;
        f.b[0][0] = (vh + vb * k / q + k * k) / a0;
        f.b[1][0] = 2.0 * (k * k - vh) / a0;
        f.b[2][0] = (vh - vb * k / q + k * k) / a0;
        f.b[3][0] = 2.0 * (k * k - 1.0) / a0;
        f.b[4][0] = (1.0 - k / q + k * k) / a0;
    }
    {  // the revised low-frequency B-weighting high-pass at ~38 Hz
        const double f0 = 38.13547087602444, q = 0.5003270373238773;
        const double k = std::tan(pi * f0 / rate.value), a0 = 1.0 + k / q + k * k;
        f.b[0][1] = 1.0;
        f.b[1][1] = -2.0;
        f.b[2][1] = 1.0;
        f.b[3][1] = 2.0 * (k * k - 1.0) / a0;
        f.b[4][1] = (1.0 - k / q + k * k) / a0;
    }
    return f;
}

LevelMatch::LevelMatch(Hz rate, std::size_t channels, double seconds)
    : in_(channels, design(rate)),
      out_(channels, design(rate)),
      alpha_(1.0 - std::exp(-1.0 / (seconds * rate.value))) {}

void LevelMatch::reset() noexcept {
    for (auto* v : {&in_, &out_})
        for (auto& f : *v) f.s[0][0] = f.s[0][1] = f.s[1][0] = f.s[1][1] = 0.0;
    p_in_ = p_out_ = 0.0;
    gain_ = 1.0f;
}

void LevelMatch::feed(const float* const* bypass, const float* const* processed, std::size_t frames) noexcept {
    for (std::size_t i = 0; i < frames; ++i) {
        double a = 0.0, b = 0.0;
        for (std::size_t c = 0; c < in_.size(); ++c) {
            const double x = in_[c].run(bypass[c][i]), y = out_[c].run(processed[c][i]);
            a += x * x;
            b += y * y;
        }
        p_in_ += alpha_ * (a - p_in_);
        p_out_ += alpha_ * (b - p_out_);
    }
    // Below about −100 dB either way there is nothing to match.
    if (p_in_ > 1e-10 && p_out_ > 1e-10)
        gain_ = static_cast<float>(std::clamp(std::sqrt(p_out_ / p_in_), 0.0630957, 15.848932));
}

}  // namespace roomcal::engine
