// GCC-PHAT alignment: coarse over the whole signals at about 4 kHz, exact at full rate in
// three windows.
#include "roomcal/compare/align.hpp"

#include <algorithm>
#include <cmath>
#include <complex>
#include <thread>

#include "roomcal/core/audio_buffer.hpp"
#include "roomcal/core/error.hpp"
#include "roomcal/core/format.hpp"
#include "roomcal/dsp/fft.hpp"

namespace roomcal::compare {
namespace {

using cd = std::complex<double>;

// The mono downmix (mean of the channels) of frames [from, from + n).
std::vector<double> downmix(AudioView<const float> x, std::size_t from, std::size_t n) {
    std::vector<double> out(n, 0.0);
    const double g = 1.0 / static_cast<double>(x.num_channels());
    for (std::size_t c = 0; c < x.num_channels(); ++c) {
        const float* s = x.channel(c).data() + from;
        for (std::size_t i = 0; i < n; ++i) out[i] += g * s[i];
    }
    return out;
}

// The downmix box-averaged and decimated by `d`, and the downmix's energy (Σ m²).
struct Decimated {
    std::vector<double> samples;
    double energy = 0.0;
};
Decimated decimate(AudioView<const float> x, std::size_t d) {
    Decimated out;
    out.samples.resize(x.num_frames() / d);
    const float g = 1.0f / static_cast<float>(x.num_channels());
    constexpr std::size_t max_d = 64;
    float m[max_d];
    for (std::size_t i = 0; i < out.samples.size(); ++i) {
        const std::size_t at = i * d;
        for (std::size_t done = 0; done < d; done += max_d) {
            const std::size_t k_n = std::min(max_d, d - done);
            for (std::size_t k = 0; k < k_n; ++k) m[k] = 0.0f;
            for (std::size_t c = 0; c < x.num_channels(); ++c) {
                const float* s = x.channel(c).data() + at + done;
                for (std::size_t k = 0; k < k_n; ++k) m[k] += g * s[k];
            }
            float sum = 0.0f, sq = 0.0f;
            for (std::size_t k = 0; k < k_n; ++k) sum += m[k], sq += m[k] * m[k];
            out.samples[i] += sum;
            out.energy += sq;
        }
        out.samples[i] /= static_cast<double>(d);
    }
    // The few frames past the last whole step count for the silence test too.
    for (std::size_t i = out.samples.size() * d; i < x.num_frames(); ++i) {
        double v = 0.0;
        for (std::size_t c = 0; c < x.num_channels(); ++c) v += x.channel(c)[i];
        v /= static_cast<double>(x.num_channels());
        out.energy += v * v;
    }
    return out;
}

// r[l] = Σ a[n]·b[n + l] with each frequency's weight removed (PHAT), for l in
// [-max_neg, max_pos]; index l + max_neg. Normalised so identical signals peak at 1.
std::vector<double> gcc_phat(const std::vector<double>& a, const std::vector<double>& b, std::size_t max_neg,
                             std::size_t max_pos) {
    // Circular correlation of size n holds linear lag l and l ∓ n; no pair of samples lies
    // that far apart once n >= |a| + max_pos and n >= |b| + max_neg, so the lags searched
    // are exact without padding to |a| + |b|.
    const std::size_t n = dsp::next_fast_size(std::max(a.size() + max_pos, b.size() + max_neg));
    const dsp::RealFft<double> fft(n);
    dsp::FftBuffer<double> ta(n), tb(n);
    dsp::FftBuffer<cd> fa(fft.num_bins()), fb(fft.num_bins());
    std::copy(a.begin(), a.end(), ta.data());
    std::copy(b.begin(), b.end(), tb.data());
    // The two long transforms of a coarse search run side by side.
    if (n >= (std::size_t{1} << 18)) {
        std::thread other([&] { fft.forward(tb.data(), fb.data()); });
        fft.forward(ta.data(), fa.data());
        other.join();
    } else {
        fft.forward(ta.data(), fa.data());
        fft.forward(tb.data(), fb.data());
    }
    double peak_mag = 0.0;
    for (std::size_t k = 0; k < fa.size(); ++k) {
        fa[k] = std::conj(fa[k]) * fb[k];
        peak_mag = std::max(peak_mag, std::norm(fa[k]));
    }
    peak_mag = std::sqrt(peak_mag);
    // A floor keeps bins with next to no energy (silence, band limits) from weighing in
    // as much as the music.
    const double floor = 1e-6 * peak_mag;
    std::size_t used = 0;
    for (std::size_t k = 0; k < fa.size(); ++k) {
        const double m = std::sqrt(std::norm(fa[k]));
        if (m > floor) ++used;
        fa[k] /= (m + floor);
    }
    fft.inverse(fa.data(), ta.data());
    const double* r = ta.data();
    const double scale = 1.0 / static_cast<double>(std::max<std::size_t>(1, used)) * 0.5;
    std::vector<double> out(max_neg + max_pos + 1);
    for (std::size_t i = 0; i < out.size(); ++i) {
        const long l = static_cast<long>(i) - static_cast<long>(max_neg);
        const std::size_t idx = l >= 0 ? static_cast<std::size_t>(l) : n - static_cast<std::size_t>(-l);
        out[i] = r[idx] * scale;
    }
    return out;
}

double energy(const std::vector<double>& x) {
    double e = 0.0;
    for (double v : x) e += v * v;
    return e;
}

}  // namespace

Alignment align(std::span<const float> a, std::span<const float> b, Hz rate, const AlignOptions& o) {
    const float* pa = a.data();
    const float* pb = b.data();
    return align(AudioView<const float>(&pa, 1, a.size()), AudioView<const float>(&pb, 1, b.size()), rate, o);
}

Alignment align(AudioView<const float> a_in, AudioView<const float> b_in, Hz rate, const AlignOptions& o) {
    const double fs = rate.value;
    const std::size_t a_n = a_in.num_frames(), b_n = b_in.num_frames();
    if (a_in.num_channels() == 0 || b_in.num_channels() == 0 || a_n < static_cast<std::size_t>(0.25 * fs) ||
        b_n < static_cast<std::size_t>(0.25 * fs))
        throw Error("too short to align: " + fmt(static_cast<double>(std::min(a_n, b_n)) / fs) +
                    " s; both files need at least a quarter of a second of music");

    Alignment res;
    // Coarse: ~4 kHz.
    const std::size_t d = std::max<std::size_t>(1, static_cast<std::size_t>(std::lround(fs / 4000.0)));
    const Decimated da = decimate(a_in, d), db = decimate(b_in, d);
    if (da.energy < 1e-12 * static_cast<double>(a_n) || db.energy < 1e-12 * static_cast<double>(b_n))
        throw Error("one of the two is silent (below -120 dBFS); there is nothing to align");
    const auto& ca = da.samples;
    const auto& cb = db.samples;
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
    const long overlap_end = std::min(static_cast<long>(a_n), static_cast<long>(b_n) - coarse);
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
        const long lo = std::max(0L, b_from), hi = std::min(static_cast<long>(b_n), b_to);
        const auto wa = downmix(a_in, static_cast<std::size_t>(start), static_cast<std::size_t>(w));
        if (energy(wa) < 1e-10 * static_cast<double>(w)) continue;  // a silent window says nothing
        std::vector<double> wb(static_cast<std::size_t>(b_to - b_from), 0.0);
        if (hi > lo) {
            const auto part = downmix(b_in, static_cast<std::size_t>(lo), static_cast<std::size_t>(hi - lo));
            std::copy(part.begin(), part.end(), wb.begin() + (lo - b_from));
        }
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
