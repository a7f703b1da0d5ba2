// Power-domain band smoothing. The power is integrated over log-frequency once (trapezoids,
// exact for power varying linearly between grid points); every band mean is then the
// difference of that integral at the band's two edges.
#include "roomcal/measure/smoothing.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdlib>
#include <limits>

#include "roomcal/core/error.hpp"
#include "roomcal/core/format.hpp"

namespace roomcal::measure {
namespace {

constexpr double max_fraction = 96.0;

double variable_width_octaves(double f_hz) {
    const double x = std::clamp(std::log10(f_hz / 100.0), 0.0, 2.0);
    return std::pow(2.0, std::log2(1.0 / 48.0) + 4.0 * x - x * x);
}

double erb_hz(double f_hz) { return 24.7 * (4.37 * f_hz / 1000.0 + 1.0); }

void check_fraction(double fraction) {
    if (!(fraction >= 1.0 && fraction <= max_fraction))
        throw UsageError("fractional-octave smoothing 1/" + fmt(fraction) +
                         " is out of range: use 1/N with N from 1 to 96 (e.g. 1/3, 1/6, 1/12, 1/24, 1/48)");
}

// Running integral of power over ln f, evaluated anywhere inside the grid.
class PowerIntegral {
public:
    explicit PowerIntegral(const FrequencyResponse& r) : x_(r.size()), p_(r.size()), c_(r.size(), 0.0) {
        for (std::size_t i = 0; i < r.size(); ++i) {
            x_[i] = std::log(r.frequency_hz[i]);
            p_[i] = db_to_power(r.magnitude_db[i]);
            if (i > 0) c_[i] = c_[i - 1] + 0.5 * (p_[i] + p_[i - 1]) * (x_[i] - x_[i - 1]);
        }
    }

    double front() const { return x_.front(); }
    double back() const { return x_.back(); }
    double power(std::size_t i) const { return p_[i]; }

    // The integral over [lo, hi]. A difference of running totals keeps about 16 digits of
    // the total, so a band lying over 90 dB below the power before it is summed directly.
    double between(double lo, double hi) const {
        const double upper = at(hi);
        const double fast = upper - at(lo);
        if (fast > 1e-9 * upper) return fast;
        double sum = 0.0;
        for (std::size_t k = segment(lo); k + 1 < x_.size() && x_[k] < hi; ++k) {
            const double a = std::max(lo, x_[k]), b = std::min(hi, x_[k + 1]);
            sum += (b - a) * 0.5 * (power_at(k, a) + power_at(k, b));
        }
        return sum;
    }

private:
    std::size_t segment(double x) const {
        const auto upper = std::upper_bound(x_.begin(), x_.end(), x);
        return upper == x_.begin() ? 0 : static_cast<std::size_t>(upper - x_.begin()) - 1;
    }

    double power_at(std::size_t k, double x) const {
        return p_[k] + (p_[k + 1] - p_[k]) * (x - x_[k]) / (x_[k + 1] - x_[k]);
    }

    double at(double x) const {
        const std::size_t k = segment(x);
        if (k + 1 >= x_.size()) return c_.back();
        const double dx = x - x_[k];
        const double slope = (p_[k + 1] - p_[k]) / (x_[k + 1] - x_[k]);
        return c_[k] + dx * (p_[k] + 0.5 * slope * dx);
    }

    std::vector<double> x_, p_, c_;
};

std::string lowercase_trimmed(const std::string& text) {
    const auto first = text.find_first_not_of(" \t");
    const auto last = text.find_last_not_of(" \t");
    std::string t = first == std::string::npos ? std::string() : text.substr(first, last - first + 1);
    for (auto& c : t) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return t;
}

}  // namespace

SmoothingBand smoothing_band(const Smoothing& s, double centre_hz) {
    switch (s.kind) {
        case SmoothingKind::fractional_octave: {
            check_fraction(s.fraction);
            const double half = std::pow(2.0, 0.5 / s.fraction);
            return {centre_hz / half, centre_hz * half};
        }
        case SmoothingKind::variable: {
            const double half = std::pow(2.0, 0.5 * variable_width_octaves(centre_hz));
            return {centre_hz / half, centre_hz * half};
        }
        case SmoothingKind::erb: {
            const double half = 0.5 * erb_hz(centre_hz);
            return {centre_hz - half, centre_hz + half};
        }
        case SmoothingKind::none:
            break;
    }
    return {centre_hz, centre_hz};
}

FrequencyResponse smooth(const FrequencyResponse& r, const Smoothing& s) {
    r.validate("response to smooth");
    if (s.kind == SmoothingKind::fractional_octave) check_fraction(s.fraction);
    if (s.kind == SmoothingKind::none) return r;
    const PowerIntegral integral(r);
    FrequencyResponse out = r;
    for (std::size_t i = 0; i < r.size(); ++i) {
        const auto band = smoothing_band(s, r.frequency_hz[i]);
        // A lower edge at or below 0 Hz (ERB below 13 Hz) is cut at the grid like any other.
        const double lo = band.low_hz > 0.0 ? std::max(std::log(band.low_hz), integral.front()) : integral.front();
        const double hi = std::min(std::log(band.high_hz), integral.back());
        const double mean = hi - lo > 1e-12 ? integral.between(lo, hi) / (hi - lo) : integral.power(i);
        // Powers below the smallest double (under -3000 dB) would make the level infinite.
        out.magnitude_db[i] = power_to_db(std::max(mean, std::numeric_limits<double>::min()));
    }
    return out;
}

Smoothing parse_smoothing(const std::string& text) {
    const std::string t = lowercase_trimmed(text);
    const std::string choices = "use 1/N (N from 1 to 96, e.g. 1/3, 1/6, 1/12, 1/24, 1/48), var, erb or none";
    if (t == "none") return {SmoothingKind::none};
    if (t == "var") return {SmoothingKind::variable};
    if (t == "erb") return {SmoothingKind::erb};
    if (t.size() > 2 && t.compare(0, 2, "1/") == 0) {
        const std::string digits = t.substr(2);
        char* end = nullptr;
        const double n = std::strtod(digits.c_str(), &end);
        if (end == digits.c_str() + digits.size() && n >= 1.0 && n <= max_fraction)
            return {SmoothingKind::fractional_octave, n};
    }
    throw UsageError("smoothing \"" + text + "\" is not understood: " + choices);
}

}  // namespace roomcal::measure
