// The room report's content. Responses come from measure::measurement_response on one
// log grid; plots show 1/N-octave smoothed positions, their RMS average and spread;
// the correction's effect is predicted from the FilterSet itself (predict_correction);
// the ETC is the Hilbert envelope of position 1's IR, decay times follow ISO 3382-1.
#include "roomcal/report/room_report.hpp"

#include <algorithm>
#include <cmath>
#include <complex>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <optional>

#include "roomcal/core/error.hpp"
#include "roomcal/core/format.hpp"
#include "roomcal/correct/target.hpp"
#include "roomcal/dsp/fft.hpp"
#include "roomcal/measure/averaging.hpp"
#include "roomcal/measure/decay.hpp"
#include "roomcal/measure/room_response.hpp"
#include "roomcal/measure/smoothing.hpp"

namespace roomcal::report {
namespace {

constexpr double nan = std::numeric_limits<double>::quiet_NaN();
// The level reference band: where rooms and loudspeakers are smoothest, so a target
// placed at the average's level there sits where a listener hears the level.
constexpr double level_band_lo_hz = 200.0;
constexpr double level_band_hi_hz = 2000.0;
// A null: the 1/24-octave average this far below its 1-octave average, below null_max_hz,
// where room modes cancel and no boost fills the gap.
constexpr double null_depth_db = 6.0;
constexpr double null_max_hz = 500.0;
// A position this far from the others in the level band was likely measured at another
// gain or distance.
constexpr double position_mismatch_db = 4.0;
// Decay above this at 125–500 Hz is typical of an untreated room (small rooms treated for
// listening sit around 0.3–0.5 s).
constexpr double untreated_decay_s = 0.6;
constexpr double etc_from_ms = -5.0;
constexpr double etc_to_ms = 300.0;
constexpr double etc_bin_ms = 0.25;

const char* const average_colour = "#000000";
const char* const target_colour = "#D55E00";
const char* const before_colour = "#7a7a7a";
const char* const after_colour = "#0072B2";
const char* const filter_colour = "#009E73";
const std::vector<std::string> position_colours{"#0072B2", "#009E73", "#CC79A7", "#E69F00", "#56B4E9"};

// v with `decimals` decimals and a typographic minus, then `unit`; a dash when v is NaN.
std::string fixed(double v, int decimals, const std::string& unit = "") {
    if (!std::isfinite(v)) return "\u2013";
    char buf[48];
    std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
    std::string s = buf;
    if (s[0] == '-') s = (std::strtod(buf, nullptr) == 0.0 ? "" : "\u2212") + s.substr(1);
    return s + unit;
}

std::string signed_fixed(double v, int decimals, const std::string& unit = "") {
    if (!std::isfinite(v)) return "\u2013";
    const std::string s = fixed(v, decimals, unit);
    return std::strtod(s.c_str(), nullptr) > 0.0 ? "+" + s : s;
}

std::string hz(double f) { return frequency_label(f) + " Hz"; }

std::string ms_from_samples(double samples, Hz rate) { return fixed(1000.0 * samples / rate.value, 2, " ms"); }

double mean_db_over(const FrequencyResponse& r, double lo, double hi) {
    double sum = 0.0;
    int n = 0;
    for (std::size_t i = 0; i < r.size(); ++i)
        if (r.frequency_hz[i] >= lo && r.frequency_hz[i] <= hi && std::isfinite(r.magnitude_db[i])) {
            sum += r.magnitude_db[i];
            ++n;
        }
    return n > 0 ? sum / n : nan;
}

double median(std::vector<double> v) {
    std::erase_if(v, [](double x) { return !std::isfinite(x); });
    if (v.empty()) return nan;
    std::sort(v.begin(), v.end());
    const std::size_t m = v.size() / 2;
    return v.size() % 2 ? v[m] : (v[m - 1] + v[m]) / 2.0;
}

// The target a channel is shown against: its parsed spec plus the room's own curve points
// when it has them; flat (with a warning) when the spec cannot be read and there are none.
struct ShownTarget {
    std::string description = "flat";
    correct::TargetCurve curve;
    FrequencyResponse points;

