// Matched, minimax-refined and bilinear biquad designs.
//
// With φ = sin²(ω/2), a biquad's squared magnitude is
//   |H|² = N(φ) / D(φ),  N(φ) = B0 (1-φ) + B1 φ + B2 4φ(1-φ),
// B0 = (b0+b1+b2)², B1 = (b0-b1+b2)², B2 = -4 b0 b2, and D likewise from (1, a1, a2)
// (Vicanek 2016, "Matched second order digital filters"). Any six power coefficients with
// N and D positive on 0 <= φ <= 1 are a biquad's: the minimum-phase numerator and the
// denominator are recovered from them.
//
// Matched design (design_biquad_fast): poles by impulse invariance from the analog poles,
// then B0, B1, B2 from the analog magnitude at DC, at Nyquist and at the filter's frequency.
//
// Refined design (design_biquad): all six power coefficients fitted to the prototype's
// log magnitude, minimax over 20 Hz–20 kHz (errors below 20 Hz count 1/4, above 20 kHz
// 1/16, as a design may trade there), seeded by the matched design. The error at a
// frequency is exact in the power coefficients (no complex response), so each step is
// cheap: Lawson's iteratively reweighted least squares on the linearised error
// (Sanathanan & Koerner 1963) to get near, then a Remez exchange (Newton on the six
// references of equal, alternating error, as for rational Chebyshev approximation) to the
// equioscillating optimum; where the exchange does not converge from that start, it gets
// others (the same steps from the bilinear design, then Lawson steps on the log error
// itself, Gauss-Newton). For a fixed error bound the fitted problem is a linear
// feasibility problem in the power coefficients (quasi-convex), so its optimum, the least
// error any biquad can reach, can be found by bisection on linear programmes; checked so
// at a hundred settings where the design misses by more than 0.25 dB (resonant shelves,
// see the header) and at the worst bells, the design is within 1% of that least error.
// This is the optimisation view of Orfanidis (1997, "Digital parametric equalizer design
// with prescribed Nyquist-frequency gain") and Massberg (2011, "Digital low-pass filter
// design with analog-matched magnitude response"): instead of prescribing the Nyquist
// gain, the fit chooses it.
//
// Only boost bells and boost low shelves are fitted. A cut is the inverse of the boost with
// the same settings, and a high shelf is A² times the inverse of the low shelf with the same
// settings (A = 10^(gain/40); for the cookbook shelves |H_hs(jω)|·|H_ls(jω)| = A², both
// minimum phase), so their designs follow exactly, with the same error; the fit keeps its
// zeros inside the circle for that.
#include "roomcal/dsp/biquad_design.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
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

