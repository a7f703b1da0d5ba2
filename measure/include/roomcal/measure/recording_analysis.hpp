// From one sweep recording to a trustworthy impulse response: quality checks (silence,
// clipping, level, noise and SNR per octave band), timing (loopback wire, acoustic
// timing marker, or the direct sound), clock drift, deconvolution, harmonic distortion
// and decay times. Recordings that cannot give a sound result are refused with a
// message that says what to do; weaker ones carry warnings.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "roomcal/core/audio_buffer.hpp"
#include "roomcal/core/impulse_response.hpp"
#include "roomcal/measure/decay.hpp"
#include "roomcal/measure/sweep.hpp"

namespace roomcal::measure {

enum class TimingSource { loopback, acoustic_marker, direct_sound };
const char* to_string(TimingSource t);

struct AnalysisOptions {
    std::size_t mic_channel = 0;
    std::optional<std::size_t> loopback_channel;  // an input wired to the output
    bool compensate_drift = true;
    // Kept before the timing reference (t = 0): the low band edge's ringing precedes every
    // arrival, and cutting it would bend the bass of any response computed from the IR.
    Seconds pre_reference{0.1};
    std::optional<Seconds> ir_length;  // default: all the recording holds after the sweep
    int max_harmonic = 5;
};

struct BandValue {
    double centre_hz = 0.0;
    double value = 0.0;
};

struct DistortionPoint {
    double frequency_hz = 0.0;  // of the fundamental
    double thd_percent = 0.0;
    std::vector<double> harmonic_db;  // H2..Hmax relative to the fundamental, dB
};

struct RecordingAnalysis {
    ImpulseResponse impulse_response;  // t = 0 at the timing reference, pre_reference before it
    TimingSource timing = TimingSource::direct_sound;
    double latency_samples = 0.0;     // loopback: the interface's round trip; otherwise the
                                      // recorded delay of the timing reference
    double arrival_samples = 0.0;     // direct sound after t = 0 (acoustic delay)
    double timing_confidence = 0.0;   // 0..1: how clearly the reference stands out
    std::optional<double> drift_ppm;  // measured from the markers (compensated if asked)
    double peak_dbfs = 0.0;           // of the mic recording
    double noise_floor_db = 0.0;      // of the response's noise, relative to its peak
    std::vector<BandValue> snr_db;    // per octave band
    std::vector<DistortionPoint> distortion;
    std::vector<DecayResult> decay;
    std::vector<std::string> warnings;
};

// `recording`: what was captured while `sweep.signal` played (any number of channels).
// Throws roomcal::Error for a silent, clipped, too quiet, truncated or unrelated
// recording, naming the problem and what to do.
RecordingAnalysis analyze_recording(AudioView<const double> recording, const Sweep& sweep,
                                    const AnalysisOptions& options = {});

}  // namespace roomcal::measure
