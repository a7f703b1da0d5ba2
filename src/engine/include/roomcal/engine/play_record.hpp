// Plays a buffer through chosen device outputs while recording chosen inputs (PortAudio),
// sample-locked in one full-duplex stream when one device does both: the sweep measurement.
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <vector>

#include "roomcal/core/audio_buffer.hpp"

namespace roomcal::engine {

// The PortAudio index of the device the user named: its index as a number, its exact name,
// or a case-insensitive part of its name that only one device has; an empty name is the
// default device. Throws roomcal::UsageError listing the candidates when nothing or more
// than one device matches, or when the device has no channels in the needed direction, and
// roomcal::Error when there is no default device. Requires a live PortAudioSession.
int find_device(const std::string& name_or_index, bool for_input);

struct PlayRecordConfig {
    std::string output_device;  // as for find_device; empty = the default device
    std::string input_device;
    std::vector<int> output_channels;  // 0-based device channels, one per playback channel
    std::vector<int> input_channels;   // 0-based device channels, one per recorded channel
    double sample_rate = 48000;
    unsigned frames_per_buffer = 256;  // 0 lets the host choose
};

struct PlayRecordProgress {
    double fraction = 0.0;               // of the recording done, 0..1
    std::vector<float> input_peak_dbfs;  // per recorded channel since the last report, floored at -120
};

struct PlayRecordResult {
    AudioBuffer<float> recorded;     // one channel per input_channels entry
    unsigned input_overflows = 0;    // callbacks whose input was incomplete
    unsigned output_underflows = 0;  // callbacks whose output was incomplete
    double actual_sample_rate = 0.0;
    std::size_t clamped_samples = 0;
    // 1 + the recorded frame at which the last overflow/underflow struck; 0 when none did.
    std::size_t last_fault_frame = 0;  // playback samples beyond ±1 or not finite, sent as ±1 or 0
};

// Plays `playback` (one channel per output_channels entry) and records
// playback.num_frames() + extra_record_frames frames; on_progress is called on the calling
// thread about 20 times a second. Everything is validated before a stream opens. Throws
// roomcal::UsageError for bad arguments and roomcal::Error when a device is missing,
// refuses the format, or stops before the recording is complete: there is never a partial
// result. Opens its own PortAudioSession.
PlayRecordResult play_and_record(const PlayRecordConfig& config, AudioView<const float> playback,
                                 std::size_t extra_record_frames,
                                 const std::function<void(const PlayRecordProgress&)>& on_progress = {});

}  // namespace roomcal::engine
