// Greedy initialisation and bounded Levenberg–Marquardt for parametric EQ.
#include "roomcal/correct/peq_fit.hpp"

#include <Eigen/Dense>
#include <algorithm>
#include <cmath>
#include <numbers>

#include "roomcal/core/error.hpp"
#include "roomcal/core/format.hpp"
#include "roomcal/core/frequency_response.hpp"
#include "roomcal/dsp/biquad_design.hpp"

namespace roomcal::correct {
namespace {

// dB magnitude of a biquad at precomputed φ = sin²(ω/2) points (see biquad_design.cpp).
void add_biquad_db(const Biquad& b, const std::vector<double>& phi, std::vector<double>& out) {
    const double B0 = (b.b0 + b.b1 + b.b2) * (b.b0 + b.b1 + b.b2);
    const double B1 = (b.b0 - b.b1 + b.b2) * (b.b0 - b.b1 + b.b2);
    const double B2 = -4.0 * b.b0 * b.b2;
    const double A0 = (1.0 + b.a1 + b.a2) * (1.0 + b.a1 + b.a2);
    const double A1 = (1.0 - b.a1 + b.a2) * (1.0 - b.a1 + b.a2);
    const double A2 = -4.0 * b.a2;
    for (std::size_t i = 0; i < phi.size(); ++i) {
        const double p1 = phi[i], p0 = 1.0 - p1, p2 = 4.0 * p0 * p1;
        const double num = std::max(B0 * p0 + B1 * p1 + B2 * p2, 1e-300);
        const double den = std::max(A0 * p0 + A1 * p1 + A2 * p2, 1e-300);
        out[i] += 10.0 * std::log10(num / den);
    }
}

std::vector<double> phis(const std::vector<double>& grid, Hz fs) {
    std::vector<double> p(grid.size());
    for (std::size_t i = 0; i < grid.size(); ++i) {
        const double s = std::sin(std::numbers::pi * grid[i] / fs.value);
        p[i] = s * s;
    }
    return p;
}

class Fitter {
public:
    Fitter(const PeqProblem& pr, const PeqLimits& l) : pr_(pr), l_(l), phi_(phis(pr.grid_hz, pr.sample_rate)) {
        const std::size_t n = pr.grid_hz.size();
        w_.assign(n, 0.0);
        for (std::size_t i = 0; i < n; ++i) {
            const double f = pr.grid_hz[i];
            // Inside the range: the caller's weight. Outside: a light pull towards 0 dB so
            // filters near the range's edges do not spill into what is not corrected.
            in_range_.push_back(f >= l.low.value && f <= l.high.value);
            w_[i] = in_range_.back() ? std::max(0.0, pr.weight[i]) : 0.0;
        }
    }

    // Parameters per filter: ln f, ln Q, gain dB.
    static constexpr int per = 3;

    ParametricFilter decode(const std::vector<FilterType>& types, const Eigen::VectorXd& x, std::size_t k) const {
        ParametricFilter p;
        p.type = types[k];
        p.frequency_hz = std::exp(x[static_cast<Eigen::Index>(per * k)]);
        p.q = std::exp(x[static_cast<Eigen::Index>(per * k + 1)]);
        p.gain_db = x[static_cast<Eigen::Index>(per * k + 2)];
        return p;
    }

    // Keeps every parameter inside its limits (projection after each step).
    void project(const std::vector<FilterType>& types, Eigen::VectorXd& x) const {
        for (std::size_t k = 0; k < types.size(); ++k) {
            const auto i = static_cast<Eigen::Index>(per * k);
            x[i] = std::clamp(x[i], std::log(l_.low.value), std::log(l_.high.value));
            x[i + 2] = std::clamp(x[i + 2], -l_.max_cut_db, l_.max_boost_db);
            const bool shelf = types[k] != FilterType::peaking;
            const double q_hi = shelf ? 1.0 : (x[i + 2] > 0.0 ? l_.q_max_boost : l_.q_max);
            x[i + 1] = std::clamp(x[i + 1], std::log(l_.q_min), std::log(std::max(l_.q_min, q_hi)));
        }
    }

