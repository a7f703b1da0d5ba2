// The virtual room as an audio device: what a mic (and a loopback input) would record
// while `playback` plays through one of the room's loudspeakers — loudspeaker
// nonlinearity, the room's response, interface latency, clock drift and noise. The
// ground truth for measurement tests, and the `--simulate` device of the CLI and UI.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include <map>

#include "roomcal/core/audio_buffer.hpp"
#include "roomcal/measure/recorder.hpp"
#include "roomcal/measure/virtual_room.hpp"

namespace roomcal::measure {

struct VirtualCapture {
    std::size_t speaker = 0;
    Vec3 mic;
    Hz sample_rate{48000.0};
    std::size_t ir_length = 1u << 17;
    std::uint64_t seed = 1;
    // Overrides of the room's measuring-chain figures (nullopt: the room's own).
    std::optional<double> noise_floor_dbfs;
    std::optional<double> h2_db;
    std::optional<double> h3_db;
    std::optional<double> latency_samples;
    std::optional<double> drift_ppm;
    // An impulse response to use instead of the room's (e.g. a known test IR).
    std::optional<ImpulseResponse> impulse_response;
};

// Level at which the room's h2_db / h3_db figures hold; harmonics scale with level
// (2nd by 1 dB per dB, 3rd by 2 dB per dB), as a real driver's do.
inline constexpr double distortion_reference_dbfs = -20.0;

struct VirtualRecording {
    AudioBuffer<double> audio;      // channel 0: mic; channel 1: loopback (the played signal)
    ImpulseResponse true_response;  // the loudspeaker-to-mic response that was applied
    double latency_samples = 0;
    double drift_ppm = 0;
};

// Records `playback` (played at sample_rate by the playback clock) as the virtual mic
// and loopback would; the recording is `extra_frames` longer than the playback.
VirtualRecording simulate_recording(const VirtualRoomSpec& room, const VirtualCapture& capture,
                                    const std::vector<double>& playback, std::size_t extra_frames);

// The virtual room behind the Recorder interface: the `--simulate NAME` device. Each take
// gets fresh noise; responses per speaker and mic position are computed once.
class VirtualRecorder final : public Recorder {
public:
    VirtualRecorder(const VirtualRoomSpec& room, Hz rate, bool loopback);
    Hz sample_rate() const override { return rate_; }
    std::vector<std::string> output_channels() const override;
    bool has_loopback() const override { return loopback_; }
    RecorderTake play_and_record(const std::vector<std::pair<std::string, std::vector<double>>>& playback,
                                 std::size_t extra_frames,
                                 const std::function<void(const RecorderProgress&)>& progress) override;
    void set_position(int position) override;
    std::string describe() const override;
    const VirtualRoomSpec& room() const { return room_; }
    // The response the virtual mic at `position` hears from `channel`: the ground truth.
    const ImpulseResponse& true_response(const std::string& channel, int position);

private:
    VirtualRoomSpec room_;
    Hz rate_;
    bool loopback_;
    int position_ = 1;
    std::uint64_t takes_ = 0;
    std::map<std::pair<std::string, int>, ImpulseResponse> responses_;
};

}  // namespace roomcal::measure
