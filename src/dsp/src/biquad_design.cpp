// Matched and bilinear biquad designs.
//
// Matched design: with φ = sin²(ω/2), a biquad's squared magnitude is
//   |H|² = (B0 (1-φ) + B1 φ + B2 4φ(1-φ)) / (A0 (1-φ) + A1 φ + A2 4φ(1-φ)),
// B0 = (b0+b1+b2)², B1 = (b0-b1+b2)², B2 = -4 b0 b2, and likewise for A with a0 = 1.
// The poles come from the analog poles by impulse invariance; B0, B1 and B2 are then
// fixed by requiring the analog squared magnitude at DC, at Nyquist and at the filter's
// frequency, and the numerator is recovered as the minimum-phase one.
#include "roomcal/dsp/biquad_design.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <numbers>
#include <optional>
#include <utility>
#include <vector>

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
        case FilterType::peaking:
            return {1.0, a / q, 1.0, 1.0, 1.0 / (a * q), 1.0};
        case FilterType::low_shelf: {
            const double k = std::sqrt(a) / q;
            return {a, a * k, a * a, a, k, 1.0};
        }
        case FilterType::high_shelf: {
            const double k = std::sqrt(a) / q;
            return {a * a, a * k, a, 1.0, k, a};
        }
        case FilterType::low_pass:
            return {0.0, 0.0, 1.0, 1.0, 1.0 / q, 1.0};
        case FilterType::high_pass:
            return {1.0, 0.0, 0.0, 1.0, 1.0 / q, 1.0};
    }
    return {0, 0, 1, 0, 0, 1};
}

// |H(jw)|² of the prototype at normalised frequency w = f / f0.
double analog_power(const Analog& h, double w) {
    const double nr = h.n0 - h.n2 * w * w, ni = h.n1 * w;
    const double dr = h.d0 - h.d2 * w * w, di = h.d1 * w;
    return (nr * nr + ni * ni) / (dr * dr + di * di);
}

// A cut is the inverse of the boost with the same settings (the prototypes are symmetric).
bool is_cut(const ParametricFilter& p) {
    return p.gain_db < 0.0 && p.type != FilterType::low_pass && p.type != FilterType::high_pass;
}

ParametricFilter boost_of(ParametricFilter p) {
    p.gain_db = -p.gain_db;
    return p;
}

// Numerator and denominator swapped, if that is a stable filter.
std::optional<Biquad> inverted(const Biquad& b) {
    if (!(std::abs(b.b0) > 0.0)) return std::nullopt;
    const Biquad inv{1.0 / b.b0, b.a1 / b.b0, b.a2 / b.b0, b.b1 / b.b0, b.b2 / b.b0};
    if (!inv.is_stable()) return std::nullopt;
    return inv;
}

// The minimum-phase numerator (b0, b1, b2) whose power coefficients are B0, B1, B2 (see
// the top of the file); false when they describe no real numerator.
bool numerator_from_power(double B0, double B1, double B2, Biquad& b) {
    if (!(B0 >= 0.0 && B1 >= 0.0)) return false;
    const double s0 = std::sqrt(B0), s1 = std::sqrt(B1);
    const double w = (s0 + s1) / 2.0;
    const double disc = w * w + B2;
    if (disc < -1e-12 * w * w) return false;
    b.b0 = (w + std::sqrt(std::max(0.0, disc))) / 2.0;
    b.b1 = (s0 - s1) / 2.0;
    b.b2 = w - b.b0;
    return std::isfinite(b.b0) && std::isfinite(b.b1) && std::isfinite(b.b2);
}

// Solves the 3×3 system m x = r (Gaussian elimination with partial pivoting).
bool solve3(double m[3][3], double r[3], double x[3]) {
    for (int c = 0; c < 3; ++c) {
        int piv = c;
        for (int k = c + 1; k < 3; ++k)
            if (std::abs(m[k][c]) > std::abs(m[piv][c])) piv = k;
        if (std::abs(m[piv][c]) < 1e-300) return false;
        std::swap(m[c], m[piv]);
        std::swap(r[c], r[piv]);
        for (int k = c + 1; k < 3; ++k) {
            const double f = m[k][c] / m[c][c];
            for (int j = c; j < 3; ++j) m[k][j] -= f * m[c][j];
            r[k] -= f * r[c];
        }
    }
    for (int c = 2; c >= 0; --c) {
        double v = r[c];
        for (int j = c + 1; j < 3; ++j) v -= m[c][j] * x[j];
        x[c] = v / m[c][c];
    }
    return std::isfinite(x[0]) && std::isfinite(x[1]) && std::isfinite(x[2]);
}