    std::vector<double> correction_db(const std::vector<FilterType>& types, const Eigen::VectorXd& x) const {
        std::vector<double> c(phi_.size(), 0.0);
        for (std::size_t k = 0; k < types.size(); ++k)
            add_biquad_db(dsp::design_biquad_fast(decode(types, x, k), pr_.sample_rate), phi_, c);
        return c;
    }

    // Residuals: weighted deviation in range (one-sided where boosting is not allowed),
    // a light pull to 0 dB outside the range, and steep penalties on boosts in nulls and
    // on a summed boost above the limit.
    Eigen::VectorXd residuals(const std::vector<FilterType>& types, const Eigen::VectorXd& x) const {
        return residuals_from(correction_db(types, x));
    }

    std::vector<double> filter_db(const std::vector<FilterType>& types, const Eigen::VectorXd& x, std::size_t k) const {
        std::vector<double> c(phi_.size(), 0.0);
        add_biquad_db(dsp::design_biquad_fast(decode(types, x, k), pr_.sample_rate), phi_, c);
        return c;
    }

    Eigen::VectorXd residuals_from(const std::vector<double>& c) const {
        const std::size_t n = c.size();
        Eigen::VectorXd r(static_cast<Eigen::Index>(3 * n));
        for (std::size_t i = 0; i < n; ++i) {
            const auto ii = static_cast<Eigen::Index>(i);
            double d = pr_.error_db[i] + c[i];
            if (pr_.no_boost[i] && d < 0.0) d = 0.0;  // below target in a null: leave it
            // Peaks are cut even where the positions disagree (a cut is safe wherever
            // the peak moves); boosts follow the confidence.
            const double w = d > 0.0 ? std::max(w_[i], cut_weight_floor) : w_[i];
            d *= std::sqrt(1.0 + (d / minimax_db) * (d / minimax_db));
            r[ii] = in_range_[i] ? std::sqrt(w) * d : std::sqrt(outside_weight) * c[i];
            r[ii + static_cast<Eigen::Index>(n)] = pr_.no_boost[i] ? penalty * std::max(0.0, c[i]) : 0.0;
            r[ii + static_cast<Eigen::Index>(2 * n)] = penalty * std::max(0.0, c[i] - l_.max_boost_db);
        }
        return r;
    }

    double cost(const std::vector<FilterType>& types, const Eigen::VectorXd& x) const {
        return residuals(types, x).squaredNorm();
    }

    // Levenberg–Marquardt over the parameters of filters [first, types.size()), the rest
    // held. Forward-difference Jacobian; Marquardt's diagonal scaling.
    int refine(const std::vector<FilterType>& types, Eigen::VectorXd& x, std::size_t first, int max_iter) const {
        const auto m = static_cast<Eigen::Index>(per * (types.size() - first));
        const auto off = static_cast<Eigen::Index>(per * first);
        Eigen::VectorXd r = residuals(types, x);
        double c0 = r.squaredNorm();
        double mu = 1e-2;
        int it = 0;
        for (; it < max_iter; ++it) {
            // Each column perturbs one filter: only that filter's response is recomputed.
            std::vector<double> total(phi_.size(), 0.0);
            std::vector<std::vector<double>> each(types.size());
            for (std::size_t k = 0; k < types.size(); ++k) {
                each[k] = filter_db(types, x, k);
                for (std::size_t i = 0; i < total.size(); ++i) total[i] += each[k][i];
            }
            Eigen::MatrixXd J(r.size(), m);
            std::vector<double> c(total.size());
            for (Eigen::Index j = 0; j < m; ++j) {
                Eigen::VectorXd xp = x;
                const double h = (j % per == 2) ? 1e-3 : 1e-4;
                xp[off + j] += h;
                const auto k = static_cast<std::size_t>((off + j) / per);
                const auto moved = filter_db(types, xp, k);
                for (std::size_t i = 0; i < c.size(); ++i) c[i] = total[i] - each[k][i] + moved[i];
                J.col(j) = (residuals_from(c) - r) / h;
            }
            const Eigen::MatrixXd JtJ = J.transpose() * J;
            const Eigen::VectorXd g = J.transpose() * r;
            bool improved = false;
            for (int tries = 0; tries < 8 && !improved; ++tries) {
                Eigen::MatrixXd A = JtJ;
                for (Eigen::Index j = 0; j < m; ++j) A(j, j) += mu * (JtJ(j, j) + 1e-9);
                const Eigen::VectorXd step = A.ldlt().solve(-g);
                Eigen::VectorXd xn = x;
                xn.segment(off, m) += step;
                project(types, xn);
                const Eigen::VectorXd rn = residuals(types, xn);
                const double cn = rn.squaredNorm();
                if (cn < c0) {
                    const double gain = (c0 - cn) / std::max(c0, 1e-300);
                    x = xn;
                    r = rn;
                    c0 = cn;
                    mu = std::max(mu / 3.0, 1e-9);
                    improved = true;
                    if (gain < 1e-7) return it + 1;
                } else {
                    mu *= 4.0;
                }
            }
            if (!improved) break;
        }
        return it;
    }

