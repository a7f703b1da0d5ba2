// Mix/master comparison: resampling (libsamplerate), alignment, loudness and dynamics
// (libebur128; true peak by dsp::true_peak), paired and gated long-term spectra (Welch),
// bands and the summary.
#include "roomcal/compare/compare.hpp"

#include <ebur128.h>
#include <samplerate.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <memory>
#include <numbers>
#include <thread>

#include "roomcal/core/error.hpp"
#include "roomcal/core/format.hpp"
#include "roomcal/core/frequency_response.hpp"
#include "roomcal/dsp/fft.hpp"
#include "roomcal/dsp/level_sums.hpp"
#include "roomcal/dsp/true_peak.hpp"
#include "spectrum.hpp"

namespace roomcal::compare {
namespace {

using detail::db_power;

std::string fixed(double v, const char* f) {
    char buf[32];
    std::snprintf(buf, sizeof buf, f, v);
    return buf;
}
std::string fixed1(double v) { return fixed(v, "%.1f"); }
std::string fixed2(double v) { return fixed(v, "%.2f"); }

struct EburDeleter {
    void operator()(ebur128_state* s) const noexcept { ebur128_destroy(&s); }
};

// Loudness, range, peaks, RMS and width of `x` (already cut to the overlap).
Dynamics measure_dynamics(AudioView<const float> x, double fs) {
    const std::size_t ch = x.num_channels();
    std::unique_ptr<ebur128_state, EburDeleter> st(ebur128_init(
        static_cast<unsigned>(ch), static_cast<unsigned long>(fs), EBUR128_MODE_I | EBUR128_MODE_LRA | EBUR128_MODE_S));
    if (!st) throw Error("the loudness meter could not start (libebur128 refused " + fmt(fs) + " Hz)");
    if (ch == 1) ebur128_set_channel(st.get(), 0, EBUR128_DUAL_MONO);  // played on both speakers
    // Fed in 100 ms chunks; each chunk's K-weighted power (ebur128_loudness_window over
    // the last 100 ms) goes into a 30-chunk window, so the loudest 3 s (the
    // short-term maximum) costs one pass, not a 3 s re-summation every 100 ms.
    const std::size_t chunk = std::max<std::size_t>(1, static_cast<std::size_t>(fs / 10.0));
    constexpr std::size_t chunks_per_3s = 30;
    std::vector<float> inter(chunk * ch);
    std::vector<double> chunk_power(chunks_per_3s, 0.0);
    std::size_t chunks_seen = 0;
    Dynamics d;
    d.max_short_term_lufs = -HUGE_VAL;
    double sum_sq = 0.0, mid = 0.0, side = 0.0;
    float peak = 0.0f;
    for (std::size_t pos = 0; pos < x.num_frames(); pos += chunk) {
        const std::size_t n = std::min(chunk, x.num_frames() - pos);
        for (std::size_t c = 0; c < ch; ++c) {
            const float* s = x.channel(c).data() + pos;
            float* o = inter.data() + c;
            for (std::size_t i = 0; i < n; ++i) o[i * ch] = s[i];
            sum_sq += dsp::sum_squares(s, n);
            peak = std::max(peak, dsp::max_abs(s, n));
        }
        if (ch >= 2) {
            const float* l = x.channel(0).data() + pos;
            const float* r = x.channel(1).data() + pos;
            float m2[8] = {}, s2[8] = {};
            std::size_t i = 0;
            for (; i + 8 <= n; i += 8)
                for (std::size_t k = 0; k < 8; ++k) {
                    const float m = l[i + k] + r[i + k], sd = l[i + k] - r[i + k];
                    m2[k] += m * m;
                    s2[k] += sd * sd;
                }
            for (; i < n; ++i) {
                const float m = l[i] + r[i], sd = l[i] - r[i];
                m2[0] += m * m;
                s2[0] += sd * sd;
            }
            for (std::size_t k = 0; k < 8; ++k) mid += 0.25 * m2[k], side += 0.25 * s2[k];
        }
        ebur128_add_frames_float(st.get(), inter.data(), n);
        if (n < chunk) break;  // a partial last chunk is not a whole 100 ms
        double l = 0.0;
        const double p = ebur128_loudness_window(st.get(), 100, &l) == EBUR128_SUCCESS && std::isfinite(l)
                             ? std::pow(10.0, (l + 0.691) / 10.0)
                             : 0.0;
        chunk_power[chunks_seen % chunks_per_3s] = p;
        double running = 0.0;
        for (double v : chunk_power) running += v;
        if (++chunks_seen >= chunks_per_3s && running > 0.0)
            d.max_short_term_lufs =
                std::max(d.max_short_term_lufs, -0.691 + 10.0 * std::log10(running / chunks_per_3s));
    }
    ebur128_loudness_global(st.get(), &d.loudness_lufs);
    if (ebur128_loudness_range(st.get(), &d.lra_lu) != EBUR128_SUCCESS) d.lra_lu = 0.0;
    // True peak by our own bounded interpolation: libebur128's interpolates every sample
    // and costs more than the rest of the comparison together.
    double tp = 0.0;
    for (std::size_t c = 0; c < ch; ++c) tp = std::max(tp, dsp::true_peak(x.channel(c), Hz(fs)));
    if (!std::isfinite(d.max_short_term_lufs)) d.max_short_term_lufs = d.loudness_lufs;
    d.true_peak_dbtp = 20.0 * std::log10(std::max(tp, 1e-10));
    d.sample_peak_dbfs = 20.0 * std::log10(std::max(static_cast<double>(peak), 1e-10));
    d.rms_dbfs = db_power(sum_sq / static_cast<double>(std::max<std::size_t>(1, x.num_frames() * ch)));
    d.crest_db = d.sample_peak_dbfs - d.rms_dbfs;
    d.plr_db = d.true_peak_dbtp - d.loudness_lufs;
    // Side 60 dB under mid is mono for any listener; below that the figure is rounding noise.
    d.width_db = ch >= 2 ? std::max(-60.0, db_power(side) - db_power(mid)) : -60.0;
    return d;
}

// Sum over the gated frames of each bin's power, averaged over channels.
std::vector<double> long_term_spectrum(AudioView<const float> x, const std::vector<std::size_t>& frames,
                                       std::size_t n) {
    const auto per_channel = detail::channel_spectra(x, frames, n);
    std::vector<double> p(n / 2 + 1, 0.0);
    for (const auto& ch : per_channel)
        for (std::size_t k = 0; k < p.size(); ++k) p[k] += ch[k] / static_cast<double>(per_channel.size());
    return p;
}

// Power ratio (dB) of b over a in [lo, hi) Hz; the nearest bin when the band is narrower than one.
double band_ratio_db(const std::vector<double>& a, const std::vector<double>& b, double lo, double hi, double bin_hz) {
    auto k0 = static_cast<std::size_t>(std::ceil(lo / bin_hz));
    auto k1 = static_cast<std::size_t>(std::ceil(hi / bin_hz));
    k1 = std::min(k1, a.size());
    if (k0 >= k1) {
        k0 = std::min(a.size() - 1, static_cast<std::size_t>(std::lround(std::sqrt(lo * hi) / bin_hz)));
        k1 = k0 + 1;
    }
    double pa = 0.0, pb = 0.0;
    for (std::size_t k = k0; k < k1; ++k) pa += a[k], pb += b[k];
    return db_power(pb) - db_power(pa);
}

double erb_number(double f) { return 21.4 * std::log10(1.0 + 0.00437 * f); }
double erb_frequency(double e) { return (std::pow(10.0, e / 21.4) - 1.0) / 0.00437; }

std::string signed_db(double v) { return (v >= 0.0 ? "+" : "−") + fixed1(std::abs(v)); }

std::string summary_of(const Comparison& c) {
    struct Region {
        double lo, hi;
        const char* name;
    };
    const Region regions[] = {{20, 80, "below 80 Hz"},       {80, 250, "at 80–250 Hz"},  {250, 800, "at 250–800 Hz"},
                              {800, 2000, "at 0.8–2 kHz"},   {2000, 5000, "at 2–5 kHz"}, {5000, 10000, "at 5–10 kHz"},
                              {10000, 20001, "above 10 kHz"}};
    std::string s = "master:";
    bool any = false;
    for (const auto& r : regions) {
        double sum = 0.0;
        int n = 0;
        for (const auto& b : c.bands)
            if (b.centre_hz >= r.lo && b.centre_hz < r.hi) sum += b.diff_db, ++n;
        if (n == 0) continue;
        const double mean = sum / n;
        if (std::abs(mean) < 0.5) continue;
        s += std::string(any ? ", " : " ") + signed_db(mean) + " dB " + r.name;
        any = true;
    }
    if (!any) s += " same tonal balance (within 0.5 dB)";
    const double louder = c.gain_match_db;
    s += ", " + fixed1(std::abs(louder)) + " LU " + (louder >= 0 ? "louder" : "quieter");
    s += ", LRA " + fixed1(c.mix.lra_lu) + " → " + fixed1(c.master.lra_lu) + " LU";
    if (c.width_known && std::abs(c.width_diff_db) >= 0.5)
        s += ", " + std::string(c.width_diff_db > 0 ? "wider" : "narrower") + " by " +
             fixed1(std::abs(c.width_diff_db)) + " dB (side/mid)";
    s += ", true peak " + fixed1(c.master.true_peak_dbtp) + " dBTP";
    if (c.alignment.polarity_inverted) s += ", polarity inverted";
    return s;
}

}  // namespace

AudioBuffer<float> resample(AudioView<const float> x, Hz from, Hz to) {
    const double ratio = to.value / from.value;
    const auto frames = static_cast<std::size_t>(std::floor(static_cast<double>(x.num_frames()) * ratio));
    AudioBuffer<float> out(x.num_channels(), frames);
    for (std::size_t c = 0; c < x.num_channels(); ++c) {
        if (std::abs(ratio - 1.0) < 1e-12) {
            std::copy_n(x.channel(c).begin(), std::min(frames, x.num_frames()), out.view().channel(c).begin());
            continue;
        }
        SRC_DATA d{};
        d.data_in = x.channel(c).data();
        d.input_frames = static_cast<long>(x.num_frames());
        d.data_out = out.view().channel(c).data();
        d.output_frames = static_cast<long>(frames);
        d.src_ratio = ratio;
        if (const int err = src_simple(&d, SRC_SINC_MEDIUM_QUALITY, 1); err != 0)
            throw Error(std::string("resampling failed: ") + src_strerror(err));
    }
    return out;
}

Comparison compare_pair(AudioView<const float> mix_in, Hz mix_rate, AudioView<const float> master_in, Hz master_rate,
                        const CompareOptions& o) {
    if (mix_in.empty() || master_in.empty()) throw Error("one of the two files holds no audio");
    Comparison c;
    const double fs = std::max(mix_rate.value, master_rate.value);
    c.sample_rate = Hz(fs);
    AudioBuffer<float> mix_buf, master_buf;
    AudioView<const float> mix = mix_in, master = master_in;
    if (mix_rate.value != fs) {
        mix_buf = resample(mix_in, mix_rate, Hz(fs));
        mix = mix_buf.view();
        c.warnings.push_back("the mix was resampled from " + fmt(mix_rate.value) + " to " + fmt(fs) + " Hz");
    }
    if (master_rate.value != fs) {
        master_buf = resample(master_in, master_rate, Hz(fs));
        master = master_buf.view();
        c.warnings.push_back("the master was resampled from " + fmt(master_rate.value) + " to " + fmt(fs) + " Hz");
    }
    if (mix.num_channels() != master.num_channels())
        c.warnings.push_back("the mix has " + std::to_string(mix.num_channels()) + " channel(s), the master " +
                             std::to_string(master.num_channels()) +
                             "; loudness counts a mono file as played on both speakers, spectra are per channel");

    c.alignment = align(mix, master, Hz(fs), o.align);
    if (c.alignment.confidence < o.align.min_confidence)
        throw Error("the two files do not look like versions of the same music (alignment confidence " +
                    fixed2(c.alignment.confidence) +
                    "); compare a mix with its own master, or check that neither is a different take");
    for (const auto& w : c.alignment.warnings) c.warnings.push_back(w);

    const long off = c.alignment.offset_samples;
    const long begin = std::max(0L, -off);
    const long end = std::min(static_cast<long>(mix.num_frames()), static_cast<long>(master.num_frames()) - off);
    const auto count = static_cast<std::size_t>(end - begin);
    c.overlap_s = static_cast<double>(count) / fs;
    const auto mix_o = mix.frames(static_cast<std::size_t>(begin), count);
    const auto master_o = master.frames(static_cast<std::size_t>(begin + off), count);

    // Frames for the spectra: ~0.34 s, half overlapped, gated on the mix's level (absolute
    // -70 dBFS, then 20 dB under the mean of what passed), the same frames in both.
    const std::size_t n = detail::spectrum_frame(fs, count);
    const std::vector<std::size_t> frames = detail::gated_frames(mix_o, n);
    if (frames.empty()) throw Error("the mix is silent where the two overlap (below -70 dBFS); nothing to compare");

    // The two files in parallel: each its loudness meter and its spectrum.
    std::vector<double> p_mix, p_master;
    std::exception_ptr failure;
    std::thread worker([&] {
        try {
            c.master = measure_dynamics(master_o, fs);
            p_master = long_term_spectrum(master_o, frames, n);
        } catch (...) {
            failure = std::current_exception();
        }
    });
    try {
        c.mix = measure_dynamics(mix_o, fs);
        p_mix = long_term_spectrum(mix_o, frames, n);
    } catch (...) {
        worker.join();
        throw;
    }
    worker.join();
    if (failure) std::rethrow_exception(failure);

    if (!std::isfinite(c.mix.loudness_lufs) || !std::isfinite(c.master.loudness_lufs))
        throw Error("one of the two is too quiet to measure its loudness (below the -70 LUFS gate)");
    c.gain_match_db = c.master.loudness_lufs - c.mix.loudness_lufs;
    c.rms_match_db = c.master.rms_dbfs - c.mix.rms_dbfs;
    c.loudest_match_db = c.master.max_short_term_lufs - c.mix.max_short_term_lufs;
    const double bin_hz = fs / static_cast<double>(n);
    for (double fc : third_octave_centres(Hz(20.0), Hz(20000.0))) {
        if (fc * std::pow(2.0, 1.0 / 6.0) > fs / 2.0) break;
        c.bands.push_back(
            {fc, band_ratio_db(p_mix, p_master, fc * std::pow(2.0, -1.0 / 6.0), fc * std::pow(2.0, 1.0 / 6.0), bin_hz) -
                     c.gain_match_db});
    }
    for (double e = std::ceil(erb_number(20.0)); erb_frequency(e + 0.5) <= std::min(20000.0, fs / 2.0); e += 1.0)
        c.erb_bands.push_back(
            {erb_frequency(e),
             band_ratio_db(p_mix, p_master, erb_frequency(e - 0.5), erb_frequency(e + 0.5), bin_hz) - c.gain_match_db});
    c.width_known = mix_o.num_channels() >= 2 && master_o.num_channels() >= 2;
    if (c.width_known) c.width_diff_db = c.master.width_db - c.mix.width_db;
    if (c.overlap_s < 10.0)
        c.warnings.push_back("only " + fixed1(c.overlap_s) +
                             " s overlap: loudness range and the spectra say little about so short a stretch");
    c.summary = summary_of(c);
    return c;
}

}  // namespace roomcal::compare
