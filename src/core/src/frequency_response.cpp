// Frequency-response helpers: validation, log-frequency interpolation and grids.
#include "roomcal/core/frequency_response.hpp"

#include <algorithm>
#include <cmath>
#include <string>

#include "roomcal/core/error.hpp"
#include "roomcal/core/format.hpp"

namespace roomcal {

double FrequencyResponse::magnitude_db_at(Hz f) const {
    if (frequency_hz.empty()) throw Error("frequency response is empty: nothing to interpolate");
    if (f.value <= frequency_hz.front()) return magnitude_db.front();
    if (f.value >= frequency_hz.back()) return magnitude_db.back();
    const auto upper = std::upper_bound(frequency_hz.begin(), frequency_hz.end(), f.value);
    const auto i = static_cast<std::size_t>(upper - frequency_hz.begin());
    const double x0 = std::log(frequency_hz[i - 1]);
    const double x1 = std::log(frequency_hz[i]);
    const double t = (std::log(f.value) - x0) / (x1 - x0);
    return magnitude_db[i - 1] + t * (magnitude_db[i] - magnitude_db[i - 1]);
}

void FrequencyResponse::validate(const char* what) const {
    const std::string name(what);
    if (frequency_hz.empty()) throw Error(name + ": the frequency response has no points");
    if (magnitude_db.size() != frequency_hz.size())
        throw Error(name + ": " + fmt(frequency_hz.size()) + " frequencies but " + std::to_string(magnitude_db.size()) +
                    " magnitudes");
    if (has_phase() && phase_rad.size() != frequency_hz.size())
        throw Error(name + ": phase has " + std::to_string(phase_rad.size()) + " points, expected " +
                    fmt(frequency_hz.size()));
    for (std::size_t i = 0; i < frequency_hz.size(); ++i) {
        if (!(frequency_hz[i] > 0.0) || !std::isfinite(frequency_hz[i]))
            throw Error(name + ": frequency " + fmt(frequency_hz[i]) + " Hz at point " + std::to_string(i + 1) +
                        " is not a positive number");
        if (i > 0 && frequency_hz[i] <= frequency_hz[i - 1])
            throw Error(name + ": frequencies must increase, but point " + std::to_string(i + 1) + " (" +
                        fmt(frequency_hz[i]) + " Hz) does not");
        if (!std::isfinite(magnitude_db[i]))
            throw Error(name + ": magnitude at " + fmt(frequency_hz[i]) + " Hz is not finite");
    }
}

std::vector<double> log_frequency_grid(Hz lo, Hz hi, double points_per_octave) {
    if (!(lo.value > 0.0) || !(hi.value > lo.value) || !(points_per_octave > 0.0))
        throw Error("log frequency grid needs 0 < low < high and a positive density");
    const double octaves = std::log2(hi.value / lo.value);
    const auto steps = static_cast<std::size_t>(std::ceil(octaves * points_per_octave));
    std::vector<double> grid(steps + 1);
    for (std::size_t i = 0; i <= steps; ++i)
        grid[i] = lo.value * std::pow(hi.value / lo.value, static_cast<double>(i) / static_cast<double>(steps));
    return grid;
}

std::vector<double> third_octave_centres(Hz lo, Hz hi) {
    // Base-10 series: f = 1000 · 10^(n/10); band n = 0 is 1 kHz.
    std::vector<double> centres;
    for (int n = -30; n <= 14; ++n) {
        const double f = 1000.0 * std::pow(10.0, n / 10.0);
        // Nominal band names are rounded (19.95 Hz is "20 Hz"): compare with a 3 % margin.
        if (f >= lo.value * 0.97 && f <= hi.value * 1.03) centres.push_back(f);
    }
    return centres;
}

}  // namespace roomcal
