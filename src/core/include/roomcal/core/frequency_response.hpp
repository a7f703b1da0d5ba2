// A frequency response sampled on a (usually log-spaced) frequency grid: magnitude in
// dB and phase in radians. Measurements, targets and predicted results all use it.
#pragma once

#include <cstddef>
#include <vector>

#include "roomcal/core/units.hpp"

namespace roomcal {

struct FrequencyResponse {
    std::vector<double> frequency_hz;  // strictly increasing
    std::vector<double> magnitude_db;
    std::vector<double> phase_rad;  // empty when the phase is unknown

    std::size_t size() const { return frequency_hz.size(); }
    bool has_phase() const { return !phase_rad.empty(); }

    // Magnitude at f by linear interpolation over log-frequency; clamps outside the grid.
    double magnitude_db_at(Hz f) const;
    bool operator==(const FrequencyResponse&) const = default;

    // Checks the invariants; throws roomcal::Error naming `what` if broken.
    void validate(const char* what) const;
};

// `points_per_octave` log-spaced frequencies from lo to hi inclusive.
std::vector<double> log_frequency_grid(Hz lo, Hz hi, double points_per_octave);

// ISO 266 third-octave band centres (exact base-10 values) within [lo, hi].
std::vector<double> third_octave_centres(Hz lo, Hz hi);

}  // namespace roomcal
