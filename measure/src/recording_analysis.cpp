// Sweep-recording analysis: checks, timing, drift, deconvolution, distortion, decay.
#include "roomcal/measure/recording_analysis.hpp"

#include <algorithm>
#include <cmath>
#include <complex>

#include "roomcal/core/error.hpp"
#include "roomcal/core/format.hpp"
#include "roomcal/dsp/fft.hpp"
#include "roomcal/measure/deconvolve.hpp"
#include "roomcal/measure/drift.hpp"

namespace roomcal::measure {
namespace {

constexpr double full_scale = 0.999;    // a sample this large has met the converter's limit
constexpr double silent_dbfs = -100.0;  // below this nothing was recorded at all
constexpr double too_quiet_dbfs = -60.0;
constexpr double min_mid_snr_db = 20.0;  // median over 250 Hz–4 kHz below this: refuse
constexpr double warn_snr_db = 35.0;

std::vector<double> channel_copy(AudioView<const double> rec, std::size_t c) {
    const auto ch = rec.channel(c);
    return {ch.begin(), ch.end()};
}

// Runs of at least three consecutive samples at full scale: one lone full-scale sample
// can be a legitimate peak, a run cannot.
std::size_t clipped_samples(const std::vector<double>& x) {
    std::size_t clipped = 0, run = 0;
    for (double v : x) {
        run = std::abs(v) >= full_scale ? run + 1 : 0;
        if (run == 3)
            clipped += 3;
        else if (run > 3)
            ++clipped;
    }
    return clipped;
}

// Power per octave band (FFT mask over [f/√2, f·√2)) of a stretch of samples, per sample.
std::vector<double> octave_band_power(std::span<const double> x, double fs, const std::vector<double>& centres) {
    std::vector<double> p(centres.size(), 0.0);
    if (x.empty()) return p;
    const std::size_t n = dsp::next_fast_size(x.size());
    const auto s = dsp::rfft(x, n);
    for (std::size_t k = 1; k < s.size(); ++k) {
        const double f = static_cast<double>(k) * fs / static_cast<double>(n);
        for (std::size_t b = 0; b < centres.size(); ++b)
            if (f >= centres[b] / std::sqrt(2.0) && f < centres[b] * std::sqrt(2.0)) p[b] += 2.0 * std::norm(s[k]);
    }
    for (auto& v : p) v /= static_cast<double>(n) * static_cast<double>(x.size());
    return p;
}

// Ratio of the largest |h| to the largest |h| farther than `guard` samples from it:
// how unambiguous a timing peak is, mapped to 0..1.
double peak_clarity(const std::vector<double>& h, std::size_t from, std::size_t to, double peak, std::size_t guard) {
    double main = 0.0, other = 0.0;
    for (std::size_t i = from; i < std::min(to, h.size()); ++i) {
        const bool near = std::abs(static_cast<double>(i) - peak) <= static_cast<double>(guard);
        double& slot = near ? main : other;
        slot = std::max(slot, std::abs(h[i]));
    }
    return main > 0.0 ? std::clamp(1.0 - other / main, 0.0, 1.0) : 0.0;
}

// Power of a spectrum's bins within [lo, hi) Hz, averaged.
double band_power(const std::vector<std::complex<double>>& s, double fs, std::size_t n, double lo, double hi) {
    double sum = 0.0;
    int count = 0;
    const auto k_lo = static_cast<std::size_t>(std::ceil(lo * static_cast<double>(n) / fs));
    const auto k_hi = static_cast<std::size_t>(std::floor(hi * static_cast<double>(n) / fs));
    for (std::size_t k = std::max<std::size_t>(k_lo, 1); k <= k_hi && k < s.size(); ++k, ++count)
        sum += std::norm(s[k]);
    return count ? sum / count : 0.0;
}

std::vector<DistortionPoint> harmonic_distortion(const Deconvolution& d, double arrival, const Sweep& sweep,
                                                 int max_harmonic) {
    const double fs = sweep.spec.sample_rate.value;
    // Even harmonics of a sine come out in quadrature (sin² = (1 − cos 2φ)/2), so their
    // responses are two-sided, Hilbert-like pulses: the window needs as much time before
    // the arrival as low frequencies need, within the gap to the neighbouring harmonics.
    const auto span = static_cast<double>(d.harmonic_span(max_harmonic + 1));
    const auto pre = static_cast<std::size_t>(std::min(0.3 * span, 0.025 * fs));
    const std::size_t window = pre + static_cast<std::size_t>(std::min(0.6 * span, 0.1 * fs));
    const std::size_t n = dsp::next_fast_size(std::max<std::size_t>(window * 2, 8192));
    const auto fundamental = dsp::rfft(d.linear(std::lround(arrival) - static_cast<long>(pre), window), n);
    std::vector<std::vector<std::complex<double>>> harmonics;
    for (int k = 2; k <= max_harmonic; ++k) harmonics.push_back(dsp::rfft(d.harmonic(k, arrival, pre, window), n));

    std::vector<DistortionPoint> points;
    const double lo = std::max(20.0, sweep.spec.start.value * 2.0);
    const double hi = sweep.spec.end.value / 2.0;
    const double third = std::pow(2.0, 1.0 / 6.0);  // ±1/6 octave: third-octave bands
    for (double f = lo; f <= hi; f *= std::pow(2.0, 1.0 / 12.0)) {
        const double p1 = band_power(fundamental, fs, n, f / third, f * third);
        if (p1 <= 0.0) continue;
        DistortionPoint pt;
        pt.frequency_hz = f;
        double sum = 0.0;
        for (int k = 2; k <= max_harmonic; ++k) {
            if (k * f > sweep.spec.end.value) break;
            const double pk =
                band_power(harmonics[static_cast<std::size_t>(k - 2)], fs, n, k * f / third, k * f * third);
            pt.harmonic_db.push_back(power_to_db(pk / p1));
            sum += pk;
        }
        pt.thd_percent = 100.0 * std::sqrt(sum / p1);
        points.push_back(std::move(pt));
    }
    return points;
}

}  // namespace

const char* to_string(TimingSource t) {
    switch (t) {
        case TimingSource::loopback:
            return "loopback";
        case TimingSource::acoustic_marker:
            return "acoustic timing marker";
        case TimingSource::direct_sound:
            return "direct sound";
    }
    return "?";
}

RecordingAnalysis analyze_recording(AudioView<const double> recording, const Sweep& sweep,
                                    const AnalysisOptions& options) {
    const double fs = sweep.spec.sample_rate.value;
    const std::size_t nch = recording.num_channels();
    if (options.mic_channel >= nch)
        throw UsageError("the recording has " + std::to_string(nch) + " channel(s); there is no mic channel " +
                         std::to_string(options.mic_channel + 1));
    if (options.loopback_channel &&
        (*options.loopback_channel >= nch || *options.loopback_channel == options.mic_channel))
        throw UsageError("the recording has " + std::to_string(nch) + " channel(s); loopback channel " +
                         std::to_string(*options.loopback_channel + 1) +
                         " must be another channel than the mic's; record both inputs or drop the loopback option");
    const std::size_t needed =
        sweep.has_markers() ? sweep.marker_offsets[1] + sweep.marker.size() : sweep.sweep_offset + sweep.sweep_samples;
    if (recording.num_frames() < needed)
        throw Error("the recording is truncated: it lasts " + fmt(static_cast<double>(recording.num_frames()) / fs, 3) +
                    " s but the sweep file plays for " + fmt(static_cast<double>(needed) / fs, 3) +
                    " s; record for the whole sweep file and analyse again");

    RecordingAnalysis out;
    auto mic = channel_copy(recording, options.mic_channel);
    double peak = 0.0;
    for (double v : mic) peak = std::max(peak, std::abs(v));
    out.peak_dbfs = peak > 0 ? gain_to_db(peak) : -400.0;
    const std::string which = "mic channel " + std::to_string(options.mic_channel + 1);
    if (out.peak_dbfs < silent_dbfs)
        throw Error("the recording is silent on " + which +
                    ": check the mic cable and phantom power, the input channel, and that the sweep played");
    if (const auto clipped = clipped_samples(mic); clipped > 0)
        throw Error("the recording clips on " + which + " (" + std::to_string(clipped) +
                    " samples at full scale): lower the input gain or the sweep level by 6 dB and measure again");
    if (out.peak_dbfs < too_quiet_dbfs)
        throw Error("the recording is too quiet on " + which + " (peak " + fmt(out.peak_dbfs, 3) +
                    " dBFS): raise the input gain, or the sweep level with --level, and measure again");
    if (out.peak_dbfs > -3.0)
        out.warnings.push_back("the recording peaks at " + fmt(out.peak_dbfs, 3) +
                               " dBFS, under 3 dB from clipping: lower the input gain a little");

    std::vector<double> loop;
    if (options.loopback_channel) loop = channel_copy(recording, *options.loopback_channel);

    // Clock drift from the markers; compensation resamples every channel we use.
    std::optional<MarkerTiming> markers = measure_marker_timing(mic, sweep);
    if (markers) {
        out.drift_ppm = markers->drift_ppm;
        if (options.compensate_drift && std::abs(markers->drift_ppm) > 0.2) {
            mic = compensate_drift(mic, markers->drift_ppm);
            if (!loop.empty()) loop = compensate_drift(loop, markers->drift_ppm);
            markers = measure_marker_timing(mic, sweep);
            if (std::abs(*out.drift_ppm) > 2.0)
                out.warnings.push_back("the recording clock runs " + fmt(*out.drift_ppm, 3) +
                                       " ppm off the playback clock (separate devices?); compensated");
        } else if (!options.compensate_drift && std::abs(markers->drift_ppm) > 2.0) {
            out.warnings.push_back("clock drift of " + fmt(markers->drift_ppm, 3) +
                                   " ppm was measured but not compensated: high frequencies will read low");
        }
    }

    const std::size_t seg_end = std::min(mic.size(), sweep.has_markers() ? sweep.marker_offsets[1] : mic.size());
    const std::span<const double> mic_segment(mic.data() + sweep.sweep_offset, seg_end - sweep.sweep_offset);
    const auto d = deconvolve(mic_segment, sweep);
    const std::size_t positive = mic_segment.size() - sweep.sweep_samples;  // lags the recording holds after the sweep
    const auto guard = static_cast<std::size_t>(0.002 * fs);

    // t0: the timing reference, as a lag of the deconvolved response.
    double t0 = 0.0;
    if (!loop.empty()) {
        const std::span<const double> loop_segment(loop.data() + sweep.sweep_offset,
                                                   std::min(loop.size(), seg_end) - sweep.sweep_offset);
        const auto dl = deconvolve(loop_segment, sweep);
        t0 = peak_lag(dl.h, 0, positive);
        out.timing = TimingSource::loopback;
        out.timing_confidence = peak_clarity(dl.h, 0, positive, t0, guard);
        out.latency_samples = t0;
        if (out.timing_confidence < 0.5)
            out.warnings.push_back("the loopback channel shows no clear impulse: is the wire on input " +
                                   std::to_string(*options.loopback_channel + 1) + "?");
    } else if (markers) {
        t0 = markers->first_arrival - static_cast<double>(sweep.marker_offsets[0]);
        out.timing = TimingSource::acoustic_marker;
        out.timing_confidence = std::clamp(markers->correlation, 0.0, 1.0);
        out.latency_samples = t0;
    } else {
        t0 = peak_lag(d.h, 0, positive);
        out.timing = TimingSource::direct_sound;
        out.timing_confidence = peak_clarity(d.h, 0, positive, t0, guard);
        out.latency_samples = t0;
    }

    const auto pre = static_cast<long>(std::llround(options.pre_reference.value * fs));
    const long start = std::lround(t0) - pre;
    const auto available = static_cast<long>(positive) - std::max(0L, start);
    if (available < static_cast<long>(0.1 * fs))
        throw Error("the recording holds too little after the sweep (" + fmt(static_cast<double>(available) / fs, 3) +
                    " s) for the room's response; use a sweep with a longer silence after it");
    std::size_t ir_len = static_cast<std::size_t>(available);
    if (options.ir_length) ir_len = std::min(ir_len, static_cast<std::size_t>(options.ir_length->value * fs));

    ImpulseResponse& ir = out.impulse_response;
    ir.samples = d.linear(start, ir_len);
    ir.sample_rate = sweep.spec.sample_rate;
    const auto from = static_cast<std::size_t>(std::max(0L, start));
    const double arrival_lag = peak_lag(d.h, from, from + ir_len);
    ir.reference_sample = arrival_lag - static_cast<double>(start);
    out.arrival_samples = arrival_lag - t0;

    // Noise: the deconvolved result between the response's end and the highest harmonic.
    const double advance = d.rate_l * std::log(static_cast<double>(options.max_harmonic)) * fs;
    const auto noise_from = static_cast<std::size_t>(std::max(0L, start)) + ir_len;
    const auto noise_to =
        static_cast<std::size_t>(std::max(0.0, static_cast<double>(d.h.size()) - advance - 0.05 * fs));
    const auto& centres = default_octave_centres_hz;
    if (noise_to > noise_from + static_cast<std::size_t>(0.05 * fs)) {
        const std::span<const double> noise(d.h.data() + noise_from, noise_to - noise_from);
        const auto pn = octave_band_power(noise, fs, centres);
        const auto ps = octave_band_power(ir.samples, fs, centres);
        double total_noise = 0.0;
        for (double v : noise) total_noise += v * v;
        total_noise /= static_cast<double>(noise.size());
        double ir_peak = 0.0;
        for (double v : ir.samples) ir_peak = std::max(ir_peak, std::abs(v));
        out.noise_floor_db = power_to_db(total_noise / (ir_peak * ir_peak));
        std::vector<double> mid;
        for (std::size_t b = 0; b < centres.size(); ++b) {
            if (centres[b] * std::sqrt(2.0) < sweep.spec.start.value ||
                centres[b] / std::sqrt(2.0) > sweep.spec.end.value)
                continue;
            // Energy of the response within its window against the noise's over the same window.
            const double snr = pn[b] > 0 ? power_to_db(ps[b] / pn[b]) : 200.0;
            out.snr_db.push_back({centres[b], snr});
            if (centres[b] >= 250 && centres[b] <= 4000) mid.push_back(snr);
        }
        std::sort(mid.begin(), mid.end());
        const double median = mid.empty() ? 200.0 : mid[mid.size() / 2];
        if (median < min_mid_snr_db)
            throw Error("the recording is too quiet against the noise on " + which + " (median SNR " + fmt(median, 3) +
                        " dB over 250 Hz–4 kHz): raise the level, quiet the room, or use more sweeps");
        for (const auto& b : out.snr_db)
            if (b.value < warn_snr_db)
                out.warnings.push_back("low SNR in the " + fmt(b.centre_hz, 4) + " Hz band (" + fmt(b.value, 3) +
                                       " dB): raise the level or average more sweeps");
    }

    out.distortion = harmonic_distortion(d, arrival_lag, sweep, options.max_harmonic);
    out.decay = decay_times(ir);
    for (const auto& b : out.decay)
        if (!b.reliable && b.centre_hz >= 125 && b.centre_hz <= 4000 && !b.note.empty())
            out.warnings.push_back("decay at " + fmt(b.centre_hz, 4) + " Hz: " + b.note);
    if (out.timing_confidence < 0.3)
        out.warnings.push_back(std::string("timing from the ") + to_string(out.timing) +
                               " is uncertain: use a loopback wire or an acoustic timing reference");
    return out;
}

}  // namespace roomcal::measure