void check(const ParametricFilter& p, Hz fs) {
    if (!(fs.value > 0.0) || !std::isfinite(fs.value)) throw UsageError("sample rate must be a positive number");
    if (!(p.frequency_hz > 0.0 && p.frequency_hz < fs.value / 2.0))
        throw UsageError(std::string(short_name(p.type)) + " filter at " + fmt(p.frequency_hz) +
                         " Hz: the frequency must lie between 0 and Nyquist (" + fmt(fs.value / 2.0) + " Hz)");
    if (!(p.q > 0.0) || !std::isfinite(p.q))
        throw UsageError(std::string(short_name(p.type)) + " filter at " + fmt(p.frequency_hz) + " Hz: Q " + fmt(p.q) +
                         " must be a positive number");
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

Biquad design_biquad_fast(const ParametricFilter& p, Hz fs) {
    check(p, fs);
    // A cut is the inverse of the boost with the same settings (the prototypes are
    // symmetric); designing the boost and swapping its numerator and denominator keeps
    // the cut's poles on the boost's (minimum-phase) zeros, which matches far better.
    if (is_cut(p)) {
        if (const auto inv = inverted(design_biquad_fast(boost_of(p), fs))) return *inv;
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

    if (!numerator_from_power(B0, B1, B2, b)) return design_cookbook_biquad(p, fs);
    return b;
}

Biquad design_biquad(const ParametricFilter& p, Hz fs) {
    if (p.type == FilterType::low_pass || p.type == FilterType::high_pass) return design_biquad_fast(p, fs);
    // Refine the boost and invert it for a cut, as the fast design does.
    if (is_cut(p)) {
        if (const auto inv = inverted(design_biquad(boost_of(p), fs))) return *inv;
        return design_biquad_fast(p, fs);
    }
    const Biquad b = design_biquad_fast(p, fs);
    const Analog h = prototype(p);
    const double A0 = (1.0 + b.a1 + b.a2) * (1.0 + b.a1 + b.a2);
    const double A1 = (1.0 - b.a1 + b.a2) * (1.0 - b.a1 + b.a2);
    const double A2 = -4.0 * b.a2;

    // Matching three points leaves up to ~0.7 dB between them for a narrow bell near
    // Nyquist. With the poles kept, |H|² is linear in (B0, B1, B2): a fit of the relative
    // power error from 10 Hz to 0.47·fs lowers the worst dB error (trading up to 0.2 dB at
    // DC, f0 or Nyquist), and is kept where it does.
    constexpr int n = 96;
    std::vector<double> weight(n, 1.0);
    std::vector<std::array<double, 3>> u(n);  // |H|²/target = u · (B0, B1, B2)
    const double lo = std::log(10.0), hi = std::log(0.47 * fs.value);
    for (int i = 0; i < n; ++i) {
        const double f = std::exp(lo + (hi - lo) * i / (n - 1));
        const double ph1 = std::sin(pi * f / fs.value) * std::sin(pi * f / fs.value), ph0 = 1.0 - ph1;
        const double ph2 = 4.0 * ph0 * ph1;
        const double t = analog_power(h, f / p.frequency_hz);
        const double d = (A0 * ph0 + A1 * ph1 + A2 * ph2) * t;
        u[i] = {ph0 / d, ph1 / d, ph2 / d};
    }
    // The dB error at grid point i of the numerator with power coefficients x: |H|²/target
    // is u · x exactly, so no complex response is needed.
    auto error_db = [&](const double* x, int i) {
        return 10.0 * std::log10(std::max(1e-300, u[i][0] * x[0] + u[i][1] * x[1] + u[i][2] * x[2]));
    };
    auto worst = [&](const double* x) {
        double e = 0.0;
        for (int i = 0; i < n; ++i) e = std::max(e, std::abs(error_db(x, i)));
        return e;
    };
    // Lawson's iteration: weighted least squares, the weights growing where the error is
    // largest, tends to the minimax fit.
    const double start[3] = {(b.b0 + b.b1 + b.b2) * (b.b0 + b.b1 + b.b2), (b.b0 - b.b1 + b.b2) * (b.b0 - b.b1 + b.b2),
                             -4.0 * b.b0 * b.b2};
    Biquad best = b;
    double best_error = worst(start);
    for (int iteration = 0; iteration < 12; ++iteration) {
        double m[3][3] = {}, r[3] = {};
        for (int i = 0; i < n; ++i)
            for (int j = 0; j < 3; ++j) {
                r[j] += weight[i] * u[i][j];
                for (int k = 0; k < 3; ++k) m[j][k] += weight[i] * u[i][j] * u[i][k];
            }
        double x[3];
        Biquad fitted = b;
        if (!solve3(m, r, x) || !numerator_from_power(x[0], x[1], x[2], fitted)) break;
        const double e = worst(x);
        if (e < best_error) best = fitted, best_error = e;
        double sum = 0.0;
        for (int i = 0; i < n; ++i) sum += weight[i] *= std::abs(error_db(x, i)) + 1e-9;
        for (auto& w : weight) w *= n / sum;
    }
    return best;
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