// b with its numerator multiplied by g.
Biquad scaled(Biquad b, double g) {
    b.b0 *= g, b.b1 *= g, b.b2 *= g;
    return b;
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

// Solves the n×n system m x = r (Gaussian elimination with partial pivoting); false when
// it is singular or the solution is not finite.
template <int n>
bool solve(double (&m)[n][n], double (&r)[n], double (&x)[n]) {
    for (int c = 0; c < n; ++c) {
        int piv = c;
        for (int k = c + 1; k < n; ++k)
            if (std::abs(m[k][c]) > std::abs(m[piv][c])) piv = k;
        if (!(std::abs(m[piv][c]) > 1e-300)) return false;
        std::swap(m[c], m[piv]);
        std::swap(r[c], r[piv]);
        for (int k = c + 1; k < n; ++k) {
            const double f = m[k][c] / m[c][c];
            for (int j = c; j < n; ++j) m[k][j] -= f * m[c][j];
            r[k] -= f * r[c];
        }
    }
    for (int c = n - 1; c >= 0; --c) {
        double v = r[c];
        for (int j = c + 1; j < n; ++j) v -= m[c][j] * x[j];
        x[c] = v / m[c][c];
        if (!std::isfinite(x[c])) return false;
    }
    return true;
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

namespace {

// The minimax refinement (see the top of the file).

// Where the fit holds the prototype at full weight, and how much less it counts errors
// outside (a design may trade 4 times its in-band error below 20 Hz and 16 times above).
constexpr double band_low_hz = 20.0;
constexpr double band_high_hz = 20000.0;
constexpr double below_band_weight = 0.25;
constexpr double above_band_weight = 1.0 / 16.0;
// A seed this close to the prototype is kept as it is (most filters well below Nyquist).
constexpr double good_enough_db = 0.01;
// Poles, and zeros (the poles of the inverted designs), stay this far inside the circle.
constexpr double radius_margin = 1e-6;
constexpr double db_per_log_power = 10.0 / std::numbers::ln10;

// Power coefficients (see the top of the file): B0, B1, B2, then A0, A1, A2.
using Power = std::array<double, 6>;

double square(double v) { return v * v; }

Power power_of(const Biquad& b) {
    return {square(b.b0 + b.b1 + b.b2), square(b.b0 - b.b1 + b.b2), -4.0 * b.b0 * b.b2,
            square(1.0 + b.a1 + b.a2),  square(1.0 - b.a1 + b.a2),  -4.0 * b.a2};
}

// c[0] (1-φ) + c[1] φ + c[2] 4φ(1-φ), and its least value over 0 <= φ <= 1.
double quadratic_at(const double* c, double phi) {
    return c[0] * (1.0 - phi) + c[1] * phi + c[2] * 4.0 * phi * (1.0 - phi);
}
double quadratic_min(const double* c) {
    double m = std::min(c[0], c[1]);
    if (c[2] < 0.0) {  // convex: c[0] + (c[1] - c[0] + 4 c[2]) φ - 4 c[2] φ²
        const double v = (c[1] - c[0] + 4.0 * c[2]) / (8.0 * c[2]);
        if (v > 0.0 && v < 1.0) m = std::min(m, quadratic_at(c, v));
    }
    return m;
}
// Largest root magnitude of c0 z² + c1 z + c2 (c0 > 0).
double root_radius(double c0, double c1, double c2) {
    const double disc = c1 * c1 - 4.0 * c0 * c2;
    if (disc < 0.0) return std::sqrt(c2 / c0);
    const double t = -0.5 * (c1 + std::copysign(std::sqrt(disc), c1));  // no cancellation
    const double r1 = t / c0, r2 = t != 0.0 ? c2 / t : 0.0;
    return std::max(std::abs(r1), std::abs(r2));
}

// Power coefficients c of a polynomial whose roots keep the margin (a bit more than the
// final one, so the fit does not settle on a pole or zero at the circle, nor on a pole
// cancelling a zero there).
bool clear_of_circle(const double* c) {
    Biquad b;
    return quadratic_min(c) > 0.0 && numerator_from_power(c[0], c[1], c[2], b) && b.b0 > 0.0 &&
           root_radius(b.b0, b.b1, b.b2) < 1.0 - 2.0 * radius_margin;
}
bool realisable(const Power& x) { return clear_of_circle(&x[0]) && clear_of_circle(&x[3]); }

// The minimum-phase biquad with power coefficients x, if its poles and zeros keep the margin.
std::optional<Biquad> biquad_from_power(const Power& x) {
    Biquad num, den;
    if (!numerator_from_power(x[0], x[1], x[2], num) || !numerator_from_power(x[3], x[4], x[5], den)) return {};
    if (!(den.b0 > 0.0) || !(num.b0 > 0.0)) return {};
    const Biquad b{num.b0 / den.b0, num.b1 / den.b0, num.b2 / den.b0, den.b1 / den.b0, den.b2 / den.b0};
    if (!(root_radius(1.0, b.a1, b.a2) < 1.0 - radius_margin) || !(root_radius(b.b0, b.b1, b.b2) < 1.0 - radius_margin))
        return {};
    return b;
}

// The prototype sampled for a weighted log-magnitude fit: the error at a point is
// weight · 10·log10(N(φ) / (D(φ) · |H_analog|²)) in dB, exact for the biquad with power
// coefficients x (no complex response needed).
class MagnitudeFit {
public:
    struct Point {
        double f, weight;           // Hz; weight already in dB per unit of log power
        double u[3];                // 1-φ, φ, 4φ(1-φ)
        double target, log_target;  // |H_analog|², its log
    };

    MagnitudeFit(const ParametricFilter& p, Hz fs)
        : h_(prototype(p)), f0_(p.frequency_hz), fs_(fs.value), top_(std::min(band_high_hz, 0.47 * fs.value)) {
        std::vector<double> band;
        constexpr int base = 48, local = 32;
        for (int i = 0; i < base; ++i) band.push_back(band_low_hz * std::pow(top_ / band_low_hz, i / (base - 1.0)));
        // Resonant pole and zero pairs get their own points, dense within their bandwidth.
        for (const auto [c2, c1, c0] : {std::array{h_.n2, h_.n1, h_.n0}, std::array{h_.d2, h_.d1, h_.d0}}) {
            if (!(c2 > 0.0 && c0 > 0.0)) continue;
            const double wk = std::sqrt(c0 / c2), zeta = c1 / (2.0 * std::sqrt(c0 * c2));
            if (!(zeta < 1.0)) continue;
            const double span = std::asinh(1.5 / zeta);
            for (int i = 0; i < local; ++i) {
                const double f = f0_ * wk * std::exp(zeta * std::sinh(span * (2.0 * i / (local - 1.0) - 1.0)));
                if (f >= band_low_hz && f <= top_) band.push_back(f);
            }
        }
        std::sort(band.begin(), band.end());
        for (double f : {0.0, 0.25, 0.5, 0.75}) points_.push_back(at(f * band_low_hz, below_band_weight));
        for (double f : band) points_.push_back(at(f, 1.0));
        constexpr int above = 16;
        for (int i = 1; i <= above; ++i)
            points_.push_back(at(top_ + (fs_ / 2.0 - top_) * i / above, above_band_weight));
    }

    // Refinement only makes sense with a band to fit.
    bool usable() const { return top_ > 2.0 * band_low_hz; }
    std::size_t size() const { return points_.size(); }
    const Point& operator[](std::size_t i) const { return points_[i]; }

    Point at(double f, double weight) const {
        const double s = std::sin(pi * f / fs_), phi = s * s, t = analog_power(h_, f / f0_);
        return {f, weight * db_per_log_power, {1.0 - phi, phi, 4.0 * phi * (1.0 - phi)}, t, std::log(t)};
    }
    static double error(const Power& x, const Point& q) {
        const double n = x[0] * q.u[0] + x[1] * q.u[1] + x[2] * q.u[2];
        const double d = x[3] * q.u[0] + x[4] * q.u[1] + x[5] * q.u[2];
        return q.weight * (std::log(n / d) - q.log_target);
    }
    double error(const Power& x, std::size_t i) const { return error(x, points_[i]); }

    // The extremum of the error near grid point i, between its neighbours of equal weight
    // (a few bisections: the grid resolves the error's shape, not its peaks).
    std::pair<Point, double> extremum_near(const Power& x, std::size_t i) const {
        const Point& q = points_[i];
        double lo = i > 0 && points_[i - 1].weight == q.weight ? points_[i - 1].f : q.f;
        double hi = i + 1 < points_.size() && points_[i + 1].weight == q.weight ? points_[i + 1].f : q.f;
        Point c = q;
        double ec = error(x, c);
        const double sign = ec < 0.0 ? -1.0 : 1.0;
        for (int k = 0; k < 5 && hi > lo; ++k) {
            const Point a = at(0.5 * (lo + c.f), q.weight / db_per_log_power);
            const Point b = at(0.5 * (c.f + hi), q.weight / db_per_log_power);
            const double ea = error(x, a), eb = error(x, b);
            if (sign * ea > sign * ec && sign * ea >= sign * eb) {
                hi = c.f, c = a, ec = ea;
            } else if (sign * eb > sign * ec) {
                lo = c.f, c = b, ec = eb;
            } else {
                lo = a.f, hi = b.f;
            }
        }
        return {c, ec};
    }

    // Largest |error| over the grid, its peak located between grid points.
    double worst(const Power& x) const {
        double m = -1.0;
        std::size_t at_i = 0;
        for (std::size_t i = 0; i < points_.size(); ++i) {
            const double e = std::abs(error(x, i));
            if (!(e <= m)) m = e, at_i = i;  // a NaN wins, and stays the worst
        }
        if (!std::isfinite(m)) return std::numeric_limits<double>::infinity();
        return std::max(m, std::abs(extremum_near(x, at_i).second));
    }

private:
    Analog h_;
    double f0_, fs_, top_;
    std::vector<Point> points_;
};

struct Candidate {
    Power x;
    double worst;  // weighted dB
};

// x + step·d, halving the step until it is realisable; false if it never is.
bool realisable_step(Power& x, const double* d, double& step) {
    for (int k = 0; k < 40; ++k, step *= 0.5) {
        Power t = x;
        for (int j = 0; j < 6; ++j) t[j] += step * d[j];
        if (realisable(t)) {
            x = t;
            return true;
        }
    }
    return false;
}

void normalise(Power& x) {
    double m = 0.0;
    for (double v : x) m = std::max(m, std::abs(v));
    for (double& v : x) v /= m;
}

// Lawson's iteration: weighted least squares whose weights grow where the error is
// largest tends to the minimax fit; it brings a seed near enough to the optimum for the
// exchange below, and can be resumed for more iterations. Two kinds of step:
// - linearised (Sanathanan–Koerner): with the previous denominator D' fixed,
//   N/(T·D') - D/D' is linear in all six power coefficients and close to the log error
//   near a fit, so a step is one weighted least-squares solve, the scale held by x·c = 1;
// - log: Gauss-Newton on the log error itself, in coefficients scaled to their size, the
//   scale held by a penalty on the sum of relative changes. Slower to settle, but it
//   reaches optima the other misses.
class Lawson {
public:
    enum class Step { linearised, log };

    Lawson(const MagnitudeFit& fit, const Power& x, Step kind)
        : fit_(fit),
          kind_(kind),
          x_(x),
          weight_(fit.size(), 1.0 / static_cast<double>(fit.size())),
          e_(fit.size()),
          best_{x, std::numeric_limits<double>::infinity()} {}

    // Runs until `total` iterations have been made (or the steps get stuck).
    void run_to(int total) {
        for (; done_ < total && !stuck_; ++done_) stuck_ = !step();
    }
    const Candidate& best() const { return best_; }

private:
    bool step() {
        const std::size_t n = fit_.size();
        double worst = 0.0, sum = 0.0;
        for (std::size_t i = 0; i < n; ++i) {
            e_[i] = fit_.error(x_, i);
            worst = std::max(worst, std::abs(e_[i]));
            sum += weight_[i] *= std::abs(e_[i]) + 1e-12;
        }
        if (!std::isfinite(worst)) return false;
        if (worst < best_.worst) best_ = {x_, worst};
        for (auto& w : weight_) w /= sum;
        double d[6];
        if (!(kind_ == Step::linearised ? linearised_step(d) : log_step(d))) return false;
        double step = 1.0;
        if (!realisable_step(x_, d, step)) return false;
        normalise(x_);
        return true;
    }

    bool linearised_step(double (&d)[6]) const {
        double h[6][6] = {};
        for (std::size_t i = 0; i < fit_.size(); ++i) {
            const auto& q = fit_[i];
            const double dd = x_[3] * q.u[0] + x_[4] * q.u[1] + x_[5] * q.u[2];
            const double rn = q.weight / (q.target * dd), rd = -q.weight / dd;
            const double r[6] = {rn * q.u[0], rn * q.u[1], rn * q.u[2], rd * q.u[0], rd * q.u[1], rd * q.u[2]};
            for (int a = 0; a < 6; ++a)
                for (int b = a; b < 6; ++b) h[a][b] += weight_[i] * r[a] * r[b];
        }
        // min y·H·y with c·y = 1, c = x/|x|², unit diagonal: [2H c; c 0] [y; λ] = [0; 1].
        double s[6], xx = 0.0;
        for (int a = 0; a < 6; ++a) s[a] = h[a][a] > 0.0 ? 1.0 / std::sqrt(h[a][a]) : 1.0, xx += x_[a] * x_[a];
        double m[7][7] = {}, rhs[7] = {0, 0, 0, 0, 0, 0, 1}, y[7];
        for (int a = 0; a < 6; ++a) {
            for (int b = 0; b < 6; ++b) m[a][b] = 2.0 * (a <= b ? h[a][b] : h[b][a]) * s[a] * s[b];
            m[a][6] = m[6][a] = x_[a] / xx * s[a];
        }
        if (!solve(m, rhs, y)) return false;
        for (int a = 0; a < 6; ++a) d[a] = y[a] * s[a] - x_[a];
        return true;
    }

    bool log_step(double (&d)[6]) const {
        double xmax = 0.0;
        for (double v : x_) xmax = std::max(xmax, std::abs(v));
        double s[6];  // columns scaled by |x|
        for (int a = 0; a < 6; ++a) s[a] = std::max(std::abs(x_[a]), 1e-12 * xmax);
        double h[6][6] = {}, r[6] = {};
        for (std::size_t i = 0; i < fit_.size(); ++i) {
            const auto& q = fit_[i];
            const double nn = x_[0] * q.u[0] + x_[1] * q.u[1] + x_[2] * q.u[2];
            const double dd = x_[3] * q.u[0] + x_[4] * q.u[1] + x_[5] * q.u[2];
            double j[6];
            for (int a = 0; a < 3; ++a)
                j[a] = q.weight * q.u[a] / nn * s[a], j[a + 3] = -q.weight * q.u[a] / dd * s[a + 3];
            for (int a = 0; a < 6; ++a) {
                r[a] -= weight_[i] * e_[i] * j[a];
                for (int b = a; b < 6; ++b) h[a][b] += weight_[i] * j[a] * j[b];
            }
        }
        double m[6][6], y[6], trace = 0.0;
        for (int a = 0; a < 6; ++a) trace += h[a][a];
        for (int a = 0; a < 6; ++a)
            for (int b = 0; b < 6; ++b) {
                const double sa = x_[a] < 0.0 ? -1.0 : 1.0, sb = x_[b] < 0.0 ? -1.0 : 1.0;
                m[a][b] = (a <= b ? h[a][b] : h[b][a]) + trace * sa * sb / 6.0 + (a == b ? 1e-9 * trace : 0.0);
            }
        if (!solve(m, r, y)) return false;
        for (int a = 0; a < 6; ++a) d[a] = y[a] * s[a];
        return true;
    }

    const MagnitudeFit& fit_;
    Step kind_;
    Power x_;
    std::vector<double> weight_, e_;
    Candidate best_;
    int done_ = 0;
    bool stuck_ = false;
};

// Remez exchange on the weighted log error: a biquad's magnitude has five free parameters,
// so the minimax fit equioscillates at six frequencies. Each exchange solves (Newton) for
// the coefficients whose errors at the six reference frequencies are ±E, alternating, then
// moves the references to the new error's extrema; it has converged when the largest error
// is E. An exchange that makes the error much worse is pulled half way back.
struct Exchanged {
    Candidate best;
    bool converged = false;
};

Exchanged remez(const MagnitudeFit& fit, Power x, int exchanges) {
    const std::size_t n = fit.size();
    std::vector<double> e(n);
    std::vector<std::size_t> ext;
    ext.reserve(n);
    Exchanged out{{x, fit.worst(x)}, false};
    double level = 0.0, previous_worst = std::numeric_limits<double>::infinity();
    Power previous = x;
    auto grid_errors = [&] {
        double w = 0.0;
        for (std::size_t i = 0; i < n; ++i) {
            e[i] = fit.error(x, i);
            w = std::max(w, std::abs(e[i]));
        }
        return std::isfinite(w) ? w : std::numeric_limits<double>::infinity();
    };
    for (int it = 0; it <= exchanges; ++it) {
        double grid_worst = grid_errors();
        if (grid_worst > 1.5 * previous_worst) {
            double nx = 0.0, np = 0.0;
            for (int a = 0; a < 6; ++a) nx += x[a] * x[a], np += previous[a] * previous[a];
            for (int a = 0; a < 6; ++a) x[a] = 0.5 * (x[a] / std::sqrt(nx) + previous[a] / std::sqrt(np));
            if (!realisable(x)) break;
            grid_worst = grid_errors();
            if (grid_worst > 1.5 * previous_worst) break;
        }
        if (!std::isfinite(grid_worst)) break;
        // One extremum per run of equal sign: an alternating set.
        ext.clear();
        for (std::size_t i = 0; i < n;) {
            std::size_t k = i, j = i;
            for (; j < n && (e[j] < 0.0) == (e[i] < 0.0); ++j)
                if (std::abs(e[j]) > std::abs(e[k])) k = j;
            ext.push_back(k);
            i = j;
        }
        // Down to six, dropping the smallest (at an end alone, inside with a neighbour so the
        // signs still alternate).
        while (ext.size() > 6) {
            std::size_t k = 0;
            for (std::size_t i = 1; i < ext.size(); ++i)
                if (std::abs(e[ext[i]]) < std::abs(e[ext[k]])) k = i;
            const std::size_t last = ext.size() - 1;
            if (k == 0 || k == last) {
                ext.erase(ext.begin() + static_cast<std::ptrdiff_t>(k));
            } else if (ext.size() == 7) {
                ext.erase(std::abs(e[ext[0]]) < std::abs(e[ext[last]]) ? ext.begin() : ext.end() - 1);
            } else {
                const auto j =
                    static_cast<std::ptrdiff_t>(std::abs(e[ext[k - 1]]) < std::abs(e[ext[k + 1]]) ? k - 1 : k);
                ext.erase(ext.begin() + j, ext.begin() + j + 2);
            }
        }
        if (ext.size() < 6) break;
        MagnitudeFit::Point ref[6];
        double sign[6], worst = grid_worst, mean = 0.0;
        for (int j = 0; j < 6; ++j) {
            const auto [q, eq] = fit.extremum_near(x, ext[static_cast<std::size_t>(j)]);
            ref[j] = q;
            sign[j] = eq < 0.0 ? -1.0 : 1.0;
            worst = std::max(worst, std::abs(eq));
            mean += std::abs(eq) / 6.0;
        }
        if (it > 0) {
            if (worst < out.best.worst) out.best = {x, worst};
            if (worst - std::abs(level) < 1e-4 * worst) {
                out.converged = true;
                break;
            }
        }
        if (it == exchanges) break;
        previous_worst = std::min(previous_worst, worst);
        previous = x;
        level = mean;
        // Newton on error(x, ref_j) = sign_j·level, with x·c = 1 fixing the scale.
        double c[6], cc = 0.0;
        for (double v : x) cc += v * v;
        for (int a = 0; a < 6; ++a) c[a] = x[a] / cc;
        for (int step_count = 0; step_count < 6; ++step_count) {
            double xmax = 0.0;
            for (double v : x) xmax = std::max(xmax, std::abs(v));
            double col[7], m[7][7] = {}, rhs[7], y[7];
            for (int a = 0; a < 6; ++a) col[a] = std::max(std::abs(x[a]), 1e-12 * xmax);
            col[6] = 1.0;
            for (int j = 0; j < 6; ++j) {
                const auto& q = ref[j];
                const double nn = x[0] * q.u[0] + x[1] * q.u[1] + x[2] * q.u[2];
                const double dd = x[3] * q.u[0] + x[4] * q.u[1] + x[5] * q.u[2];
                for (int a = 0; a < 3; ++a) {
                    m[j][a] = q.weight * q.u[a] / nn * col[a];
                    m[j][a + 3] = -q.weight * q.u[a] / dd * col[a + 3];
                }
                m[j][6] = -sign[j];
                rhs[j] = -(MagnitudeFit::error(x, q) - sign[j] * level);
            }
            double cx = 0.0;
            for (int a = 0; a < 6; ++a) m[6][a] = c[a] * col[a], cx += c[a] * x[a];
            rhs[6] = 1.0 - cx;
            if (!solve(m, rhs, y)) break;
            double d[6], change = 0.0;
            for (int a = 0; a < 6; ++a) d[a] = y[a] * col[a], change = std::max(change, std::abs(y[a]));
            double step = 1.0;
            if (!realisable_step(x, d, step)) break;
            level += step * y[6];
            if (change * step < 1e-10) break;
        }
    }
    return out;
}

// The seed (the matched design) refined to the minimax fit of the prototype's magnitude.
// p is a boost bell or a boost low shelf.
Biquad refined(const ParametricFilter& p, Hz fs) {
    const Biquad seed = design_biquad_fast(p, fs);
    const MagnitudeFit fit(p, fs);
    if (!fit.usable()) return seed;
    const Candidate start{power_of(seed), fit.worst(power_of(seed))};
    if (start.worst <= good_enough_db) return seed;
    std::vector<Candidate> found{start};
    // The exchange from Lawson iterates, until it converges: linearised steps from the
    // matched design (most settings converge at the first try), from the bilinear design
    // (its poles sit nearer Nyquist, which some resonant shelves need), then log steps from
    // both; each tried after 4, 8 and 14 iterations, as some need more to find the
    // optimum's alternation.
    const Power bilinear = power_of(design_cookbook_biquad(p, fs));
    const std::pair<const Power*, Lawson::Step> starts[] = {{&start.x, Lawson::Step::linearised},
                                                            {&bilinear, Lawson::Step::linearised},
                                                            {&start.x, Lawson::Step::log},
                                                            {&bilinear, Lawson::Step::log}};
    bool converged = false;
    for (const auto& [from, kind] : starts) {
        Lawson lawson(fit, *from, kind);
        double tried = -1.0;
        for (int iterations : {4, 8, 14}) {
            lawson.run_to(iterations);
            if (lawson.best().worst == tried) continue;
            tried = lawson.best().worst;
            const Exchanged e = remez(fit, lawson.best().x, 10);
            found.push_back(lawson.best());
            found.push_back(e.best);
            if ((converged = e.converged)) break;
        }
        if (converged) break;
    }
    auto by_error = [](const Candidate& l, const Candidate& r) { return l.worst < r.worst; };
    std::sort(found.begin(), found.end(), by_error);
    for (const auto& c : found) {
        if (!(c.worst < start.worst)) break;
        if (const auto b = biquad_from_power(c.x)) return *b;
    }
    return seed;
}

}  // namespace

Biquad design_biquad(const ParametricFilter& p, Hz fs) {
    check(p, fs);
    if (p.type == FilterType::low_pass || p.type == FilterType::high_pass) return design_biquad_fast(p, fs);
    // Only boost bells and boost low shelves are fitted; the other three are exact
    // transformations of those (see the top of the file), which keep the fitted error.
    const double a = std::pow(10.0, p.gain_db / 40.0);
    if (p.type == FilterType::high_shelf) {
        ParametricFilter low = p;
        low.type = FilterType::low_shelf;
        if (const auto inv = inverted(design_biquad(low, fs))) return scaled(*inv, a * a);
        return design_biquad_fast(p, fs);
    }
    if (is_cut(p)) {
        if (const auto inv = inverted(design_biquad(boost_of(p), fs))) return *inv;
        return design_biquad_fast(p, fs);
    }
    return refined(p, fs);
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