    // The weighted deviation still to cancel, with the filters so far.
    std::vector<double> remaining(const std::vector<FilterType>& types, const Eigen::VectorXd& x) const {
        const auto c = correction_db(types, x);
        std::vector<double> d(c.size());
        for (std::size_t i = 0; i < c.size(); ++i) d[i] = pr_.error_db[i] + c[i];
        return d;
    }

    // A starting bell on the largest weighted deviation that may be corrected, its Q
    // from where the deviation halves.
    bool bell_guess(const std::vector<double>& d, const std::vector<char>& tried, ParametricFilter& out) const {
        std::size_t best = d.size();
        double score = 0.0;
        for (std::size_t i = 0; i < d.size(); ++i) {
            if (!in_range_[i] || w_[i] <= 0.0 || tried[i]) continue;
            if (d[i] < 0.0 && pr_.no_boost[i]) continue;
            const double s = w_[i] * std::abs(d[i]);
            if (s > score) score = s, best = i;
        }
        if (best == d.size() || std::abs(d[best]) < 0.25) return false;
        const double half = d[best] / 2.0;
        std::size_t lo = best, hi = best;
        while (lo > 0 && in_range_[lo - 1] && (d[lo - 1] - half) * (d[best] > 0 ? 1 : -1) > 0) --lo;
        while (hi + 1 < d.size() && in_range_[hi + 1] && (d[hi + 1] - half) * (d[best] > 0 ? 1 : -1) > 0) ++hi;
        const double octaves = std::max(std::log2(pr_.grid_hz[hi] / pr_.grid_hz[lo]), 1.0 / 12.0);
        const double r = std::pow(2.0, octaves);
        out = {FilterType::peaking, pr_.grid_hz[best], std::sqrt(r) / (r - 1.0), -d[best]};
        return true;
    }

    // A starting low (or high) shelf: the mean deviation of the range's lowest (highest)
    // octave, the corner an octave in.
    ParametricFilter shelf_guess(const std::vector<double>& d, bool low) const {
        const double edge = low ? l_.low.value : l_.high.value;
        const double corner = low ? edge * 2.0 : edge / 2.0;
        double sum = 0.0, wsum = 0.0;
        for (std::size_t i = 0; i < d.size(); ++i) {
            const double f = pr_.grid_hz[i];
            if (!in_range_[i] || (low ? f > corner : f < corner)) continue;
            sum += w_[i] * d[i];
            wsum += w_[i];
        }
        const double mean = wsum > 0.0 ? sum / wsum : 0.0;
        return {low ? FilterType::low_shelf : FilterType::high_shelf, corner, 0.7071, -mean};
    }

    static void append(std::vector<FilterType>& types, Eigen::VectorXd& x, const ParametricFilter& p) {
        types.push_back(p.type);
        x.conservativeResize(x.size() + per);
        x[x.size() - 3] = std::log(p.frequency_hz);
        x[x.size() - 2] = std::log(p.q);
        x[x.size() - 1] = p.gain_db;
    }

