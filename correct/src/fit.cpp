// The fit: per channel target, confidence, parametric and/or FIR design per rate; then
// channel matching and headroom across the channels.
#include "roomcal/correct/fit.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <numbers>
#include <sstream>

#include "roomcal/core/error.hpp"
#include "roomcal/core/format.hpp"
#include "roomcal/dsp/biquad_design.hpp"
#include "roomcal/measure/averaging.hpp"
#include "roomcal/measure/smoothing.hpp"

namespace roomcal::correct {
namespace {

using measure::Smoothing;
using measure::SmoothingKind;

std::vector<double> smoothed(const std::vector<double>& grid, const std::vector<double>& db, Smoothing s) {
    return measure::smooth(FrequencyResponse{grid, db, {}}, s).magnitude_db;
}

// 0 below low/√2, 1 from low to high/√2, 0 from high on; raised-cosine in log-frequency between.
double range_fade(double f, double low, double high) {
    auto ramp = [](double x) { return 0.5 - 0.5 * std::cos(std::numbers::pi * std::clamp(x, 0.0, 1.0)); };
    double w = 1.0;
    if (f < low) w *= ramp(2.0 * std::log2(f * std::sqrt(2.0) / low));
    if (f > high / std::sqrt(2.0)) w *= 1.0 - ramp(2.0 * std::log2(f * std::sqrt(2.0) / high));
    return w;
}

// The correction asked for. Cuts follow the fine (variable-smoothed) average, so a
// modal peak is cut where it is; boosts go no further than the third-octave level (a
// narrow null is never chased), through the regularised inverse (Kirkeby et al. 1998)
// whose soft knee approaches the boost limit, scaled by the positions' agreement, and
// never into a deep or moving null or above the cut-only frequency.
std::vector<double> asked_correction(const std::vector<double>& grid, const std::vector<double>& fine_wanted_db,
                                     const std::vector<double>& broad_wanted_db, const Confidence& c,
                                     const FitOptions& o) {
    const double boost = std::pow(10.0, o.peq.max_boost_db / 20.0);
    const double eps = 1.0 / (16.0 * boost * boost);
    auto knee = [&](double wanted_db) {
        const double r = std::pow(10.0, -wanted_db / 20.0);
        return 20.0 * std::log10((1.0 + eps) * r / (r * r + eps));
    };
    std::vector<double> out(grid.size());
    for (std::size_t i = 0; i < grid.size(); ++i) {
        const bool may_boost = !c.no_boost[i] && !(o.cut_only_above.value > 0.0 && grid[i] > o.cut_only_above.value);
        const double cap = may_boost ? std::max(0.0, knee(broad_wanted_db[i])) * c.weight[i] : 0.0;
        out[i] = std::clamp(std::min(knee(fine_wanted_db[i]), cap), -o.peq.max_cut_db, o.peq.max_boost_db);
    }
    return out;
}

// The FIR's share: what the parametric filters left of the asked correction, nothing
// outside the corrected range, corners rounded over 1/24 octave so they do not ring.
std::vector<double> fir_curve(const std::vector<double>& grid, const std::vector<double>& asked_db,
                              const std::vector<double>& peq_db, const FitOptions& o, double low, double high) {
    std::vector<double> out(grid.size());
    for (std::size_t i = 0; i < grid.size(); ++i)
        out[i] =
            std::clamp(asked_db[i] - peq_db[i], -o.peq.max_cut_db, o.peq.max_boost_db) * range_fade(grid[i], low, high);
    out = smoothed(grid, out, {SmoothingKind::fractional_octave, 24});
    for (auto& v : out) v = std::min(v, o.peq.max_boost_db);
    return out;
}

std::size_t taps_for(std::size_t at_48k, double rate) {
    auto n = static_cast<std::size_t>(std::llround(static_cast<double>(at_48k) * rate / 48000.0));
    return n + (n % 2);
}

void check(const Room& room, const FitOptions& o) {
    if (o.rates.empty()) throw UsageError("no sample rate to design for");
    for (double r : o.rates)
        if (!(r >= 8000.0 && r <= 384000.0)) throw UsageError("sample rate " + fmt(r) + " Hz is outside 8–384 kHz");
    if (o.taps_at_48k < 256 || o.taps_at_48k > 262144) throw UsageError("--taps must lie in 256–262144");
    if (!(o.limiter_headroom_db >= 0.0 && o.limiter_headroom_db <= 12.0))
        throw UsageError("limiter headroom must lie in 0–12 dB");
    if (o.range && !(o.range->first.value >= 10.0 && o.range->first.value < o.range->second.value &&
                     o.range->second.value <= 20000.0))
        throw UsageError("--range must be LO-HI with 10 <= LO < HI <= 20000 Hz");
    bool any = false;
    double rate = 0.0;
    std::string first;
    for (const auto& ch : room.channels)
        for (const auto& m : ch.measurements) {
            any = true;
            if (!m.has_impulse_response()) continue;
            const std::string where = "channel " + ch.name + " position " + std::to_string(m.position);
            if (rate == 0.0) {
                rate = m.impulse_response.sample_rate.value;
                first = where;
            } else if (std::abs(m.impulse_response.sample_rate.value - rate) > 0.5) {
                throw Error("room " + room.name + " mixes sample rates: " + first + " was measured at " + fmt(rate) +
                            " Hz, " + where + " at " + fmt(m.impulse_response.sample_rate.value) +
                            " Hz; measure (or import) every position at one rate");
            }
        }
    if (!any) throw Error("room " + room.name + " has no measurements; measure or import before fitting");
}

}  // namespace

const char* mode_name(FitMode m) {
    switch (m) {
        case FitMode::parametric:
            return "parametric";
        case FitMode::fir:
            return "fir";
        case FitMode::mixed:
            return "mixed";
    }
    return "?";
}

TargetCurve target_for(const Room& room, const FitOptions& o, const std::string& channel) {
    if (auto it = o.targets.find(channel); it != o.targets.end()) return it->second;
    if (auto it = o.targets.find("*"); it != o.targets.end()) return it->second;
    if (const RoomTarget* rt = room.target_for(channel)) {
        if (rt->curve.size() > 0) {
            TargetCurve t;
            t.custom = rt->curve;
            t.custom_source = rt->spec;
            return t;
        }
        return parse_target(rt->spec);
    }
    return {};
}

FitResult fit_room(const Room& room, const FitOptions& o) {
    const auto start = std::chrono::steady_clock::now();
    check(room, o);
    const auto& grid = analysis_grid();
    const double design_rate =
        std::find(o.rates.begin(), o.rates.end(), 48000.0) != o.rates.end() ? 48000.0 : o.rates.front();
    FitResult res;
    std::vector<ChannelData> datas;
    std::vector<std::vector<ChannelFilter>> per_rate(o.rates.size());
    // Each realised filter's largest gain up to Nyquist; later gain changes shift it by
    // as many dB, so the headroom needs no second look at the responses.
    std::vector<std::vector<double>> peak_db(o.rates.size());
    std::vector<double> fir_latency(o.rates.size(), 0.0);

    for (const auto& ch : room.channels) {
        if (ch.measurements.empty()) continue;
        ChannelData data = channel_data(room, ch.name, o.positions);
        ChannelFit cf;
        cf.channel = ch.name;
        const auto& avg = data.summary.rms_average.magnitude_db;
        std::vector<std::vector<double>> positions_db;
        for (const auto& r : data.responses) positions_db.push_back(r.magnitude_db);
        cf.confidence = assess_confidence(grid, positions_db);
        if (!cf.confidence.note.empty()) res.warnings.push_back("channel " + ch.name + ": " + cf.confidence.note);
        cf.target = target_for(room, o, ch.name);

        const auto third = smoothed(grid, avg, {SmoothingKind::fractional_octave, 3});
        cf.low_limit = cf.target.low_limit.value > 0.0 ? cf.target.low_limit : find_low_rolloff(grid, third);
        cf.high_limit = cf.target.high_limit;
        const auto range = o.range.value_or(o.mode == FitMode::parametric ? std::pair{o.peq.low, o.peq.high}
                                                                          : std::pair{20_Hz, 20_kHz});
        const double lo = std::max(range.first.value, cf.low_limit.value);
        const double hi = std::min(range.second.value, cf.high_limit.value);
        if (hi < lo * 1.5)
            throw UsageError("channel " + ch.name + ": nothing left to correct between " + fmt(lo) + " and " + fmt(hi) +
                             " Hz (the speaker's roll-off is at " + fmt(cf.low_limit.value) +
                             " Hz); widen --range or set the target's low limit");
        cf.target.low_limit = cf.low_limit;  // the target follows the speaker's roll-off
        cf.low_limit = Hz(lo);
        cf.high_limit = Hz(hi);

        auto target_db = cf.target.level_db(grid);
        const double offset = target_offset_db(grid, third, target_db);
        for (auto& t : target_db) t += offset;

        const auto var = smoothed(grid, avg, {SmoothingKind::variable, 0});
        std::vector<double> fine(grid.size()), broad(grid.size());
        for (std::size_t i = 0; i < grid.size(); ++i) {
            fine[i] = target_db[i] - var[i];
            broad[i] = target_db[i] - cf.confidence.level_db[i];
        }
        const auto asked = asked_correction(grid, fine, broad, cf.confidence, o);

        // Parametric part (parametric and mixed modes).
        std::vector<double> peq_db(grid.size(), 0.0);
        if (o.mode != FitMode::fir) {
            PeqProblem pr;
            pr.grid_hz = grid;
            pr.sample_rate = Hz(design_rate);
            pr.weight.assign(grid.size(), 1.0);
            pr.no_boost = cf.confidence.no_boost;
            for (std::size_t i = 0; i < grid.size(); ++i) {
                pr.error_db.push_back(-asked[i]);
                if (o.cut_only_above.value > 0.0 && grid[i] > o.cut_only_above.value) pr.no_boost[i] = 1;
            }
            PeqLimits l = o.peq;
            const double peq_hi = o.mode == FitMode::mixed ? std::min(hi, 500.0) : hi;
            l.low = Hz(lo);
            l.high = Hz(std::max(peq_hi, lo * 1.5));
            const auto fit = fit_parametric(pr, l);
            cf.parametric = fit.filters;
            peq_db = parametric_db(cf.parametric, Hz(design_rate), grid);
        }
        // FIR part (fir and mixed modes): what the parametric filters left.
        std::vector<double> fir_wanted(grid.size(), 0.0);
        if (o.mode != FitMode::parametric) fir_wanted = fir_curve(grid, asked, peq_db, o, lo, hi);
        cf.wanted_db.resize(grid.size());
        for (std::size_t i = 0; i < grid.size(); ++i) cf.wanted_db[i] = peq_db[i] + fir_wanted[i];

        // Realise at every rate.
        std::vector<double> fir_grid{5.0}, fir_db_curve{0.0};
        fir_grid.insert(fir_grid.end(), grid.begin(), grid.end());
        fir_db_curve.insert(fir_db_curve.end(), fir_wanted.begin(), fir_wanted.end());
        for (std::size_t r = 0; r < o.rates.size(); ++r) {
            const Hz rate(o.rates[r]);
            ChannelFilter f;
            f.channel = ch.name;
            f.parametric = cf.parametric;
            f.biquads = dsp::design_biquads(cf.parametric, rate);
            if (o.mode != FitMode::parametric) {
                FirOptions fo;
                fo.taps = taps_for(o.taps_at_48k, rate.value);
                fo.phase = o.phase;
                fo.sample_rate = rate;
                fo.max_boost_db = o.peq.max_boost_db;
                fo.pre_ringing_bound_db = o.pre_ringing_bound_db;
                const auto d =
                    design_fir(fir_grid, fir_db_curve, fo, data.listening_ir ? &*data.listening_ir : nullptr);
                f.fir = d.taps;
                fir_latency[r] = d.latency_samples;
                if (rate.value == design_rate) {
                    cf.fir_taps = d.taps.size();
                    cf.pre_ringing_db = d.pre_ringing_db;
                    if (o.phase == FirPhase::mixed && d.excess_phase_upto.value <= 0.0)
                        res.warnings.push_back(
                            "channel " + ch.name + ": its excess-phase correction would ring before the sound (above " +
                            fmt(o.pre_ringing_bound_db) +
                            " dB) even when limited to the lowest bass; it is left out, so this channel's "
                            "correction is minimum phase, delayed to match the others");
                }
            }
            // The boost limit holds for the whole realised correction.
            const auto dense = log_frequency_grid(Hz(10.0), Hz(rate.value * 0.499), 96);
            const auto c = correction_db(f, rate, dense);
            double peak = *std::max_element(c.begin(), c.end());
            if (peak > o.peq.max_boost_db) {
                const double excess = peak - o.peq.max_boost_db + 1e-6;
                f.gain_db -= excess;
                peak -= excess;
            }
            peak_db[r].push_back(peak);
            per_rate[r].push_back(std::move(f));
        }
        res.channels.push_back(std::move(cf));
        datas.push_back(std::move(data));
    }

    // Channel matching at the design rate: level over 200 Hz–2 kHz of the corrected
    // average, times of arrival from the shared timing reference.
    const std::size_t dr =
        static_cast<std::size_t>(std::find(o.rates.begin(), o.rates.end(), design_rate) - o.rates.begin());
    if (o.align_channels && res.channels.size() > 1) {
        std::vector<double> level(res.channels.size()), arrival_s(res.channels.size());
        bool timed = true;
        for (std::size_t c = 0; c < res.channels.size(); ++c) {
            const auto corr = correction_db(per_rate[dr][c], Hz(design_rate), grid);
            std::vector<double> after = datas[c].summary.rms_average.magnitude_db;
            for (std::size_t i = 0; i < after.size(); ++i) after[i] += corr[i];
            level[c] = target_offset_db(grid, after, std::vector<double>(grid.size(), 0.0));
            arrival_s[c] = datas[c].arrival_samples / datas[c].arrival_rate.value;
            const auto& t = datas[c].timing;
            timed = timed && (t == "loopback" || t == "acoustic timing marker");
        }
        const double quietest = *std::min_element(level.begin(), level.end());
        const double latest = *std::max_element(arrival_s.begin(), arrival_s.end());
        if (!timed)
            res.warnings.push_back(
                "channels not time-aligned: their measurements have no shared timing reference "
                "(measure with --loopback or --timing-ref)");
        for (std::size_t c = 0; c < res.channels.size(); ++c) {
            res.channels[c].level_trim_db = quietest - level[c];
            res.channels[c].delay_ms = timed ? (latest - arrival_s[c]) * 1000.0 : 0.0;
            for (std::size_t r = 0; r < o.rates.size(); ++r) {
                per_rate[r][c].gain_db += res.channels[c].level_trim_db;
                per_rate[r][c].delay_samples = std::round(res.channels[c].delay_ms * 1e-3 * o.rates[r]);
            }
        }
    }

    // Headroom: the largest gain of any channel at any rate, up to Nyquist.
    double peak = 0.0;
    for (std::size_t r = 0; r < o.rates.size(); ++r)
        for (std::size_t c = 0; c < res.channels.size(); ++c)
            peak = std::max(peak, peak_db[r][c] + res.channels[c].level_trim_db);
    // 0.05 dB covers a peak between the check grid's points (1/96 octave, FFT bins).
    res.guaranteed_preamp_db = -(peak + 0.05);
    res.preamp_db = std::min(0.0, res.guaranteed_preamp_db + o.limiter_headroom_db);
    res.needs_limiter = res.preamp_db > res.guaranteed_preamp_db + 1e-9;
    if (res.needs_limiter)
        res.warnings.push_back("the preamp leaves " + fmt(res.preamp_db - res.guaranteed_preamp_db) +
                               " dB to the output limiter: keep it on");

    std::ostringstream desc;
    desc << mode_name(o.mode);
    if (o.mode != FitMode::parametric) desc << " " << phase_name(o.phase);
    desc << "; " << (res.channels.empty() ? std::string("flat") : res.channels.front().target.describe()) << "; "
         << (datas.empty() ? 0 : datas.front().positions.size()) << " position(s)";
    for (std::size_t r = 0; r < o.rates.size(); ++r) {
        FilterSet set;
        set.sample_rate = Hz(o.rates[r]);
        set.preamp_db = res.preamp_db;
        set.needs_limiter = res.needs_limiter;
        set.latency_samples = fir_latency[r];
        set.description = desc.str();
        set.channels = std::move(per_rate[r]);
        for (auto& f : set.channels) f.gain_db += res.preamp_db;
        set.validate();
        res.sets.push_back(std::move(set));
    }
    res.latency_ms = fir_latency[dr] / design_rate * 1000.0;
    for (std::size_t c = 0; c < res.channels.size(); ++c)
        res.channels[c].prediction =
            predict(datas[c], res.sets[dr].channels[c], Hz(design_rate), res.channels[c].target);
    res.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return res;
}

}  // namespace roomcal::correct
