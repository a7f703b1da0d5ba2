// Clock drift between playback and capture (separate devices, USB mics), measured from
// the two identical timing markers that bracket the sweep: the recording sees them
// (1 + drift) times as far apart as they were played. Compensated by resampling the
// recording (libsamplerate, best sinc) before deconvolution.
#pragma once

#include <optional>
#include <span>
#include <vector>

#include "roomcal/measure/sweep.hpp"

namespace roomcal::measure {

struct MarkerTiming {
    double first_arrival = 0.0;  // recording sample where the first marker's direct sound lands
    double drift_ppm = 0.0;      // (recording clock / playback clock − 1) · 10⁶
    double correlation = 0.0;    // similarity of the two recorded markers, 0..1
};

// Finds both markers in the recording (latency up to the gap after the first marker).
// nullopt if the sweep has no markers. Throws roomcal::Error if the first marker cannot
// be found at all (silent or unrelated recording).
std::optional<MarkerTiming> measure_marker_timing(std::span<const double> recording, const Sweep& sweep);

// The recording resampled so that its clock matches the playback clock.
std::vector<double> compensate_drift(std::span<const double> recording, double drift_ppm);

}  // namespace roomcal::measure
