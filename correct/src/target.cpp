// Target-curve evaluation and parsing.
#include "roomcal/correct/target.hpp"

#include <cmath>
#include <cstdio>
#include <sstream>

#include "roomcal/core/error.hpp"

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
    if (bass_shelf_db != 0.0) {
        // First-order low shelf: gain g below the corner, unity above, in power terms.
        const double g2 = db_to_power(bass_shelf_db);
        const double x2 = (f.value / bass_shelf_corner.value) * (f.value / bass_shelf_corner.value);
        db += power_to_db((g2 + x2) / (1.0 + x2));
    }
    return db;
}

std::string TargetCurve::describe() const {
    std::ostringstream s;
    if (tilt_db_per_octave == 0.0 && bass_shelf_db == 0.0) return "flat";
    bool first = true;
    if (bass_shelf_db != 0.0) {
        s << "bass shelf " << (bass_shelf_db > 0 ? "+" : "") << bass_shelf_db << " dB below " << bass_shelf_corner.value
          << " Hz";
        first = false;
    }
    if (tilt_db_per_octave != 0.0)
        s << (first ? "" : ", ") << "tilt " << tilt_db_per_octave << " dB/octave about " << tilt_pivot.value << " Hz";
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
            throw UsageError("target \"" + part +
                             "\" is not understood; use flat, tilt:DB_PER_OCT[@PIVOT_HZ] or house:DB[@CORNER_HZ]");
        }
        if (!(t.tilt_pivot.value >= 10.0 && t.tilt_pivot.value <= 20000.0) ||
            !(t.bass_shelf_corner.value >= 10.0 && t.bass_shelf_corner.value <= 1000.0))
            throw UsageError("target \"" + part +
                             "\": frequency after @ is out of range (pivot 10–20000 Hz, shelf "
                             "corner 10–1000 Hz)");
    }
    if (!any) throw UsageError("target is empty; use flat, tilt:-1 or house:+4@100");
    return t;
}

}  // namespace roomcal::correct
