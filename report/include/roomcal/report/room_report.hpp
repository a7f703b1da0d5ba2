// A room's report: summary, measured responses (positions, RMS average, spread, target),
// the correction with its predicted result and third-octave deviations, impulse and
// decay analysis (ETC: Hilbert envelope; decay: ISO 3382-1 via measure/decay), and the
// warnings a user should act on. The CLI's `report` and the tests build it from a Room.
#pragma once

#include <string>
#include <vector>

#include "roomcal/core/filter_set.hpp"
#include "roomcal/core/frequency_response.hpp"
#include "roomcal/core/room.hpp"
#include "roomcal/report/html_report.hpp"

namespace roomcal::report {

struct RoomReportOptions {
    std::string source;             // where the room lives (its folder), shown and used in hints
    double points_per_octave = 48;  // grid of the responses, 20 Hz–20 kHz
    double smoothing_fraction = 6;  // 1/N octave for the plotted responses
};

// What a channel's correction filter does to responses measured without it.
struct PredictedCorrection {
    std::vector<double> filter_db;             // the filter's magnitude on the grid, gain included
    std::vector<FrequencyResponse> positions;  // each position after correction
    FrequencyResponse average;                 // the average after correction
};

// The predicted result of running a channel's filter: each response plus the filter's dB
// at each frequency. A filter is linear and the same at every position, so the RMS
// average after correction is the average before plus the filter's dB. Responses must
// share the grid of `average`, and `filter_db` must lie on it; throws roomcal::Error
// otherwise.
PredictedCorrection predict_correction(const std::vector<FrequencyResponse>& positions,
                                       const FrequencyResponse& average, const std::vector<double>& filter_db);
// The same with the filter's dB computed from `filter` (designed for `rate`) on the grid.
PredictedCorrection predict_correction(const std::vector<FrequencyResponse>& positions,
                                       const FrequencyResponse& average, const ChannelFilter& filter, Hz rate);

// Magnitude in dB of gain, biquads and FIR at each frequency; NaN at and above Nyquist.
std::vector<double> filter_response_db(const ChannelFilter& filter, Hz rate, const std::vector<double>& grid_hz);

// Band levels: the mean power of the response's points within each third-octave band
// (centre · 2^(±1/6)); NaN for a band holding no point.
std::vector<double> third_octave_levels(const FrequencyResponse& r, const std::vector<double>& centres_hz);

// The report of `room`. Throws roomcal::Error if the room has no measurements.
Document room_document(const Room& room, const RoomReportOptions& options = {});

}  // namespace roomcal::report
