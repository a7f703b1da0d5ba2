// FilterSet responses and validation.
#include "roomcal/core/filter_set.hpp"

#include <cmath>
#include <numbers>
#include <string>

#include "roomcal/core/error.hpp"
#include "roomcal/core/format.hpp"

namespace roomcal {
namespace {

std::complex<double> unit_delay(Hz f, Hz fs) { return std::polar(1.0, -2.0 * std::numbers::pi * f.value / fs.value); }

bool all_finite(const Biquad& q) {
    return std::isfinite(q.b0) && std::isfinite(q.b1) && std::isfinite(q.b2) && std::isfinite(q.a1) &&
           std::isfinite(q.a2);
}

}  // namespace

const char* short_name(FilterType t) {
    switch (t) {
        case FilterType::peaking: return "PK";
        case FilterType::low_shelf: return "LS";
        case FilterType::high_shelf: return "HS";
        case FilterType::low_pass: return "LP";
        case FilterType::high_pass: return "HP";
    }
    return "?";
}

std::complex<double> Biquad::response(Hz f, Hz fs) const {
    const auto z1 = unit_delay(f, fs);
    const auto z2 = z1 * z1;
    return (b0 + b1 * z1 + b2 * z2) / (1.0 + a1 * z1 + a2 * z2);
}

bool Biquad::is_stable() const {
    // Jury conditions for z^2 + a1 z + a2.
    return std::abs(a2) < 1.0 && std::abs(a1) < 1.0 + a2;
}

std::complex<double> ChannelFilter::response(Hz f, Hz fs) const {
    std::complex<double> h = db_to_gain(gain_db);
    for (const auto& q : biquads) h *= q.response(f, fs);
    if (!fir.empty()) {
        const auto z1 = unit_delay(f, fs);
        std::complex<double> acc = 0.0;
        std::complex<double> zk = 1.0;
        for (double tap : fir) {
            acc += tap * zk;
            zk *= z1;
        }
        h *= acc;
    }
    return h;
}

const ChannelFilter* FilterSet::find(const std::string& channel) const {
    for (const auto& c : channels)
        if (c.channel == channel) return &c;
    return nullptr;
}

void FilterSet::validate() const {
    if (!(sample_rate.value > 0.0) || !std::isfinite(sample_rate.value))
        throw Error("filter set: sample rate " + fmt(sample_rate.value) + " Hz is not valid");
    if (!std::isfinite(preamp_db) || !std::isfinite(latency_samples) || latency_samples < 0.0)
        throw Error("filter set at " + fmt(sample_rate.value) + " Hz: preamp or latency is not a valid number");
    for (const auto& c : channels) {
        const std::string where =
            "filter set at " + std::to_string(static_cast<long>(sample_rate.value)) + " Hz, channel " + c.channel;
        if (!std::isfinite(c.gain_db)) throw Error(where + ": gain is not a finite number");
        if (!std::isfinite(c.delay_samples) || c.delay_samples < 0.0)
            throw Error(where + ": delay must be a finite, non-negative number of samples");
        for (std::size_t i = 0; i < c.biquads.size(); ++i) {
            if (!all_finite(c.biquads[i]))
                throw Error(where + ": biquad " + std::to_string(i + 1) + " has a NaN or Inf coefficient");
            if (!c.biquads[i].is_stable())
                throw Error(where + ": biquad " + std::to_string(i + 1) +
                            " is unstable (a pole on or outside the unit circle); refit or remove it");
        }
        if (!c.parametric.empty() && c.parametric.size() != c.biquads.size())
            throw Error(where + ": " + std::to_string(c.parametric.size()) + " parametric settings for " +
                        std::to_string(c.biquads.size()) + " biquads; the profile is inconsistent");
        for (const auto& p : c.parametric)
            if (!(p.frequency_hz > 0.0 && p.frequency_hz < sample_rate.value / 2.0) || !(p.q > 0.0) ||
                !std::isfinite(p.gain_db))
                throw Error(where + ": a " + short_name(p.type) + " filter at " + fmt(p.frequency_hz) + " Hz, Q " +
                            fmt(p.q) + " has a frequency outside 0–Nyquist, a Q not above 0, or a non-finite gain");
        for (std::size_t i = 0; i < c.fir.size(); ++i)
            if (!std::isfinite(c.fir[i]))
                throw Error(where + ": FIR tap " + std::to_string(i) + " is NaN or Inf; the filter is corrupt");
    }
}

}  // namespace roomcal
