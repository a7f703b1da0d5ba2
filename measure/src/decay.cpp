// Octave-band decay analysis after ISO 3382-1. The band filter runs over the time-reversed
// IR (Jacobsen & Rindel 1987), so its own ringing lands before the sound instead of on
// the decay; Lundeby et al. (1995) find where the decay meets the noise, and the
// Schroeder integral, noise subtracted, stops there and is continued by the fitted line.
#include "roomcal/measure/decay.hpp"

#include <algorithm>
#include <cmath>
#include <complex>
#include <limits>
#include <numbers>

#include "roomcal/core/error.hpp"
#include "roomcal/core/format.hpp"

namespace roomcal::measure {
namespace {

constexpr double pi = std::numbers::pi;
constexpr double nan = std::numeric_limits<double>::quiet_NaN();
// Keeps log10 finite where a decay reaches exact zero.
constexpr double tiny_energy = 1e-300;
// ISO 3382-1: the evaluation range must end 10 dB above the noise floor.
constexpr double t30_range_db = 45.0;
// ISO's 35 dB minimum for T20 still lets the noise's own fluctuation move a single
// response's T20 by ±8 %; 5 dB more keeps the fallback within the ±5 % promised for T30.
constexpr double t20_fallback_range_db = 40.0;
constexpr double min_fit_correlation = 0.99;

double half_band_ratio() { return std::pow(10.0, 0.15); }

double upper_band_edge(double centre_hz) { return centre_hz * half_band_ratio(); }

// Analog section (b2 s² + b1 s + b0) / (s² + a1 s + a0) through s = k (1 - z⁻¹) / (1 + z⁻¹).
Biquad bilinear(double b2, double b1, double b0, double a1, double a0, double k) {
    const double k2 = k * k;
    const double d = k2 + a1 * k + a0;
    return {(b2 * k2 + b1 * k + b0) / d, 2.0 * (b0 - b2 * k2) / d, (b2 * k2 - b1 * k + b0) / d, 2.0 * (a0 - k2) / d,
            (k2 - a1 * k + a0) / d};
}

std::vector<double> filter_time_reversed(const std::vector<double>& x, const std::vector<Biquad>& sections) {
    std::vector<double> y(x.rbegin(), x.rend());
    for (const auto& q : sections) {
        double s1 = 0.0, s2 = 0.0;
        for (auto& v : y) {
            const double in = v;
            const double out = q.b0 * in + s1;
            s1 = q.b1 * in - q.a1 * out + s2;
            s2 = q.b2 * in - q.a2 * out;
            v = out;
        }
    }
    std::reverse(y.begin(), y.end());
    return y;
}

std::vector<double> squared(const std::vector<double>& x) {
    std::vector<double> e(x.size());
    for (std::size_t i = 0; i < x.size(); ++i) e[i] = x[i] * x[i];
    return e;
}

// ISO 3382-1 A.3.4: the sound starts where the squared IR first comes within 20 dB of its peak.
std::size_t onset_sample(const std::vector<double>& x) {
    double peak = 0.0;
    for (double v : x) peak = std::max(peak, v * v);
    if (!(peak > 0.0)) throw Error("the impulse response is silent: there is no decay to analyse");
    const double threshold = peak * 0.01;
    std::size_t i = 0;
    while (x[i] * x[i] < threshold) ++i;
    return i;
}

struct LineFit {
    double slope = nan;
    double intercept = nan;
    double r = nan;
    bool decays() const { return std::isfinite(slope) && slope < 0.0; }
};

// Least squares y = intercept + slope · x over n points given by x(i), y(i).
template <typename X, typename Y>
LineFit fit_line(std::size_t n, X x, Y y) {
    if (n < 3) return {};
    double mx = 0.0, my = 0.0;
    for (std::size_t i = 0; i < n; ++i) {
        mx += x(i);
        my += y(i);
    }
    mx /= static_cast<double>(n);
    my /= static_cast<double>(n);
    double sxx = 0.0, sxy = 0.0, syy = 0.0;
    for (std::size_t i = 0; i < n; ++i) {
        const double dx = x(i) - mx, dy = y(i) - my;
        sxx += dx * dx;
        sxy += dx * dy;
        syy += dy * dy;
    }
    if (!(sxx > 0.0)) return {};
    LineFit f;
    f.slope = sxy / sxx;
    f.intercept = my - f.slope * mx;
    f.r = syy > 0.0 ? sxy / std::sqrt(sxx * syy) : -1.0;
    return f;
}

// Mean energy per sample, in dB, over consecutive intervals from `begin`.
struct Envelope {
    std::vector<double> centre;  // sample index of each interval's middle
    std::vector<double> level_db;
};

Envelope envelope(const std::vector<double>& e, std::size_t begin, std::size_t interval) {
    Envelope env;
    for (std::size_t i = begin; i + interval <= e.size(); i += interval) {
        double sum = 0.0;
        for (std::size_t k = i; k < i + interval; ++k) sum += e[k];
        env.centre.push_back(static_cast<double>(i) + 0.5 * static_cast<double>(interval - 1));
        env.level_db.push_back(10.0 * std::log10(std::max(sum / static_cast<double>(interval), tiny_energy)));
    }
    return env;
}

// Fits the envelope from where it first falls below `top_db` (at or after its peak) to
// where it first falls below `bottom_db`.
LineFit fit_envelope(const Envelope& env, double top_db, double bottom_db) {
    const auto peak =
        static_cast<std::size_t>(std::max_element(env.level_db.begin(), env.level_db.end()) - env.level_db.begin());
    std::size_t first = peak;
    while (first < env.level_db.size() && env.level_db[first] > top_db) ++first;
    std::size_t last = first;
    while (last < env.level_db.size() && env.level_db[last] >= bottom_db) ++last;
    return fit_line(
        last - first, [&](std::size_t i) { return env.centre[first + i]; },
        [&](std::size_t i) { return env.level_db[first + i]; });
}

// Where the band's decay meets its noise floor (Lundeby et al. 1995), and the late
// decay line (dB per sample) that continues the Schroeder integral beyond that point.
struct NoiseCut {
    bool found = false;
    double cross = 0.0;  // sample index
    double noise_db = 0.0;
    LineFit late;
};

NoiseCut lundeby(const std::vector<double>& e, std::size_t onset, double fs) {
    const std::size_t end = e.size();
    const std::size_t last_tenth = std::max<std::size_t>((end - onset) / 10, 1);
    auto mean_db_from = [&](std::size_t from) {
        double sum = 0.0;
        for (std::size_t k = from; k < end; ++k) sum += e[k];
        return 10.0 * std::log10(std::max(sum / static_cast<double>(end - from), tiny_energy));
    };
    NoiseCut cut;
    cut.noise_db = mean_db_from(end - last_tenth);
    // First pass: 10 ms intervals, from the peak down to 10 dB above the noise.
    std::size_t interval = std::max<std::size_t>(static_cast<std::size_t>(0.01 * fs), 1);
    LineFit line =
        fit_envelope(envelope(e, onset, interval), std::numeric_limits<double>::infinity(), cut.noise_db + 10.0);
    if (!line.decays()) return cut;
    cut.found = true;
    cut.late = line;
    cut.cross = (cut.noise_db - line.intercept) / line.slope;
    for (int iteration = 0; iteration < 5; ++iteration) {
        // Five intervals per 10 dB of decay: fine enough to follow it, coarse enough to
        // average the noise.
        const double per_10db = -10.0 / cut.late.slope;
        interval = std::max<std::size_t>(static_cast<std::size_t>(per_10db / 5.0), 1);
        // Noise from 10 dB of decay past the crossing point, but over at least the last tenth.
        const double noise_from = std::min(cut.cross + per_10db, static_cast<double>(end - last_tenth));
        cut.noise_db = mean_db_from(static_cast<std::size_t>(std::max(noise_from, static_cast<double>(onset))));
        // The late decay over 20 dB, from 30 down to 10 dB above the noise.
        line = fit_envelope(envelope(e, onset, interval), cut.noise_db + 30.0, cut.noise_db + 10.0);
        if (!line.decays()) break;
        const double cross = (cut.noise_db - line.intercept) / line.slope;
        const bool settled = std::abs(cross - cut.cross) < static_cast<double>(interval);
        cut.late = line;
        cut.cross = cross;
        if (settled) break;
    }
    cut.cross = std::clamp(cut.cross, static_cast<double>(onset), static_cast<double>(end));
    return cut;
}

// Backward-integrated energy, truncated at the crossing point and continued by the
// energy the fitted decay line would still hold past it (Lundeby's compensation). The
// noise floor is subtracted before the crossing point too: left in, it lifts the last
// 10–15 dB above the noise and lengthens T20 and T30 (Chu 1978).
std::vector<double> schroeder_energy(const std::vector<double>& e, const NoiseCut& cut) {
    std::vector<double> s(e.size());
    double acc = 0.0;
    double noise = 0.0;
    std::size_t cross = e.size();
    if (cut.found) {
        noise = std::pow(10.0, cut.noise_db / 10.0);
        cross = static_cast<std::size_t>(cut.cross);
        const double per_sample_ratio = std::pow(10.0, cut.late.slope / 10.0);
        auto line_tail = [&](std::size_t n) {
            return std::pow(10.0, (cut.late.intercept + cut.late.slope * static_cast<double>(n)) / 10.0) /
                   (1.0 - per_sample_ratio);
        };
        for (std::size_t n = cross; n < e.size(); ++n) s[n] = line_tail(n);
        acc = line_tail(cross);
    }
    for (std::size_t n = cross; n-- > 0;) {
        acc += e[n] - noise;
        s[n] = acc;
    }
    return s;
}

std::vector<double> to_db_re(const std::vector<double>& s, std::size_t onset) {
    std::vector<double> db(s.size());
    const double ref = std::max(s[onset], tiny_energy);
    for (std::size_t i = 0; i < s.size(); ++i) db[i] = 10.0 * std::log10(std::max(s[i], tiny_energy) / ref);
    return db;
}

// Regression of the decay curve between its first crossings of `top_db` and `bottom_db`.
LineFit fit_decay(const std::vector<double>& curve_db, std::size_t onset, double top_db, double bottom_db) {
    std::size_t first = onset;
    while (first < curve_db.size() && curve_db[first] > top_db) ++first;
    std::size_t last = first;
    while (last < curve_db.size() && curve_db[last] > bottom_db) ++last;
    if (last == curve_db.size()) return {};
    return fit_line(
        last - first + 1, [&](std::size_t i) { return static_cast<double>(first + i); },
        [&](std::size_t i) { return curve_db[first + i]; });
}

double decay_time(const LineFit& f, double fs) { return f.decays() ? -60.0 / (f.slope * fs) : nan; }

struct BandDecay {
    std::vector<double> curve_db;
    NoiseCut cut;
};

BandDecay analyse_band(const ImpulseResponse& ir, std::size_t onset, double centre_hz) {
    const auto band =
        centre_hz != 0.0 ? filter_time_reversed(ir.samples, octave_band_filter(centre_hz, ir.sample_rate)) : ir.samples;
    const auto e = squared(band);
    BandDecay d;
    d.cut = lundeby(e, onset, ir.sample_rate.value);
    d.curve_db = to_db_re(schroeder_energy(e, d.cut), onset);
    return d;
}

std::string reliability_note(const DecayResult& r) {
    if (!std::isfinite(r.t30_s) && !std::isfinite(r.t20_s))
        return "no usable decay: the band does not fall 35 dB before the response ends or meets the noise; "
               "measure louder, longer or in a quieter room";
    std::string note = "T30 unreliable: ";
    if (r.dynamic_range_db < t30_range_db)
        note +=
            "the decay is only " + fmt(r.dynamic_range_db, 3) + " dB above the noise floor (ISO 3382-1 needs 45 dB)";
    else
        note += "its regression fits poorly (r = " + fmt(r.t30_r, 3) + "), the decay is not a single slope";
    if (std::isfinite(r.rt60_s())) return note + "; T20 is usable";
    if (r.dynamic_range_db < t20_fallback_range_db)
        return note + "; T20 is not reliable either: measure louder, longer or in a quieter room";
    return note +
           "; T20 fits poorly too: the decay bends (coupled spaces or a few strong modes), so no single "
           "RT60 describes it";
}

}  // namespace

double DecayResult::rt60_s() const {
    if (reliable) return t30_s;
    if (std::isfinite(t20_s) && dynamic_range_db >= t20_fallback_range_db && std::abs(t20_r) >= min_fit_correlation)
        return t20_s;
    return nan;
}

std::vector<Biquad> octave_band_filter(double centre_hz, Hz rate) {
    const double fs = rate.value;
    if (!(centre_hz > 0.0) || !std::isfinite(centre_hz))
        throw UsageError("octave band centre " + fmt(centre_hz) + " Hz is not a positive frequency");
    if (!(upper_band_edge(centre_hz) < fs / 2.0))
        throw UsageError("the octave band at " + fmt(centre_hz) + " Hz reaches " + fmt(upper_band_edge(centre_hz), 4) +
                         " Hz, above Nyquist (" + fmt(fs / 2.0) + " Hz); use a lower band or a higher sample rate");
    // Band-pass from the third-order Butterworth low-pass prototype: each prototype pole p
    // becomes the roots of s² − p·B·s + ω0², with both band edges prewarped.
    const double k = 2.0 * fs;
    const double w1 = k * std::tan(pi * centre_hz / half_band_ratio() / fs);
    const double w2 = k * std::tan(pi * upper_band_edge(centre_hz) / fs);
    const double w0_sq = w1 * w2, bw = w2 - w1;
    std::vector<Biquad> sections{bilinear(0.0, bw, 0.0, bw, w0_sq, k)};
    const std::complex<double> p(-0.5, std::sqrt(3.0) / 2.0);
    const auto root = std::sqrt(p * p * bw * bw - 4.0 * w0_sq);
    for (const auto& s : {(p * bw + root) / 2.0, (p * bw - root) / 2.0})
        sections.push_back(bilinear(0.0, bw, 0.0, -2.0 * s.real(), std::norm(s), k));
    std::complex<double> h = 1.0;
    for (const auto& q : sections) h *= q.response(Hz(centre_hz), rate);
    const double g = 1.0 / std::abs(h);
    sections[0].b0 *= g;
    sections[0].b1 *= g;
    sections[0].b2 *= g;
    return sections;
}

std::vector<DecayResult> decay_times(const ImpulseResponse& ir, const std::vector<double>& octave_centres) {
    ir.validate("impulse response for decay analysis");
    const std::size_t onset = onset_sample(ir.samples);
    const double fs = ir.sample_rate.value;
    std::vector<DecayResult> results;
    for (double centre : octave_centres) {
        DecayResult r;
        r.centre_hz = centre;
        r.edt_s = r.t20_s = r.t30_s = r.t20_r = r.t30_r = nan;
        if (centre > 0.0 && !(upper_band_edge(centre) < fs / 2.0)) {
            r.note = "band reaches above Nyquist (" + fmt(fs / 2.0) + " Hz): the IR's sample rate is too low for it";
            results.push_back(r);
            continue;
        }
        const auto band = analyse_band(ir, onset, centre);
        const auto edt = fit_decay(band.curve_db, onset, 0.0, -10.0);
        const auto t20 = fit_decay(band.curve_db, onset, -5.0, -25.0);
        const auto t30 = fit_decay(band.curve_db, onset, -5.0, -35.0);
        r.edt_s = decay_time(edt, fs);
        r.t20_s = decay_time(t20, fs);
        r.t30_s = decay_time(t30, fs);
        r.t20_r = t20.r;
        r.t30_r = t30.r;
        r.dynamic_range_db = band.cut.found ? band.cut.late.intercept +
                                                  band.cut.late.slope * static_cast<double>(onset) - band.cut.noise_db
                                            : 0.0;
        r.reliable =
            std::isfinite(r.t30_s) && r.dynamic_range_db >= t30_range_db && std::abs(r.t30_r) >= min_fit_correlation;
        if (!r.reliable) r.note = reliability_note(r);
        results.push_back(r);
    }
    return results;
}

std::vector<double> schroeder_curve_db(const ImpulseResponse& ir, double centre_hz) {
    ir.validate("impulse response for the decay curve");
    return analyse_band(ir, onset_sample(ir.samples), centre_hz).curve_db;
}

}  // namespace roomcal::measure
