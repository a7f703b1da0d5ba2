// Pair statistics: per band mean, sample SD and a two-sided Student-t interval.
#include "roomcal/compare/pairs.hpp"

#include <cmath>
#include <cstdio>

#include "roomcal/core/error.hpp"

namespace roomcal::compare {
namespace {

// Two-sided 95 % Student-t quantile for `dof` degrees of freedom.
double t95(std::size_t dof) {
    static const double table[] = {12.706, 4.303, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201,
                                   2.179,  2.160, 2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086, 2.080,
                                   2.074,  2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042, 2.042};
    if (dof == 0) return HUGE_VAL;
    if (dof <= 30) return table[dof - 1];
    return dof <= 60 ? 2.000 : dof <= 120 ? 1.980 : 1.960;
}

std::string fixed1(double v) {
    char s[32];
    std::snprintf(s, sizeof s, "%+.1f", v);
    return s;
}

}  // namespace

PairsSummary summarise_pairs(const std::vector<Comparison>& pairs, double confidence_level) {
    if (pairs.size() < 2)
        throw UsageError("the pairs file gives " + std::to_string(pairs.size()) +
                         " usable pair(s); averaging needs at least two (eight or more tell a habit from a song)");
    if (std::abs(confidence_level - 0.95) > 1e-9) throw UsageError("only 95 % confidence intervals are supported");
    const std::size_t nb = pairs.front().bands.size();
    for (const auto& p : pairs)
        if (p.bands.size() != nb)
            throw UsageError(
                "the pairs were compared on different band grids (their rates differ too much); "
                "bring the files to one rate first");
    PairsSummary s;
    s.pairs = pairs.size();
    s.confidence_level = confidence_level;
    const double n = static_cast<double>(pairs.size());
    std::vector<double> raw(nb, 0.0);
    double sum_mean2 = 0.0, sum_sd2 = 0.0;
    int counted = 0;
    for (std::size_t b = 0; b < nb; ++b) {
        BandStats st;
        st.centre_hz = pairs.front().bands[b].centre_hz;
        double sum = 0.0;
        for (const auto& p : pairs) sum += p.bands[b].diff_db;
        st.mean_db = sum / n;
        double ss = 0.0;
        for (const auto& p : pairs) ss += (p.bands[b].diff_db - st.mean_db) * (p.bands[b].diff_db - st.mean_db);
        st.sd_db = std::sqrt(ss / (n - 1.0));
        const double half = t95(pairs.size() - 1) * st.sd_db / std::sqrt(n);
        st.ci_low_db = st.mean_db - half;
        st.ci_high_db = st.mean_db + half;
        st.consistent = std::abs(st.mean_db) >= 0.5 && (st.ci_low_db > 0.0 || st.ci_high_db < 0.0);
        // Only what is consistent moves the target; the interval's near edge keeps the
        // change no larger than the evidence.
        if (st.consistent) raw[b] = -(st.mean_db > 0.0 ? std::max(0.0, st.ci_low_db) : std::min(0.0, st.ci_high_db));
        if (st.centre_hz >= 40.0 && st.centre_hz <= 16000.0) {
            sum_mean2 += st.mean_db * st.mean_db;
            sum_sd2 += st.sd_db * st.sd_db;
            ++counted;
        }
        s.bands.push_back(st);
    }
    if (counted > 0) {
        s.consistent_rms_db = std::sqrt(sum_mean2 / counted);
        s.variation_rms_db = std::sqrt(sum_sd2 / counted);
    }
    // Smoothed over neighbouring bands so the target gets no corners to chase.
    for (std::size_t b = 0; b < nb; ++b) {
        const double l = b > 0 ? raw[b - 1] : raw[b], r = b + 1 < nb ? raw[b + 1] : raw[b];
        s.bands[b].target_change_db = 0.25 * l + 0.5 * raw[b] + 0.25 * r;
        s.target_change.emplace_back(s.bands[b].centre_hz, s.bands[b].target_change_db);
    }
    // The summary: runs of consistent bands of one sign.
    std::string text;
    for (std::size_t b = 0; b < nb;) {
        if (!s.bands[b].consistent) {
            ++b;
            continue;
        }
        const bool up = s.bands[b].mean_db > 0.0;
        std::size_t e = b;
        double sum = 0.0, lo = 0.0, hi = 0.0;
        while (e < nb && s.bands[e].consistent && (s.bands[e].mean_db > 0.0) == up) {
            sum += s.bands[e].mean_db;
            lo += s.bands[e].ci_low_db;
            hi += s.bands[e].ci_high_db;
            ++e;
        }
        const double k = static_cast<double>(e - b), mean = sum / k;
        const double f_lo = s.bands[b].centre_hz * std::pow(2.0, -1.0 / 6.0);
        const double f_hi = s.bands[e - 1].centre_hz * std::pow(2.0, 1.0 / 6.0);
        text += "masters are consistently " + fixed1(mean) + " dB (95 % interval " + fixed1(lo / k) + " to " +
                fixed1(hi / k) + ") at " + band_name(f_lo) + "–" + band_name(f_hi) + ": the room " +
                (up ? "overstates" : "understates") + " that region by about " + fixed1(std::abs(mean)).substr(1) +
                " dB → " + (up ? "lower" : "raise") + " the target there\n";
        b = e;
    }
    if (text.empty())
        text = "no band differs consistently across the " + std::to_string(s.pairs) +
               " pairs: what the masters changed varies from song to song (RMS " +
               fixed1(s.variation_rms_db).substr(1) + " dB); the room's tonal balance needs no change\n";
    s.summary = text;
    return s;
}

}  // namespace roomcal::compare