    double level_db(double f) const {
        return curve.level_db(Hz(f)) + (points.size() > 0 ? points.magnitude_db_at(Hz(f)) : 0.0);
    }
};

ShownTarget channel_target(const Room& room, const std::string& channel, std::vector<std::string>& warnings) {
    ShownTarget t;
    const RoomTarget* rt = room.target_for(channel);
    if (!rt) {
        warnings.push_back("Channel " + channel +
                           ": the room has no target yet, so the plots show a flat one; `roomcal fit --target` "
                           "stores the one you choose.");
        return t;
    }
    t.points = rt->curve;
    try {
        t.curve = correct::parse_target(rt->spec);
        t.description = t.curve.describe();
        if (t.points.size() > 0) t.description += " with the room's curve";
    } catch (const Error& e) {
        if (t.points.size() > 0) {
            t.description = "curve \"" + rt->spec + "\"";
        } else {
            warnings.push_back("Channel " + channel + ": the room's target \"" + rt->spec + "\" cannot be read (" +
                               e.what() + "); the plots show a flat target instead.");
        }
    }
    return t;
}

struct Null {
    double lo_hz = 0.0, hi_hz = 0.0, at_hz = 0.0, depth_db = 0.0;
};

// Deep, narrow dips below null_max_hz: where the 1/24-octave smoothed average lies more
// than null_depth_db below its 1-octave smoothed version, and its lowest point lies
// null_depth_db below the highest point within half an octave on either side. The second
// test keeps out the loudspeaker's roll-off and the shoulders of a strong peak, which
// also sit under a power-smoothed average that the peak lifts.
std::vector<Null> find_nulls(const FrequencyResponse& average) {
    using measure::Smoothing;
    using measure::SmoothingKind;
    const auto fine = measure::smooth(average, Smoothing{SmoothingKind::fractional_octave, 24});
    const auto coarse = measure::smooth(average, Smoothing{SmoothingKind::fractional_octave, 1});
    const auto& f = average.frequency_hz;
    const std::size_t n = average.size();
    auto deficit = [&](std::size_t i) { return coarse.magnitude_db[i] - fine.magnitude_db[i]; };
    auto highest = [&](double lo, double hi) {
        double h = -std::numeric_limits<double>::infinity();
        for (std::size_t k = 0; k < n; ++k)
            if (f[k] >= lo && f[k] <= hi) h = std::max(h, fine.magnitude_db[k]);
        return h;
    };
    std::vector<Null> nulls;
    std::size_t i = 0;
    while (i < n && f[i] <= null_max_hz) {
        if (!(deficit(i) > null_depth_db)) {
            ++i;
            continue;
        }
        const std::size_t start = i;
        std::size_t lowest = i;
        for (; i < n && deficit(i) > null_depth_db; ++i)
            if (fine.magnitude_db[i] < fine.magnitude_db[lowest]) lowest = i;
        const double floor_db = fine.magnitude_db[lowest];
        const double half_octave = std::sqrt(2.0);
        const double prominence = std::min(highest(f[lowest] / half_octave, f[lowest]) - floor_db,
                                           highest(f[lowest], f[lowest] * half_octave) - floor_db);
        if (start == 0 || f[lowest] / half_octave < f.front() || prominence < null_depth_db) continue;
        nulls.push_back({f[start - 1], f[std::min(i, n - 1)], f[lowest], deficit(lowest)});
    }
    return nulls;
}

struct ChannelData {
    std::string name;
    std::vector<const Measurement*> measurements;  // by position
    std::vector<std::string> labels;
    std::vector<FrequencyResponse> raw, smoothed;  // per position
    measure::PositionSummary summary;              // of the smoothed responses
    FrequencyResponse raw_average;                 // RMS average of the unsmoothed responses
    ShownTarget target;
    std::vector<Null> nulls;
};

// Each position's mean level over the level band (smoothed responses).
std::vector<double> position_levels(const ChannelData& c) {
    std::vector<double> out;
    for (const auto& r : c.smoothed) out.push_back(mean_db_over(r, level_band_lo_hz, level_band_hi_hz));
    return out;
}

std::string position_label(const Measurement& m) {
    const std::string plain = "position " + std::to_string(m.position);
    return m.label.empty() || m.label == plain ? plain : plain + " \u00b7 " + m.label;
}

// The target's shape on `freqs`, shifted so its mean over the level band equals `level`.
std::vector<double> placed_target(const ShownTarget& t, const std::vector<double>& freqs, double level) {
    double sum = 0.0;
    int n = 0;
    for (double f : freqs)
        if (f >= level_band_lo_hz && f <= level_band_hi_hz) {
            sum += t.level_db(f);
            ++n;
        }
    const double shift = level - (n > 0 ? sum / n : t.level_db(1000.0));
    std::vector<double> out;
    out.reserve(freqs.size());
    for (double f : freqs) out.push_back(t.level_db(f) + shift);
    return out;
}

std::string level_unit(const Room& room) {
    return room.mic_calibration.spl_offset_db != 0.0 ? "level, dB SPL" : "level, dB (re full scale)";
}

std::vector<FlaggedRange> null_ranges(const std::vector<Null>& nulls, const std::string& label) {
    std::vector<FlaggedRange> out;
    for (const auto& n : nulls) out.push_back({label, n.lo_hz, n.hi_hz});
    return out;
}

// A y range around the responses: from a little under their lowest point to a little
// over their highest, but never so wide that a single deep notch flattens the rest.
AxisRange level_range(const std::vector<std::vector<double>>& curves, double reference) {
    double lo = std::numeric_limits<double>::infinity(), hi = -lo;
    for (const auto& c : curves)
        for (double v : c)
            if (std::isfinite(v)) {
                lo = std::min(lo, v);
                hi = std::max(hi, v);
            }
    if (!std::isfinite(reference)) reference = 0.0;
    if (!(lo <= hi)) return {reference - 30.0, reference + 15.0};
    lo = std::max(lo - 3.0, reference - 40.0);
    hi = std::min(hi + 3.0, reference + 25.0);
    lo = std::floor(lo / 5.0) * 5.0;
    hi = std::ceil(hi / 5.0) * 5.0;
    if (hi - lo < 20.0) {
        lo = std::floor((reference - 12.0) / 5.0) * 5.0;
        hi = std::ceil((reference + 8.0) / 5.0) * 5.0;
    }
    return {lo, hi};
}

Plot frequency_plot(const std::string& title, const std::string& y_label, const std::vector<double>& grid) {
    Plot p;
    p.title = title;
    p.x_label = "frequency, Hz";
    p.y_label = y_label;
    p.log_x = true;
    p.x_range = AxisRange{grid.front(), grid.back()};
    return p;
}

// Mean power over each third-octave band, minus the target there, with the mean over the
// bands removed: the shape of the deviation, whatever the level.
std::vector<double> band_deviation(const FrequencyResponse& r, const ShownTarget& t,
                                   const std::vector<double>& centres) {
    auto d = third_octave_levels(r, centres);
    double sum = 0.0;
    int n = 0;
    for (std::size_t b = 0; b < d.size(); ++b) {
        d[b] -= t.level_db(centres[b]);
        if (std::isfinite(d[b])) {
            sum += d[b];
            ++n;
        }
    }
    for (double& v : d) v -= n > 0 ? sum / n : 0.0;
    return d;
}

double rms_of(const std::vector<double>& d) {
    double sum = 0.0;
    int n = 0;
    for (double v : d)
        if (std::isfinite(v)) {
            sum += v * v;
            ++n;
        }
    return n > 0 ? std::sqrt(sum / n) : nan;
}

// Squared Hilbert envelope of x (its analytic signal's energy), zero-padded against
// circular wrap-around.
std::vector<double> envelope_energy(const std::vector<double>& x) {
    const std::size_t n = dsp::next_fast_size(2 * x.size());
    auto bins = dsp::rfft(x, n);
    const std::complex<double> minus_j(0.0, -1.0);
    bins[0] = 0.0;
    if (n % 2 == 0) bins.back() = 0.0;
    for (std::size_t k = 1; k < bins.size(); ++k)
        if (!(n % 2 == 0 && k == bins.size() - 1)) bins[k] *= minus_j;
    const auto h = dsp::irfft(bins, n);
    std::vector<double> e(x.size());
    for (std::size_t i = 0; i < x.size(); ++i) e[i] = x[i] * x[i] + h[i] * h[i];
    return e;
}

double best_decay(const measure::DecayResult& r) {
    if (std::isfinite(r.rt60_s())) return r.rt60_s();
    if (std::isfinite(r.t30_s)) return r.t30_s;
    return r.t20_s;
}

const FilterSet* shown_correction(const Room& room) {
    if (const auto* c = room.correction_for(Hz(48000.0))) return c;
    return room.corrections.empty() ? nullptr : &room.corrections.front();
}

std::string hint_room(const RoomReportOptions& o) { return o.source.empty() ? "ROOM" : o.source; }

Section summary_section(const Room& room, const std::vector<ChannelData>& channels, const RoomReportOptions& o) {
    Section s;
    s.title = "Summary";
    std::size_t takes = 0;
    for (const auto& c : channels) takes += c.measurements.size();
    s.intro = "Room \"" + room.name + "\": " + std::to_string(channels.size()) + " channel" +
              (channels.size() == 1 ? "" : "s") + ", " + std::to_string(takes) + " measurement" +
              (takes == 1 ? "" : "s") + (room.corrections.empty() ? ", no correction yet." : ", with a correction.");

    Table info{"Room", {"", ""}, {{"name", room.name}}};
    if (!o.source.empty()) info.rows.push_back({"folder", o.source});
    for (const auto& [key, value] : room.metadata) info.rows.push_back({key, value});
    info.header.clear();
    s.tables.push_back(info);

    Table pos{"Channels and positions", {"channel", "position", "data", "timing", "direct sound after reference"}, {}};
    for (const auto& c : channels)
        for (const auto* m : c.measurements) {
            std::string data;
            if (m->has_impulse_response())
                data = "impulse response, " + fmt(m->impulse_response.sample_rate.value / 1000.0, 4) + " kHz, " +
                       fixed(m->impulse_response.duration().value, 2, " s");
            else
                data = "imported response, " + std::to_string(m->frequency_response.size()) + " points";
            pos.rows.push_back({c.name, position_label(*m), data, m->timing.empty() ? "\u2013" : m->timing,
                                m->has_impulse_response()
                                    ? ms_from_samples(m->delay_samples, m->impulse_response.sample_rate)
                                    : "\u2013"});
        }
    s.tables.push_back(pos);

    Table cal{"Mic calibration", {}, {}};
    if (room.mic_calibration.empty()) {
        cal.rows.push_back({"none", "responses include the microphone's own deviation from flat"});
    } else {
        const auto& d = room.mic_calibration.deviation;
        const auto [lo, hi] = std::minmax_element(d.magnitude_db.begin(), d.magnitude_db.end());
        cal.rows.push_back({"file", room.mic_calibration.source.empty() ? "\u2013" : room.mic_calibration.source});
        cal.rows.push_back({"points", std::to_string(d.size()) + " from " + hz(d.frequency_hz.front()) + " to " +
                                          hz(d.frequency_hz.back())});
        cal.rows.push_back({"deviation", fixed(*lo, 1) + " to " + signed_fixed(*hi, 1, " dB")});
        cal.rows.push_back({"SPL offset", signed_fixed(room.mic_calibration.spl_offset_db, 1, " dB")});
    }
    s.tables.push_back(cal);

    if (!room.targets.empty()) {
        Table t{"Targets", {"channel", "target"}, {}};
        for (const auto& [ch, target] : room.targets) t.rows.push_back({ch == "*" ? "every channel" : ch, target.spec});
        s.tables.push_back(t);
    }

    for (const auto& fs : room.corrections) {
        const double rate = fs.sample_rate.value;
        Table t{"Correction at " + fmt(rate / 1000.0, 4) + " kHz", {}, {}};
        t.rows.push_back({"description", fs.description.empty() ? "\u2013" : fs.description});
        t.rows.push_back({"preamp (headroom)", signed_fixed(fs.preamp_db, 1, " dB")});
        t.rows.push_back({"needs the output limiter", fs.needs_limiter ? "yes: the preamp leaves less headroom than "
                                                                         "the largest boost"
                                                                       : "no"});
        t.rows.push_back({"latency", fmt(fs.latency_samples) + " samples (" +
                                         ms_from_samples(fs.latency_samples, fs.sample_rate) + ")"});
        s.tables.push_back(t);
        Table ch{
            "Filters at " + fmt(rate / 1000.0, 4) + " kHz", {"channel", "gain", "delay", "biquads", "FIR taps"}, {}};
        for (const auto& c : fs.channels)
            ch.rows.push_back({c.channel, signed_fixed(c.gain_db, 1, " dB"),
                               ms_from_samples(c.delay_samples, fs.sample_rate), std::to_string(c.biquads.size()),
                               c.fir.empty() ? "none" : std::to_string(c.fir.size())});
        s.tables.push_back(ch);
    }
    return s;
}

Section measured_section(const Room& room, const ChannelData& c, const std::vector<double>& grid) {
    Section s;
    s.title = c.name + ": measured response";
    const double level = mean_db_over(c.summary.rms_average, level_band_lo_hz, level_band_hi_hz);
    s.intro = std::to_string(c.raw.size()) + " mic position" + (c.raw.size() == 1 ? "" : "s") + ", 1/6-octave " +
              "smoothed. The RMS average is the power mean over the positions" +
              (c.raw.size() > 1 ? "; the band around it spans \u00b11 standard deviation across them" : "") +
              ". The target (" + c.target.description +
              ") is placed at the average's mean level over 200 Hz\u20132 kHz (" + fixed(level, 1) + " dB).";

    Plot p = frequency_plot(c.name + ": measured response", level_unit(room), grid);
    const auto& avg = c.summary.rms_average;
    if (c.raw.size() > 1) {
        Band b{"spread across positions (\u00b11 \u03c3)", avg.frequency_hz, {}, {}, ""};
        for (std::size_t i = 0; i < avg.size(); ++i) {
            b.lo.push_back(avg.magnitude_db[i] - c.summary.spread_db[i]);
            b.hi.push_back(avg.magnitude_db[i] + c.summary.spread_db[i]);
        }
        p.bands.push_back(std::move(b));
    }
    p.flagged = null_ranges(c.nulls, "deep narrow null");
    std::vector<std::vector<double>> shown;
    for (std::size_t i = 0; i < c.smoothed.size(); ++i) {
        p.curves.push_back({c.labels[i], c.smoothed[i].frequency_hz, c.smoothed[i].magnitude_db,
                            position_colours[i % position_colours.size()], false, 1.1, 0.6});
        shown.push_back(c.smoothed[i].magnitude_db);
    }
    p.curves.push_back({"RMS average", avg.frequency_hz, avg.magnitude_db, average_colour, false, 2.4, 1.0});
    p.curves.push_back({"target: " + c.target.description, avg.frequency_hz,
                        placed_target(c.target, avg.frequency_hz, level), target_colour, true, 2.0, 1.0});
    p.y_range = level_range(shown, level);
    s.plots.push_back(std::move(p));

    if (c.raw.size() > 1) {
        const auto levels = position_levels(c);
        const double mid = median(levels);
        Table t{"Position levels, mean over 200 Hz\u20132 kHz", {"position", "level", "vs. the median"}, {}};
        for (std::size_t i = 0; i < levels.size(); ++i)
            t.rows.push_back({c.labels[i], fixed(levels[i], 1, " dB"), signed_fixed(levels[i] - mid, 1, " dB")});
        s.tables.push_back(std::move(t));
    }
    if (!c.nulls.empty()) {
        Table t{"Nulls below 500 Hz (1/24-octave average under its 1-octave average)", {"at", "depth", "span"}, {}};
        for (const auto& n : c.nulls)
            t.rows.push_back({hz(n.at_hz), fixed(n.depth_db, 1, " dB"),
                              frequency_label(n.lo_hz) + "\u2013" + frequency_label(n.hi_hz) + " Hz"});
        s.tables.push_back(std::move(t));
    }
    return s;
}

std::string filter_type_name(FilterType t) {
    switch (t) {
        case FilterType::peaking:
            return "peaking";
        case FilterType::low_shelf:
            return "low shelf";
        case FilterType::high_shelf:
            return "high shelf";
        case FilterType::low_pass:
            return "low pass";
        case FilterType::high_pass:
            return "high pass";
    }
    return "?";
}

Section correction_section(const Room& room, const ChannelData& c, const FilterSet& fs, const ChannelFilter& filter,
                           const std::vector<double>& grid) {
    Section s;
    s.title = c.name + ": correction";
    const Hz rate = fs.sample_rate;
    // The FIR's response costs a sum over its taps per frequency: computed once, used for
    // the smoothed curves and the unsmoothed band levels alike.
    const auto filter_db = filter_response_db(filter, rate, grid);
    const auto shown = predict_correction(c.smoothed, c.summary.rms_average, filter_db);
    const double level_after = mean_db_over(shown.average, level_band_lo_hz, level_band_hi_hz);
    s.intro = "The correction at " + fmt(rate.value / 1000.0, 4) +
              " kHz, predicted from its filters: each measured response plus the filter's response in dB (gain "
              "included). Curves are 1/6-octave smoothed; the target is placed at the corrected average's level over "
              "200 Hz\u20132 kHz (" +
              fixed(level_after, 1) + " dB).";

    // The filter alone.
    Plot fp = frequency_plot(c.name + ": correction filter", "gain, dB", grid);
    std::vector<double> shape(shown.filter_db.size());
    for (std::size_t i = 0; i < shape.size(); ++i) shape[i] = shown.filter_db[i] - filter.gain_db;
    fp.flagged = null_ranges(c.nulls, "deep narrow null");
    fp.curves.push_back({"filter response, gain " + signed_fixed(filter.gain_db, 1) + " dB included", grid,
                         shown.filter_db, filter_colour, false, 2.2, 1.0});
    if (filter.gain_db != 0.0)
        fp.curves.push_back({"filter shape without the gain", grid, shape, before_colour, true, 1.4, 1.0});
    double lo = 0.0, hi = 0.0;
    for (std::size_t i = 0; i < shape.size(); ++i)
        if (std::isfinite(shape[i])) {
            lo = std::min({lo, shape[i], shown.filter_db[i]});
            hi = std::max({hi, shape[i], shown.filter_db[i]});
        }
    fp.y_range = AxisRange{std::min(-12.0, std::floor((lo - 2.0) / 3.0) * 3.0),
                           std::max(6.0, std::ceil((hi + 2.0) / 3.0) * 3.0)};
    s.plots.push_back(std::move(fp));

    // Before and after.
    Plot pp = frequency_plot(c.name + ": predicted response after correction", level_unit(room), grid);
    pp.flagged = null_ranges(c.nulls, "deep narrow null");
    std::vector<std::vector<double>> levels;
    for (std::size_t i = 0; i < shown.positions.size(); ++i) {
        pp.curves.push_back({i == 0 && shown.positions.size() > 1 ? "after correction, each position" : "",
                             shown.positions[i].frequency_hz, shown.positions[i].magnitude_db, "#56B4E9", false, 1.0,
                             0.55});
        levels.push_back(shown.positions[i].magnitude_db);
    }
    pp.curves.push_back(
        {"measured average (before)", grid, c.summary.rms_average.magnitude_db, before_colour, false, 1.6, 1.0});
    pp.curves.push_back(
        {"after correction, RMS average", grid, shown.average.magnitude_db, after_colour, false, 2.4, 1.0});
    pp.curves.push_back({"target: " + c.target.description, grid, placed_target(c.target, grid, level_after),
                         target_colour, true, 2.0, 1.0});
    levels.push_back(c.summary.rms_average.magnitude_db);
    pp.y_range = level_range(levels, level_after);
    s.plots.push_back(std::move(pp));

    // Filter facts.
    double boost = -std::numeric_limits<double>::infinity(), boost_at = 0.0;
    double cut = std::numeric_limits<double>::infinity(), cut_at = 0.0;
    for (std::size_t i = 0; i < shape.size(); ++i) {
        if (!std::isfinite(shape[i])) continue;
        if (shape[i] > boost) boost = shape[i], boost_at = grid[i];
        if (shape[i] < cut) cut = shape[i], cut_at = grid[i];
    }
    Table facts{"Filter", {}, {}};
    facts.rows.push_back({"channel gain", signed_fixed(filter.gain_db, 1, " dB")});
    facts.rows.push_back({"delay", ms_from_samples(filter.delay_samples, rate)});
    facts.rows.push_back({"largest boost", signed_fixed(boost, 1) + " dB at " + hz(boost_at)});
    facts.rows.push_back({"largest cut", signed_fixed(cut, 1) + " dB at " + hz(cut_at)});
    facts.rows.push_back({"biquads", std::to_string(filter.biquads.size())});
    facts.rows.push_back({"FIR", filter.fir.empty()
                                     ? "none"
                                     : std::to_string(filter.fir.size()) + " taps (" +
                                           ms_from_samples(static_cast<double>(filter.fir.size()), rate) + ")"});
    s.tables.push_back(std::move(facts));

    if (!filter.parametric.empty()) {
        Table t{"Parametric filters", {"#", "type", "frequency", "Q", "gain"}, {}};
        for (std::size_t i = 0; i < filter.parametric.size(); ++i) {
            const auto& pf = filter.parametric[i];
            const bool has_gain = pf.type != FilterType::low_pass && pf.type != FilterType::high_pass;
            t.rows.push_back({std::to_string(i + 1), std::string(short_name(pf.type)) + " " + filter_type_name(pf.type),
                              fmt(pf.frequency_hz, 4) + " Hz", fixed(pf.q, 2),
                              has_gain ? signed_fixed(pf.gain_db, 1, " dB") : "\u2013"});
        }
        s.tables.push_back(std::move(t));
    }

    // Third-octave deviations from the target, unsmoothed responses.
    const auto centres = third_octave_centres(31.5_Hz, 16_kHz);
    const auto exact = predict_correction(c.raw, c.raw_average, filter_db);
    const auto before = band_deviation(c.raw_average, c.target, centres);
    const auto after = band_deviation(exact.average, c.target, centres);
    Table bands{"Deviation from target by third-octave band, RMS average (mean over the bands removed)",
                {"band", "before", "after"},
                {}};
    for (std::size_t b = 0; b < centres.size(); ++b)
        bands.rows.push_back({hz(centres[b]), signed_fixed(before[b], 1, " dB"), signed_fixed(after[b], 1, " dB")});
    bands.rows.push_back({"standard deviation", fixed(rms_of(before), 2, " dB"), fixed(rms_of(after), 2, " dB")});
    s.tables.push_back(std::move(bands));

    Table spread{"Standard deviation from target over the third-octave bands 31.5 Hz\u201316 kHz",
                 {"position", "before", "after"},
                 {}};
    for (std::size_t i = 0; i < c.raw.size(); ++i)
        spread.rows.push_back({c.labels[i], fixed(rms_of(band_deviation(c.raw[i], c.target, centres)), 2, " dB"),
                               fixed(rms_of(band_deviation(exact.positions[i], c.target, centres)), 2, " dB")});
    spread.rows.push_back({"RMS average", fixed(rms_of(before), 2, " dB"), fixed(rms_of(after), 2, " dB")});
    s.tables.push_back(std::move(spread));
    return s;
}

struct DecaySummary {
    std::vector<measure::DecayResult> first;  // of the ETC's position
    std::vector<double> mean_rt60;            // over the positions with an IR, per band
    std::size_t positions = 0;
};

std::optional<Section> impulse_section(const ChannelData& c, DecaySummary& decay) {
    const Measurement* m = nullptr;
    std::vector<const Measurement*> with_ir;
    for (const auto* x : c.measurements)
        if (x->has_impulse_response()) {
            with_ir.push_back(x);
            if (!m) m = x;
        }
    if (!m) return std::nullopt;
    const auto& ir = m->impulse_response;
    const double fs = ir.sample_rate.value;

    Section s;
    s.title = c.name + ": impulse response and decay";
    s.intro = "Energy-time curve (squared Hilbert envelope, peak at 0 dB) of " + position_label(*m) +
              " from the direct sound on, with its broadband Schroeder integral; decay times per octave band after "
              "ISO 3382-1 (EDT, T20, T30 by regression on the Schroeder curve).";

    // ETC, the loudest sample per bin so the reflections' peaks survive the thinning.
    const auto energy = envelope_energy(ir.samples);
    const double peak = std::max(*std::max_element(energy.begin(), energy.end()), 1e-300);
    std::vector<double> schroeder;
    try {
        schroeder = measure::schroeder_curve_db(ir, 0.0);
    } catch (const Error& e) {
        s.warnings.push_back(std::string("no Schroeder curve: ") + e.what());
    }
    Curve etc{"ETC", {}, {}, after_colour, false, 1.0, 1.0};
    Curve sch{"Schroeder integral", {}, {}, target_colour, true, 2.0, 1.0};
    const double bin = etc_bin_ms * fs / 1000.0;
    for (double t = etc_from_ms; t < etc_to_ms; t += etc_bin_ms) {
        const double a = ir.reference_sample + t * fs / 1000.0;
        const auto i0 = static_cast<long long>(std::ceil(a));
        const auto i1 = static_cast<long long>(std::ceil(a + bin));
        if (i1 <= 0 || i0 >= static_cast<long long>(energy.size())) continue;
        double e = 0.0;
        for (long long i = std::max(0LL, i0); i < std::min(i1, static_cast<long long>(energy.size())); ++i)
            e = std::max(e, energy[static_cast<std::size_t>(i)]);
        etc.x.push_back(t + etc_bin_ms / 2.0);
        etc.y.push_back(power_to_db(std::max(e / peak, 1e-30)));
        if (!schroeder.empty() && i0 >= 0 && i0 < static_cast<long long>(schroeder.size())) {
            sch.x.push_back(t);
            sch.y.push_back(schroeder[static_cast<std::size_t>(i0)]);
        }
    }
    if (ir.duration().value * 1000.0 - ir.reference_time().value * 1000.0 < etc_to_ms)
        s.warnings.push_back("The impulse response ends " +
                             fixed(1000.0 * (ir.duration().value - ir.reference_time().value), 0) +
                             " ms after the direct sound; the plot stops there.");
    Plot ep;
    ep.title = c.name + ": energy-time curve, " + position_label(*m);
    ep.x_label = "time after the direct sound, ms";
    ep.y_label = "energy, dB";
    ep.log_x = false;
    ep.x_range = AxisRange{etc_from_ms, etc_to_ms};
    ep.y_range = AxisRange{-80.0, 5.0};
    ep.curves.push_back(std::move(etc));
    if (!sch.x.empty()) ep.curves.push_back(std::move(sch));
    s.plots.push_back(std::move(ep));

    const auto& centres = measure::default_octave_centres_hz;
    try {
        decay.first = measure::decay_times(ir, centres);
    } catch (const Error& e) {
        s.warnings.push_back(std::string("No decay analysis: ") + e.what());
        return s;
    }
    decay.positions = with_ir.size();
    decay.mean_rt60.assign(centres.size(), nan);
    {
        std::vector<double> sum(centres.size(), 0.0);
        std::vector<int> count(centres.size(), 0);
        for (const auto* x : with_ir) {
            std::vector<measure::DecayResult> r;
            try {
                r = x == m ? decay.first : measure::decay_times(x->impulse_response, centres);
            } catch (const Error&) {
                continue;
            }
            for (std::size_t b = 0; b < r.size(); ++b)
                if (std::isfinite(best_decay(r[b]))) {
                    sum[b] += best_decay(r[b]);
                    ++count[b];
                }
        }
        for (std::size_t b = 0; b < centres.size(); ++b)
            if (count[b] > 0) decay.mean_rt60[b] = sum[b] / count[b];
    }

    Plot bp;
    bp.title = c.name + ": decay times per octave band, " + position_label(*m);
    bp.x_label = "octave band, Hz";
    bp.y_label = "decay time, s";
    for (double f : centres) bp.categories.push_back(frequency_label(f));
    BarSeries edt{"EDT", {}, "#56B4E9"}, t20{"T20", {}, "#009E73"}, t30{"T30", {}, "#0072B2"};
    for (const auto& r : decay.first) {
        edt.values.push_back(r.edt_s);
        t20.values.push_back(r.t20_s);
        t30.values.push_back(r.t30_s);
    }
    bp.bars = {edt, t20, t30};
    bp.references.push_back({fixed(untreated_decay_s, 1, " s"), untreated_decay_s});
    s.plots.push_back(std::move(bp));

    const bool notes = std::any_of(decay.first.begin(), decay.first.end(),
                                   [](const measure::DecayResult& r) { return !r.note.empty(); });
    Table t{"Decay times, " + position_label(*m), {"band", "EDT", "T20", "T30", "RT60", "decay range"}, {}};
    if (with_ir.size() > 1) t.header.push_back("RT60, mean of " + std::to_string(with_ir.size()) + " positions");
    if (notes) t.header.push_back("note");
    for (std::size_t b = 0; b < decay.first.size(); ++b) {
        const auto& r = decay.first[b];
        std::vector<std::string> row{
            hz(r.centre_hz),         fixed(r.edt_s, 2, " s"),    fixed(r.t20_s, 2, " s"),
            fixed(r.t30_s, 2, " s"), fixed(r.rt60_s(), 2, " s"), fixed(r.dynamic_range_db, 0, " dB")};
        if (with_ir.size() > 1) row.push_back(fixed(decay.mean_rt60[b], 2, " s"));
        if (notes) row.push_back(r.note);
        t.rows.push_back(std::move(row));
    }
    s.tables.push_back(std::move(t));
    return s;
}

ChannelData analyse_channel(const Room& room, const RoomChannel& ch, const std::vector<double>& grid,
                            const RoomReportOptions& o, std::vector<std::string>& warnings) {
    ChannelData c;
    c.name = ch.name;
    for (const auto& m : ch.measurements) c.measurements.push_back(&m);
    std::sort(c.measurements.begin(), c.measurements.end(),
              [](const Measurement* a, const Measurement* b) { return a->position < b->position; });
    const measure::Smoothing smoothing{measure::SmoothingKind::fractional_octave, o.smoothing_fraction};
    for (const auto* m : c.measurements) {
        c.raw.push_back(measure::measurement_response(room, *m, grid));
        c.smoothed.push_back(measure::smooth(c.raw.back(), smoothing));
        c.labels.push_back(position_label(*m));
    }
    c.summary = measure::summarise_positions(c.smoothed);
    c.raw_average = measure::summarise_positions(c.raw).rms_average;
    c.target = channel_target(room, ch.name, warnings);
    c.nulls = find_nulls(c.raw_average);
    return c;
}

void channel_warnings(const ChannelData& c, const DecaySummary& decay, std::vector<std::string>& warnings) {
    if (c.raw.size() == 1)
        warnings.push_back("Channel " + c.name +
                           " was measured at one position only: spatial confidence unknown. Measure 3 or more "
                           "positions around the listening position before correcting.");
    const auto levels = position_levels(c);
    if (levels.size() == 2 && std::abs(levels[0] - levels[1]) > position_mismatch_db) {
        warnings.push_back("Channel " + c.name + ": " + c.labels[0] + " and " + c.labels[1] + " differ by " +
                           fixed(std::abs(levels[0] - levels[1]), 1, " dB") +
                           " over 200 Hz\u20132 kHz; check the mic's gain and placement, and measure again.");
    } else if (levels.size() > 2) {
        // Against the median, so one stray position does not make the others look off.
        const double mid = median(levels);
        for (std::size_t i = 0; i < levels.size(); ++i) {
            const double d = levels[i] - mid;
            if (std::abs(d) > position_mismatch_db)
                warnings.push_back("Channel " + c.name + ", " + c.labels[i] + ": " + fixed(std::abs(d), 1, " dB ") +
                                   (d > 0 ? "louder" : "quieter") +
                                   " than the median position over 200 Hz\u20132 kHz; check the mic's gain and "
                                   "placement, and measure it again if it moved.");
        }
    }
    if (!c.nulls.empty()) {
        std::string list;
        for (const auto& n : c.nulls)
            list += (list.empty() ? "" : ", ") + hz(n.at_hz) + " (" + fixed(n.depth_db, 0) + " dB)";
        warnings.push_back("Channel " + c.name + ": deep narrow null" + (c.nulls.size() > 1 ? "s" : "") + " at " +
                           list +
                           ". Nulls are cancellations a boost cannot fill; a correction leaves them alone. Moving the "
                           "loudspeaker or the listening position shifts them.");
    }
    std::string slow;
    for (std::size_t b = 0; b < decay.mean_rt60.size(); ++b) {
        const double f = measure::default_octave_centres_hz[b];
        if (f >= 125.0 && f <= 500.0 && decay.mean_rt60[b] > untreated_decay_s)
            slow += (slow.empty() ? "" : ", ") + fixed(decay.mean_rt60[b], 2) + " s at " + hz(f);
    }
    if (!slow.empty())
        warnings.push_back("Channel " + c.name + ": decay times " + slow + " (above " + fixed(untreated_decay_s, 1) +
                           " s): an untreated room. Bass traps and absorption at the first reflection points help "
                           "more there than any correction.");
}

}  // namespace

std::vector<double> filter_response_db(const ChannelFilter& filter, Hz rate, const std::vector<double>& grid_hz) {
    std::vector<double> db;
    db.reserve(grid_hz.size());
    for (double f : grid_hz)
        db.push_back(f < rate.value / 2.0 ? gain_to_db(std::abs(filter.response(Hz(f), rate))) : nan);
    return db;
}

PredictedCorrection predict_correction(const std::vector<FrequencyResponse>& positions,
                                       const FrequencyResponse& average, const std::vector<double>& filter_db) {
    if (filter_db.size() != average.size())
        throw Error("predicting a correction: the filter's response and the measurements lie on different grids");
    PredictedCorrection p;
    p.filter_db = filter_db;
    auto apply = [&](const FrequencyResponse& r) {
        if (r.frequency_hz != average.frequency_hz)
            throw Error("predicting a correction: the responses do not share one frequency grid");
        FrequencyResponse out;
        out.frequency_hz = r.frequency_hz;
        out.magnitude_db = r.magnitude_db;
        for (std::size_t i = 0; i < out.size(); ++i) out.magnitude_db[i] += filter_db[i];
        return out;
    };
    for (const auto& r : positions) p.positions.push_back(apply(r));
    p.average = apply(average);
    return p;
}

PredictedCorrection predict_correction(const std::vector<FrequencyResponse>& positions,
                                       const FrequencyResponse& average, const ChannelFilter& filter, Hz rate) {
    return predict_correction(positions, average, filter_response_db(filter, rate, average.frequency_hz));
}

std::vector<double> third_octave_levels(const FrequencyResponse& r, const std::vector<double>& centres_hz) {
    std::vector<double> out;
    const double half = std::pow(2.0, 1.0 / 6.0);
    for (double fc : centres_hz) {
        double power = 0.0;
        int n = 0;
        for (std::size_t i = 0; i < r.size(); ++i)
            if (r.frequency_hz[i] >= fc / half && r.frequency_hz[i] < fc * half && std::isfinite(r.magnitude_db[i])) {
                power += db_to_power(r.magnitude_db[i]);
                ++n;
            }
        out.push_back(n > 0 ? power_to_db(power / n) : nan);
    }
    return out;
}

Document room_document(const Room& room, const RoomReportOptions& o) {
    std::vector<const RoomChannel*> measured;
    for (const auto& ch : room.channels)
        if (!ch.measurements.empty()) measured.push_back(&ch);
    if (measured.empty())
        throw Error("room " + (room.name.empty() ? hint_room(o) : room.name) +
                    " has no measurements; measure or import first (roomcal measure or roomcal import)");

    // One grid for every response; an IR at a low rate caps it below its Nyquist.
    double top = 20000.0;
    for (const auto* ch : measured)
        for (const auto& m : ch->measurements)
            if (m.has_impulse_response()) top = std::min(top, 0.49 * m.impulse_response.sample_rate.value);
    const auto grid = log_frequency_grid(20_Hz, Hz(top), o.points_per_octave);

    Document doc;
    doc.title = "Room report: " + room.name;
    doc.subtitle = o.source.empty() ? "roomcal room profile" : o.source;
    if (const auto it = room.metadata.find("created"); it != room.metadata.end())
        doc.subtitle += " \u00b7 created " + it->second;

    std::vector<std::string> warnings;
    if (room.mic_calibration.empty())
        warnings.push_back(
            "No mic calibration: every response includes the microphone's own deviation from flat "
            "(often several dB above 5 kHz). Add it with `roomcal import --room " +
            hint_room(o) + " --mic-cal FILE`.");
    const FilterSet* correction = shown_correction(room);
    if (!correction)
        warnings.push_back("No correction yet: run `roomcal fit --room " + hint_room(o) +
                           "` to fit one to the target.");

    std::vector<ChannelData> channels;
    for (const auto* ch : measured) channels.push_back(analyse_channel(room, *ch, grid, o, warnings));

    doc.sections.push_back(summary_section(room, channels, o));
    for (const auto& c : channels) {
        doc.sections.push_back(measured_section(room, c, grid));
        if (correction) {
            if (const auto* filter = correction->find(c.name))
                doc.sections.push_back(correction_section(room, c, *correction, *filter, grid));
            else
                warnings.push_back("The correction at " + fmt(correction->sample_rate.value) +
                                   " Hz has no filter for channel " + c.name + "; run `roomcal fit` again.");
        }
        DecaySummary decay;
        if (auto s = impulse_section(c, decay)) doc.sections.push_back(std::move(*s));
        channel_warnings(c, decay, warnings);
    }
    doc.warnings = std::move(warnings);
    return doc;
}

}  // namespace roomcal::report
