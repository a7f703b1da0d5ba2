// A measurement session on any Recorder: a quiet level check before the first sweep of
// each channel, then K sweeps per channel and mic position, each analysed, averaged
// (time-aligned by the timing reference) and checked for repeatability.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "roomcal/core/room.hpp"
#include "roomcal/measure/recorder.hpp"
#include "roomcal/measure/recording_analysis.hpp"
#include "roomcal/measure/sweep.hpp"

namespace roomcal::measure {

struct SessionOptions {
    SweepSpec sweep;
    int sweeps = 1;                               // per channel and position
    bool loopback = false;                        // use the recorder's loopback input for timing
    std::optional<std::string> timing_reference;  // play the timing markers on this channel
    bool compensate_drift = true;
};

struct LevelCheck {
    double tone_dbfs = 0.0;            // level of the check tone as played
    double recorded_dbfs = 0.0;        // its level at the mic
    double predicted_peak_dbfs = 0.0;  // the sweep's expected peak at the mic
    double snr_db = 0.0;               // at 1 kHz, against the noise just before it
};

struct TakeResult {
    Measurement measurement;
    RecordingAnalysis analysis;     // of the averaged response
    double repeatability_db = 0.0;  // largest deviation of one sweep from their mean, 100 Hz–10 kHz
    double repeatability_at_hz = 0.0;
};

using SessionProgress = std::function<void(const std::string& stage, const RecorderProgress&)>;

class MeasurementSession {
public:
    MeasurementSession(Recorder& recorder, SessionOptions options);

    const Sweep& sweep() const { return sweep_; }

    // Plays a quiet 1 kHz tone on `channel` and predicts the sweep's level at the mic.
    // Throws roomcal::Error when no signal arrives, or the sweep would clip or be too quiet.
    LevelCheck check_level(const std::string& channel, const SessionProgress& progress = {});

    // Measures `channel` at mic `position` (the recorder is moved there first).
    TakeResult measure(const std::string& channel, int position, const SessionProgress& progress = {});

private:
    Recorder& recorder_;
    SessionOptions options_;
    Sweep sweep_;
};

}  // namespace roomcal::measure
