// Matched and bilinear biquad designs.
//
// Matched design: with φ = sin²(ω/2), a biquad's squared magnitude is
//   |H|² = (B0 (1-φ) + B1 φ + B2 4φ(1-φ)) / (A0 (1-φ) + A1 φ + A2 4φ(1-φ)),
// B0 = (b0+b1+b2)², B1 = (b0-b1+b2)², B2 = -4 b0 b2, and likewise for A with a0 = 1.
// The poles come from the analog poles by impulse invariance; B0, B1 and B2 are then
// fixed by requiring the analog squared magnitude at DC, at Nyquist and at the filter's
// frequency, and the numerator is recovered as the minimum-phase one.
#include "roomcal/dsp/biquad_design.hpp"

#include <cmath>
#include <numbers>

#include "roomcal/core/error.hpp"
#include "roomcal/core/format.hpp"

namespace roomcal::dsp {
namespace {

constexpr double pi = std::numbers::pi;

// Analog prototype, s normalised to the filter's angular frequency:
// H(s) = (n2 s² + n1 s + n0) / (d2 s² + d1 s + d0).
struct Analog {
    double n2, n1, n0, d2, d1, d0;
};

Analog prototype(const ParametricFilter& p) {
    const double a = std::pow(10.0, p.gain_db / 40.0);
    const double q = p.q;
    switch (p.type) {
        case FilterType::peaking: return {1.0, a / q, 1.0, 1.0, 1.0 / (a * q), 1.0};
        case FilterType::low_shelf: {
            const double k = std::sqrt(a) / q;
            return {a, a * k, a * a, a, k, 1.0};
        }
        case FilterType::high_shelf: {
            const double k = std::sqrt(a) / q;
            return {a * a, a * k, a, 1.0, k, a};
        }
        case FilterType::low_pass: return {0.0, 0.0, 1.0, 1.0, 1.0 / q, 1.0};
        case FilterType::high_pass: return {1.0, 0.0, 0.0, 1.0, 1.0 / q, 1.0};
    }
    return {0, 0, 1, 0, 0, 1};
}

// |H(jw)|² of the prototype at normalised frequency w = f / f0.
double analog_power(const Analog& h, double w) {
    const double nr = h.n0 - h.n2 * w * w, ni = h.n1 * w;
    const double dr = h.d0 - h.d2 * w * w, di = h.d1 * w;
    return (nr * nr + ni * ni) / (dr * dr + di * di);
}

void check(const ParametricFilter& p, Hz fs) {
    if (!(fs.value > 0.0) || !std::isfinite(fs.value)) throw UsageError("sample rate must be a positive number");
    if (!(p.frequency_hz > 0.0 && p.frequency_hz < fs.value / 2.0))
        throw UsageError(std::string(short_name(p.type)) + " filter at " + fmt(p.frequency_hz) +
                         " Hz: the frequency must lie between 0 and Nyquist (" + fmt(fs.value / 2.0) + " Hz)");
    if (!(p.q > 0.0) || !std::isfinite(p.q))
        throw UsageError(std::string(short_name(p.type)) + " filter at " + fmt(p.frequency_hz) + " Hz: Q " +
                         fmt(p.q) + " must be a positive number");
    if (!std::isfinite(p.gain_db) || std::abs(p.gain_db) > 60.0)
        throw UsageError(std::string(short_name(p.type)) + " filter at " + fmt(p.frequency_hz) +
                         " Hz: gain must be a finite number of dB within ±60");
}

}  // namespace

std::complex<double> analog_response(const ParametricFilter& p, Hz f) {
    const Analog h = prototype(p);
    const std::complex<double> s(0.0, f.value / p.frequency_hz);
    return (h.n2 * s * s + h.n1 * s + h.n0) / (h.d2 * s * s + h.d1 * s + h.d0);
}

Biquad design_biquad(const ParametricFilter& p, Hz fs) {
    check(p, fs);
    // A cut is the inverse of the boost with the same settings (the prototypes are
    // symmetric); designing the boost and swapping its numerator and denominator keeps
    // the cut's poles on the boost's (minimum-phase) zeros, which matches far better.
    if (p.gain_db < 0.0 && p.type != FilterType::low_pass && p.type != FilterType::high_pass) {
        ParametricFilter boost = p;
        boost.gain_db = -p.gain_db;
        const Biquad b = design_biquad(boost, fs);
        if (std::abs(b.b0) > 0.0) {
            const Biquad inv{1.0 / b.b0, b.a1 / b.b0, b.a2 / b.b0, b.b1 / b.b0, b.b2 / b.b0};
            if (inv.is_stable()) return inv;
        }
        return design_cookbook_biquad(p, fs);
    }
    const Analog h = prototype(p);
    const double w0 = 2.0 * pi * p.frequency_hz / fs.value;

    // Poles: s² + 2ζ wp s + wp² (normalised) mapped by z = exp(s T).
    const double wp = std::sqrt(h.d0 / h.d2);
    const double zeta = h.d1 / (2.0 * std::sqrt(h.d0 * h.d2));
    const double wpt = wp * w0;
    // Impulse invariance aliases poles above Nyquist; there the bilinear design is the
    // better of two compromises.
    if (wpt * std::sqrt(std::max(0.0, 1.0 - zeta * zeta)) >= 0.95 * pi) return design_cookbook_biquad(p, fs);
    Biquad b;
    const double decay = std::exp(-zeta * wpt);
    b.a2 = decay * decay;
    b.a1 = zeta <= 1.0 ? -2.0 * decay * std::cos(wpt * std::sqrt(1.0 - zeta * zeta))
                       : -2.0 * decay * std::cosh(wpt * std::sqrt(zeta * zeta - 1.0));

    const double A0 = (1.0 + b.a1 + b.a2) * (1.0 + b.a1 + b.a2);
    const double A1 = (1.0 - b.a1 + b.a2) * (1.0 - b.a1 + b.a2);
    const double A2 = -4.0 * b.a2;
    const double phi1 = std::sin(w0 / 2.0) * std::sin(w0 / 2.0);
    const double phi0 = 1.0 - phi1;
    const double phi2 = 4.0 * phi0 * phi1;

    const double B0 = A0 * analog_power(h, 0.0);
    const double B1 = A1 * analog_power(h, fs.value / 2.0 / p.frequency_hz);
    const double at_f0 = analog_power(h, 1.0) * (A0 * phi0 + A1 * phi1 + A2 * phi2);
    const double B2 = (at_f0 - B0 * phi0 - B1 * phi1) / phi2;

    const double s0 = std::sqrt(B0), s1 = std::sqrt(B1);
    const double w = (s0 + s1) / 2.0;
    const double disc = std::max(0.0, w * w + B2);
    b.b0 = (w + std::sqrt(disc)) / 2.0;
    b.b1 = (s0 - s1) / 2.0;
    b.b2 = w - b.b0;
    if (!std::isfinite(b.b0) || !std::isfinite(b.b1) || !std::isfinite(b.b2)) return design_cookbook_biquad(p, fs);
    return b;
}

std::vector<Biquad> design_biquads(const std::vector<ParametricFilter>& filters, Hz fs) {
    std::vector<Biquad> out;
    out.reserve(filters.size());
    for (const auto& p : filters) out.push_back(design_biquad(p, fs));
    return out;
}

Biquad design_cookbook_biquad(const ParametricFilter& p, Hz fs) {
    check(p, fs);
    const double a = std::pow(10.0, p.gain_db / 40.0);
    const double w0 = 2.0 * pi * p.frequency_hz / fs.value;
    const double cw = std::cos(w0), alpha = std::sin(w0) / (2.0 * p.q);
    double b0 = 1, b1 = 0, b2 = 0, a0 = 1, a1 = 0, a2 = 0;
    switch (p.type) {
        case FilterType::peaking:
            b0 = 1 + alpha * a, b1 = -2 * cw, b2 = 1 - alpha * a;
            a0 = 1 + alpha / a, a1 = -2 * cw, a2 = 1 - alpha / a;
            break;
        case FilterType::low_shelf: {
            const double k = 2 * std::sqrt(a) * alpha;
            b0 = a * ((a + 1) - (a - 1) * cw + k), b1 = 2 * a * ((a - 1) - (a + 1) * cw);
            b2 = a * ((a + 1) - (a - 1) * cw - k);
            a0 = (a + 1) + (a - 1) * cw + k, a1 = -2 * ((a - 1) + (a + 1) * cw), a2 = (a + 1) + (a - 1) * cw - k;
            break;
        }
        case FilterType::high_shelf: {
            const double k = 2 * std::sqrt(a) * alpha;
            b0 = a * ((a + 1) + (a - 1) * cw + k), b1 = -2 * a * ((a - 1) + (a + 1) * cw);
            b2 = a * ((a + 1) + (a - 1) * cw - k);
            a0 = (a + 1) - (a - 1) * cw + k, a1 = 2 * ((a - 1) - (a + 1) * cw), a2 = (a + 1) - (a - 1) * cw - k;
            break;
        }
        case FilterType::low_pass:
            b0 = (1 - cw) / 2, b1 = 1 - cw, b2 = (1 - cw) / 2;
            a0 = 1 + alpha, a1 = -2 * cw, a2 = 1 - alpha;
            break;
        case FilterType::high_pass:
            b0 = (1 + cw) / 2, b1 = -(1 + cw), b2 = (1 + cw) / 2;
            a0 = 1 + alpha, a1 = -2 * cw, a2 = 1 - alpha;
            break;
    }
    return {b0 / a0, b1 / a0, b2 / a0, a1 / a0, a2 / a0};
}

void realise_parametric(FilterSet& set) {
    for (auto& c : set.channels)
        if (!c.parametric.empty()) c.biquads = design_biquads(c.parametric, set.sample_rate);
}

}  // namespace roomcal::dsp
