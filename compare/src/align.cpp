// GCC-PHAT alignment: coarse over the whole signals at about 4 kHz, exact at full rate in
// three windows.
#include "roomcal/compare/align.hpp"

#include <algorithm>
#include <cmath>
#include <complex>

#include "roomcal/core/error.hpp"
#include "roomcal/core/format.hpp"
#include "roomcal/dsp/fft.hpp"

namespace roomcal::compare {
namespace {

using cd = std::complex<double>;

// Box-averaged and decimated by `d`.
std::vector<double> decimate(std::span<const float> x, std::size_t d) {
    std::vector<double> out(x.size() / d);
    for (std::size_t i = 0; i < out.size(); ++i) {
        double s = 0.0;
        for (std::size_t k = 0; k < d; ++k) s += x[i * d + k];
        out[i] = s / static_cast<double>(d);
    }
    return out;
}

// r[l] = Σ a[n]·b[n + l] with each frequency's weight removed (PHAT), for l in
// [-max_neg, max_pos]; index l + max_neg. Normalised so identical signals peak at 1.
std::vector<double> gcc_phat(const std::vector<double>& a, const std::vector<double>& b, std::size_t max_neg,
                             std::size_t max_pos) {
    const std::size_t n = dsp::next_fast_size(a.size() + b.size());
    auto fa = dsp::rfft(a, n);
    const auto fb = dsp::rfft(b, n);
    double peak_mag = 0.0;
    for (std::size_t k = 0; k < fa.size(); ++k) {
        fa[k] = std::conj(fa[k]) * fb[k];
        peak_mag = std::max(peak_mag, std::abs(fa[k]));
    }
    // A floor keeps bins with next to no energy (silence, band limits) from weighing in
    // as much as the music.
    const double floor = 1e-6 * peak_mag;
    std::size_t used = 0;
    for (auto& v : fa) {
        const double m = std::abs(v);
        if (m > floor) ++used;
        v /= (m + floor);
    }
    const auto r = dsp::irfft(fa, n);
    const double scale = static_cast<double>(n) / static_cast<double>(std::max<std::size_t>(1, used)) * 0.5;
    std::vector<double> out(max_neg + max_pos + 1);
    for (std::size_t i = 0; i < out.size(); ++i) {
        const long l = static_cast<long>(i) - static_cast<long>(max_neg);
        const std::size_t idx = l >= 0 ? static_cast<std::size_t>(l) : n - static_cast<std::size_t>(-l);
        out[i] = r[idx] * scale;
    }
    return out;
}

double energy(std::span<const float> x) {
    double e = 0.0;
    for (float v : x) e += static_cast<double>(v) * v;
    return e;
}

}  // namespace

Alignment align(std::span<const float> a, std::span<const float> b, Hz rate, const AlignOptions& o) {
    const double fs = rate.value;
    if (a.size() < static_cast<std::size_t>(0.25 * fs) || b.size() < static_cast<std::size_t>(0.25 * fs))
        throw Error("too short to align: " + fmt(std::min(a.size(), b.size()) / fs) +
                    " s; both files need at least a quarter of a second of music");
    if (energy(a) < 1e-12 * static_cast<double>(a.size()) || energy(b) < 1e-12 * static_cast<double>(b.size()))
        throw Error("one of the two is silent (below -120 dBFS); there is nothing to align");

    Alignment res;
    // Coarse: ~4 kHz.
    const std::size_t d = std::max<std::size_t>(1, static_cast<std::size_t>(std::lround(fs / 4000.0)));
    const auto ca = decimate(a, d), cb = decimate(b, d);
    const auto max_lag = static_cast<std::size_t>(o.max_offset_s * fs / static_cast<double>(d));
    const std::size_t neg = std::min(max_lag, ca.size() - 1), pos = std::min(max_lag, cb.size() - 1);
    const auto r = gcc_phat(ca, cb, neg, pos);
    std::size_t best = 0;
    for (std::size_t i = 1; i < r.size(); ++i)
        if (std::abs(r[i]) > std::abs(r[best])) best = i;
    const long coarse = (static_cast<long>(best) - static_cast<long>(neg)) * static_cast<long>(d);
    // Confidence: how far the peak stands above the correlation's own spread (a robust
    // z-score: median absolute value), mapped 8 → 0 and 20 → 1; unrelated music reaches
    // about 5 over a ±30 s search.
    std::vector<double> mags(r.size());
    for (std::size_t i = 0; i < r.size(); ++i) mags[i] = std::abs(r[i]);
    std::vector<double> sorted = mags;
    std::nth_element(sorted.begin(), sorted.begin() + static_cast<long>(sorted.size() / 2), sorted.end());
    const double spread = std::max(1e-12, sorted[sorted.size() / 2] * 1.4826);
    const double z = mags[best] / spread;
    res.confidence = std::clamp((z - 8.0) / 12.0, 0.0, 1.0);
    double second = 0.0;
    const std::size_t guard = 4;
    for (std::size_t i = 0; i < mags.size(); ++i)
        if (i + guard < best || i > best + guard) second = std::max(second, mags[i]);
    res.peak_to_sidelobe = second > 0.0 ? mags[best] / second : 1e9;
    if (res.peak_to_sidelobe < 1.5)
        res.warnings.push_back("another offset correlates almost as well (" + fmt(res.peak_to_sidelobe) +
                               "x): repetitive music can fool the alignment; check by ear");

    // Fine: three windows of the overlap at full rate, ±2 coarse steps around the coarse lag.
    const long overlap_begin = std::max(0L, -coarse);
    const long overlap_end = std::min(static_cast<long>(a.size()), static_cast<long>(b.size()) - coarse);
    if (overlap_end - overlap_begin < static_cast<long>(0.25 * fs))
        throw Error(
            "the two overlap by less than a quarter of a second once aligned; they are not versions of "
            "the same music, or one is a short excerpt");
    const long span = overlap_end - overlap_begin;
    const long w = std::min<long>(span, 1L << 17);
    const long margin = 2 * static_cast<long>(d) + 2;
    double sign_sum = 0.0;
    for (double at : {0.1, 0.5, 0.9}) {
        long start = overlap_begin + static_cast<long>(at * static_cast<double>(span - w));
        start = std::clamp(start, overlap_begin, overlap_end - w);
        const long b_from = start + coarse - margin, b_to = start + coarse + w + margin;
        const long lo = std::max(0L, b_from), hi = std::min(static_cast<long>(b.size()), b_to);
        std::vector<double> wa(a.begin() + start, a.begin() + start + w);
        std::vector<double> wb(static_cast<std::size_t>(b_to - b_from), 0.0);
        for (long i = lo; i < hi; ++i) wb[static_cast<std::size_t>(i - b_from)] = b[static_cast<std::size_t>(i)];
        if (energy(std::span<const float>(a.data() + start, static_cast<std::size_t>(w))) <
            1e-10 * static_cast<double>(w))
            continue;  // a silent window says nothing
        // wb starts `margin` before the coarse position: lag l in wb is coarse + l - margin.
        const auto fr = gcc_phat(wa, wb, 0, static_cast<std::size_t>(2 * margin));
        std::size_t fb = 0;
        for (std::size_t i = 1; i < fr.size(); ++i)
            if (std::abs(fr[i]) > std::abs(fr[fb])) fb = i;
        WindowLag wl;
        wl.at_s = (static_cast<double>(start) + 0.5 * static_cast<double>(w)) / fs;
        wl.lag = coarse + static_cast<long>(fb) - margin;
        wl.peak = std::abs(fr[fb]);
        sign_sum += fr[fb];
        res.windows.push_back(wl);
    }
    if (res.windows.empty()) {
        res.offset_samples = coarse;
        res.polarity_inverted = r[best] < 0.0;
        res.warnings.push_back("no window loud enough to refine the offset; it is good to ±" + std::to_string(d) +
                               " samples");
        return res;
    }
    std::vector<long> lags;
    for (const auto& wl : res.windows) lags.push_back(wl.lag);
    std::sort(lags.begin(), lags.end());
    res.offset_samples = lags[lags.size() / 2];
    res.polarity_inverted = sign_sum < 0.0;
    if (res.windows.size() >= 2) {
        const auto& first = res.windows.front();
        const auto& last = res.windows.back();
        const double dt = last.at_s - first.at_s;
        if (dt > 0.0) res.drift_ppm = static_cast<double>(last.lag - first.lag) / (dt * fs) * 1e6;
        if (std::abs(last.lag - first.lag) > 1)
            res.warnings.push_back("the offset moves by " + std::to_string(last.lag - first.lag) +
                                   " samples from start to end (" + fmt(res.drift_ppm) +
                                   " ppm): one file was resampled or runs at another speed");
    }
    return res;
}

}  // namespace roomcal::compare