    double weighted_rms(const std::vector<double>& d) const {
        double s = 0.0, ws = 0.0;
        for (std::size_t i = 0; i < d.size(); ++i) {
            if (!in_range_[i]) continue;
            const double v = (pr_.no_boost[i] && d[i] < 0.0) ? 0.0 : d[i];
            s += w_[i] * v * v;
            ws += w_[i];
        }
        return ws > 0.0 ? std::sqrt(s / ws) : 0.0;
    }

    static constexpr double outside_weight = 0.05;
    static constexpr double cut_weight_floor = 0.75;
    // Deviations grow as d·√(1 + (d/minimax_db)²) in the residual: beyond a couple of dB
    // the fit weighs the largest misses more than a least-squares fit would.
    static constexpr double minimax_db = 2.0;
    static constexpr double penalty = 30.0;

private:
    const PeqProblem& pr_;
    const PeqLimits& l_;
    std::vector<double> phi_;
    std::vector<double> w_;
    std::vector<char> in_range_;
};

void check(const PeqProblem& pr, const PeqLimits& l) {
    const std::size_t n = pr.grid_hz.size();
    if (n < 2 || pr.error_db.size() != n || pr.weight.size() != n || pr.no_boost.size() != n)
        throw Error("parametric fit: the grid, error, weight and no-boost vectors differ in length");
    if (l.filters < 1 || l.filters > 64) throw UsageError("--filters must be 1 to 64");
    if (!(l.q_min > 0.0 && l.q_min <= l.q_max && l.q_min <= l.q_max_boost))
        throw UsageError("Q limits must satisfy 0 < minimum Q <= maximum Q");
    if (!(l.max_boost_db >= 0.0 && l.max_boost_db <= 24.0)) throw UsageError("--max-boost must lie in 0–24 dB");
    if (!(l.max_cut_db >= 0.0 && l.max_cut_db <= 40.0)) throw UsageError("the largest cut must lie in 0–40 dB");
    if (!(l.low.value > 0.0 && l.low.value < l.high.value && l.high.value < pr.sample_rate.value / 2.0))
        throw UsageError("fit range " + fmt(l.low.value) + "–" + fmt(l.high.value) +
                         " Hz must be increasing and lie below Nyquist (" + fmt(pr.sample_rate.value / 2.0) + " Hz)");
}

}  // namespace

std::vector<double> parametric_db(const std::vector<ParametricFilter>& filters, Hz fs,
                                  const std::vector<double>& grid_hz) {
    const auto phi = phis(grid_hz, fs);
    std::vector<double> c(grid_hz.size(), 0.0);
    for (const auto& p : filters) add_biquad_db(dsp::design_biquad(p, fs), phi, c);
    return c;
}

PeqFit fit_parametric(const PeqProblem& full, const PeqLimits& l) {
    check(full, l);
    // Only the range and an octave either side matter to the fit; the rest of the grid
    // would only cost time (the boost limit is checked on a dense grid at the end).
    PeqProblem pr;
    pr.sample_rate = full.sample_rate;
    for (std::size_t i = 0; i < full.grid_hz.size(); ++i) {
        const double f = full.grid_hz[i];
        if (f < l.low.value / 2.0 || f > l.high.value * 2.0) continue;
        pr.grid_hz.push_back(f);
        pr.error_db.push_back(full.error_db[i]);
        pr.weight.push_back(full.weight[i]);
        pr.no_boost.push_back(full.no_boost[i]);
    }
    if (pr.grid_hz.size() < 4) throw UsageError("the fit range holds too few frequencies; widen --range");
    Fitter fit(pr, l);
    std::vector<FilterType> types;
    Eigen::VectorXd x(0);
    PeqFit out;
    out.rms_before_db = fit.weighted_rms(pr.error_db);

    double cost = fit.cost(types, x);
    // Peaks whose bell did not help (it would spill into a null, say) are not tried again.
    std::vector<char> tried(pr.grid_hz.size(), 0);
    for (int k = 0, attempts = 0; k < l.filters && attempts < 3 * l.filters; ++attempts) {
        const auto d = fit.remaining(types, x);
        std::vector<ParametricFilter> candidates;
        ParametricFilter bell;
        const bool have_bell = fit.bell_guess(d, tried, bell);
        if (have_bell) candidates.push_back(bell);
        // At most one shelf at each end: a second would only split the first's work.
        const bool has_low = std::find(types.begin(), types.end(), FilterType::low_shelf) != types.end();
        const bool has_high = std::find(types.begin(), types.end(), FilterType::high_shelf) != types.end();
        if (l.shelves && !has_low) candidates.push_back(fit.shelf_guess(d, true));
        if (l.shelves && !has_high && l.high.value >= 2000.0) candidates.push_back(fit.shelf_guess(d, false));
        double best_cost = cost;
        std::vector<FilterType> best_types;
        Eigen::VectorXd best_x;
        for (const auto& c : candidates) {
            auto t = types;
            Eigen::VectorXd xc = x;
            Fitter::append(t, xc, c);
            fit.project(t, xc);
            out.iterations += fit.refine(t, xc, types.size(), 20);
            const double cc = fit.cost(t, xc);
            if (cc < best_cost) best_cost = cc, best_types = t, best_x = xc;
        }
        // A filter must buy at least half a percent; else try the next peak, and stop
        // when there is none left.
        if (best_types.empty() || best_cost > cost * 0.995) {
            if (!have_bell) break;
            for (std::size_t i = 0; i < tried.size(); ++i)
                if (std::abs(std::log2(pr.grid_hz[i] / bell.frequency_hz)) < 1.0 / 6.0) tried[i] = 1;
            continue;
        }
        types = best_types;
        x = best_x;
        cost = best_cost;
        ++k;
    }
    if (!types.empty()) out.iterations += fit.refine(types, x, 0, 100);
    // Bells that converged onto each other (within 1/12 octave, Q within 1.5×) become one
    // with their gains summed, and the set is refined again.
    for (bool merged = true; merged && types.size() > 1;) {
        merged = false;
        for (std::size_t a = 0; a < types.size() && !merged; ++a)
            for (std::size_t b = a + 1; b < types.size() && !merged; ++b) {
                const auto ia = static_cast<Eigen::Index>(Fitter::per * a);
                const auto ib = static_cast<Eigen::Index>(Fitter::per * b);
                if (types[a] != types[b] || std::abs(x[ia] - x[ib]) > std::log(2.0) / 12.0 ||
                    std::abs(x[ia + 1] - x[ib + 1]) > std::log(1.5))
                    continue;
                x[ia + 2] += x[ib + 2];
                Eigen::VectorXd y(x.size() - Fitter::per);
                y << x.head(ib), x.tail(x.size() - ib - Fitter::per);
                x = y;
                types.erase(types.begin() + static_cast<std::ptrdiff_t>(b));
                fit.project(types, x);
                merged = true;
            }
        if (merged) out.iterations += fit.refine(types, x, 0, 100);
    }

    for (std::size_t k = 0; k < types.size(); ++k) out.filters.push_back(fit.decode(types, x, k));
    // Drop filters that ended up doing nothing.
    std::erase_if(out.filters, [](const ParametricFilter& p) { return std::abs(p.gain_db) < 0.1; });

    // The summed boost is a hard limit: checked on a dense grid up to Nyquist, and any
    // excess taken off the boosting filters' gains.
    const auto dense = log_frequency_grid(Hz(10.0), Hz(pr.sample_rate.value * 0.499), 96);
    for (int round = 0; round < 20; ++round) {
        const auto c = parametric_db(out.filters, pr.sample_rate, dense);
        out.max_boost_db = c.empty() ? 0.0 : *std::max_element(c.begin(), c.end());
        if (out.max_boost_db <= l.max_boost_db + 1e-9) break;
        const double scale = l.max_boost_db / out.max_boost_db * 0.999;
        for (auto& p : out.filters)
            if (p.gain_db > 0.0) p.gain_db *= scale;
    }
    const auto c = parametric_db(out.filters, pr.sample_rate, pr.grid_hz);
    std::vector<double> after(c.size());
    for (std::size_t i = 0; i < c.size(); ++i) after[i] = pr.error_db[i] + c[i];
    out.rms_after_db = fit.weighted_rms(after);
    return out;
}

}  // namespace roomcal::correct
