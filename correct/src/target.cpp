// Target-curve evaluation and parsing.
#include "roomcal/correct/target.hpp"

#include <cmath>
#include <cstdio>
#include <sstream>

#include "roomcal/core/error.hpp"
#include "roomcal/core/format.hpp"

namespace roomcal::correct {
namespace {

double parse_number(const std::string& text, const std::string& part) {
    std::size_t used = 0;
    double v = 0.0;
    try {
        v = std::stod(text, &used);
    } catch (const std::exception&) {
        used = 0;
    }
    if (used != text.size() || text.empty() || !std::isfinite(v))
        throw UsageError("target \"" + part + "\": \"" + text + "\" is not a number");
    return v;
}

}  // namespace

double TargetCurve::level_db(Hz f) const {
    double db = tilt_db_per_octave * std::log2(f.value / tilt_pivot.value);
    if (custom.size() > 0) db += custom.magnitude_db_at(f);
    // |H|² of a second-order Butterworth high-pass is x⁴ / (1 + x⁴), x = f / fc.
    if (low_limit.value > 0.0) {
        const double x4 = std::pow(f.value / low_limit.value, 4.0);
        db += power_to_db(x4 / (1.0 + x4));
    }
    if (high_limit.value < 20000.0) {
        const double x4 = std::pow(f.value / high_limit.value, 4.0);
        db += power_to_db(1.0 / (1.0 + x4));
    }
    if (bass_shelf_db != 0.0) {
        // First-order low shelf: gain g below the corner, unity above, in power terms.
        const double g2 = db_to_power(bass_shelf_db);
        const double x2 = (f.value / bass_shelf_corner.value) * (f.value / bass_shelf_corner.value);
        db += power_to_db((g2 + x2) / (1.0 + x2));
    }
    return db;
}

std::vector<double> TargetCurve::level_db(const std::vector<double>& grid_hz) const {
    std::vector<double> out(grid_hz.size());
    for (std::size_t i = 0; i < grid_hz.size(); ++i) out[i] = level_db(Hz(grid_hz[i]));
    return out;
}

std::string TargetCurve::describe() const {
    std::ostringstream s;
    bool first = true;
    auto sep = [&] {
        if (!first) s << ", ";
        first = false;
    };
    if (tilt_db_per_octave == 0.0 && bass_shelf_db == 0.0 && custom.size() == 0) {
        s << "flat";
        first = false;
    }
    if (custom.size() > 0) {
        sep();
        s << "curve " << (custom_source.empty() ? "(custom)" : custom_source);
    }
    if (bass_shelf_db != 0.0) {
        sep();
        s << "bass shelf " << (bass_shelf_db > 0 ? "+" : "") << bass_shelf_db << " dB below " << bass_shelf_corner.value
          << " Hz";
    }
    if (tilt_db_per_octave != 0.0) {
        sep();
        s << "tilt " << tilt_db_per_octave << " dB/octave about " << tilt_pivot.value << " Hz";
    }
    if (low_limit.value > 0.0) s << ", rolling off below " << static_cast<long>(std::lround(low_limit.value)) << " Hz";
    if (high_limit.value < 20000.0) s << ", rolling off above " << static_cast<long>(high_limit.value) << " Hz";
    return s.str();
}

TargetCurve parse_target(const std::string& spec) {
    TargetCurve t;
    std::string normalised = spec;
    for (char& c : normalised)
        if (c == ',') c = ';';
    std::istringstream parts(normalised);
    std::string part;
    bool any = false;
    while (std::getline(parts, part, ';')) {
        if (part.empty()) continue;
        any = true;
        const auto colon = part.find(':');
        const std::string kind = part.substr(0, colon);
        const std::string args = colon == std::string::npos ? "" : part.substr(colon + 1);
        const auto at = args.find('@');
        const std::string value = args.substr(0, at);
        const std::string where = at == std::string::npos ? "" : args.substr(at + 1);
        if (kind == "flat" && args.empty()) continue;
        if (kind == "harman" && args.empty()) {
            // A Harman-like in-room slope (Olive et al. 2013): about +5 dB of bass below
            // 100 Hz and a gentle fall of 0.8 dB/octave towards the treble.
            t.bass_shelf_db = 5.0;
            t.bass_shelf_corner = Hz(100.0);
            t.tilt_db_per_octave = -0.8;
            t.tilt_pivot = Hz(1000.0);
            continue;
        }
        if (kind == "low" && value == "auto") {
            t.low_limit = Hz(0.0);
            continue;
        }
        if (kind == "low" && !value.empty()) {
            t.low_limit = Hz(parse_number(value, part));
            if (!(t.low_limit.value >= 10.0 && t.low_limit.value <= 500.0))
                throw UsageError("target \"" + part + "\": the low limit must lie in 10–500 Hz (or be auto)");
            continue;
        }
        if (kind == "high" && !value.empty()) {
            t.high_limit = Hz(parse_number(value, part));
            if (!(t.high_limit.value >= 1000.0 && t.high_limit.value <= 20000.0))
                throw UsageError("target \"" + part + "\": the high limit must lie in 1000–20000 Hz");
            continue;
        }
        if (kind == "tilt" && !value.empty()) {
            t.tilt_db_per_octave = parse_number(value, part);
            if (std::abs(t.tilt_db_per_octave) > 3.0)
                throw UsageError("target \"" + part + "\": tilt beyond ±3 dB/octave is not a sensible target");
            if (!where.empty()) t.tilt_pivot = Hz(parse_number(where, part));
        } else if (kind == "house" && !value.empty()) {
            t.bass_shelf_db = parse_number(value, part);
            if (std::abs(t.bass_shelf_db) > 12.0)
                throw UsageError("target \"" + part + "\": a bass shelf beyond ±12 dB is not a sensible target");
            if (!where.empty()) t.bass_shelf_corner = Hz(parse_number(where, part));
        } else {
            throw UsageError(
                "target \"" + part +
                "\" is not understood; use flat, harman, tilt:DB_PER_OCT[@PIVOT_HZ], house:DB[@CORNER_HZ], "
                "low:HZ|auto, high:HZ, or the path of a REW house-curve file");
        }
        if (!(t.tilt_pivot.value >= 10.0 && t.tilt_pivot.value <= 20000.0) ||
            !(t.bass_shelf_corner.value >= 10.0 && t.bass_shelf_corner.value <= 1000.0))
            throw UsageError("target \"" + part +
                             "\": frequency after @ is out of range (pivot 10–20000 Hz, shelf "
                             "corner 10–1000 Hz)");
    }
    if (!any) throw UsageError("target is empty; use flat, harman, tilt:-1 or house:+4@100");
    if (t.low_limit.value > 0.0 && t.low_limit.value * 4.0 > t.high_limit.value)
        throw UsageError("target \"" + spec + "\": the low limit must lie at least two octaves below the high limit");
    return t;
}

TargetCurve with_custom_curve(TargetCurve base, const std::vector<std::pair<double, double>>& points,
                              const std::string& source) {
    if (points.size() < 2) throw UsageError("target curve " + source + " needs at least two (Hz, dB) points");
    FrequencyResponse c;
    for (const auto& [f, db] : points) {
        if (!c.frequency_hz.empty() && !(f > c.frequency_hz.back()))
            throw UsageError("target curve " + source + ": frequencies must increase (" + fmt(f) + " Hz after " +
                             fmt(c.frequency_hz.back()) + " Hz)");
        if (!std::isfinite(f) || f <= 0.0 || !std::isfinite(db) || std::abs(db) > 40.0)
            throw UsageError("target curve " + source + ": the point " + fmt(f) + " Hz, " + fmt(db) +
                             " dB is not a usable target value");
        c.frequency_hz.push_back(f);
        c.magnitude_db.push_back(db);
    }
    base.custom = std::move(c);
    base.custom_source = source;
    return base;
}

Hz find_low_rolloff(const std::vector<double>& grid_hz, const std::vector<double>& average_db) {
    double sum = 0.0;
    int n = 0;
    for (std::size_t i = 0; i < grid_hz.size(); ++i)
        if (grid_hz[i] >= 200.0 && grid_hz[i] <= 2000.0) {
            sum += average_db[i];
            ++n;
        }
    if (n == 0 || grid_hz.empty()) return Hz(grid_hz.empty() ? 20.0 : grid_hz.front());
    const double reference = sum / n;
    for (std::size_t i = 0; i < grid_hz.size(); ++i)
        if (average_db[i] >= reference - 6.0) return Hz(grid_hz[i]);
    return Hz(grid_hz.front());
}

}  // namespace roomcal::correct
