// The corrected response a filter set predicts at every measured position (measured
// magnitude plus the correction's), and the figures that grade it: deviation from the
// target per third-octave band (band power over the unsmoothed response, the mean over
// the bands removed, since overall level is not a deviation) and its standard
// deviation across the bands, before and after.
#pragma once

#include <string>
#include <vector>

#include "roomcal/core/filter_set.hpp"
#include "roomcal/correct/room_data.hpp"
#include "roomcal/correct/target.hpp"

namespace roomcal::correct {

struct BandDeviation {
    double centre_hz = 0.0;
    double before_db = 0.0;
    double after_db = 0.0;
};

struct PositionPrediction {
    int position = 0;
    FrequencyResponse before, after;  // magnitude on analysis_grid()
    std::vector<BandDeviation> bands;
    double sd_before_db = 0.0, sd_after_db = 0.0;
};

struct ChannelPrediction {
    std::string channel;
    std::vector<double> target_db;  // on analysis_grid(), placed at the corrected average's level
    std::vector<double> correction_db;
    FrequencyResponse average_before, average_after;  // RMS averages over the positions
    std::vector<BandDeviation> average_bands;
    double sd_before_db = 0.0, sd_after_db = 0.0;  // at the average
    std::vector<PositionPrediction> positions;
};

struct BandRange {
    Hz low{30.0};
    Hz high{16000.0};
};

// Magnitude (dB) of a channel's whole correction (gain, biquads, FIR) on `grid_hz`.
std::vector<double> correction_db(const ChannelFilter& filter, Hz rate, const std::vector<double>& grid_hz);

// Third-octave deviations of `response_db` from `target_db` (both on the log grid
// `grid_hz`) within `range`, mean removed.
std::vector<std::pair<double, double>> band_deviations(const std::vector<double>& grid_hz,
                                                       const std::vector<double>& response_db,
                                                       const std::vector<double>& target_db, BandRange range = {});
// Standard deviation of the deviations above.
double band_sd(const std::vector<std::pair<double, double>>& deviations);

// The mean of (response - target) over 200 Hz–2 kHz: where the target sits.
double target_offset_db(const std::vector<double>& grid_hz, const std::vector<double>& response_db,
                        const std::vector<double>& target_db);

ChannelPrediction predict(const ChannelData& data, const ChannelFilter& filter, Hz rate, const TargetCurve& target,
                          BandRange range = {});

}  // namespace roomcal::correct
