// What a measurement needs from an audio device: play some channels, record some
// inputs at the same time. The PortAudio device and the virtual room both provide it.
#pragma once

#include <functional>
#include <string>

#include "roomcal/core/audio_buffer.hpp"
#include "roomcal/core/units.hpp"

namespace roomcal::measure {

struct RecorderProgress {
    double fraction = 0.0;            // of the whole take
    double input_peak_dbfs = -200.0;  // live level of the mic input
};

struct RecorderTake {
    AudioBuffer<double> audio;           // channel 0: the mic; channel 1: the loopback, when present
    unsigned dropouts = 0;               // overflows/underflows the device reported during the take
    std::size_t last_dropout_frame = 0;  // 1 + the frame of the last one; 0: none
};

class Recorder {
public:
    virtual ~Recorder() = default;
    virtual Hz sample_rate() const = 0;
    // Output channel names the recorder can play ("L", "R", ...).
    virtual std::vector<std::string> output_channels() const = 0;
    virtual bool has_loopback() const = 0;
    // Plays `playback` (one row per output channel, by name: rows absent stay silent) and
    // records for the playback's length plus `extra_frames`. Throws roomcal::Error when
    // the device fails; never returns a partial take.
    virtual RecorderTake play_and_record(const std::vector<std::pair<std::string, std::vector<double>>>& playback,
                                         std::size_t extra_frames,
                                         const std::function<void(const RecorderProgress&)>& progress) = 0;
    // Where the mic is for the next takes (1-based); devices ignore it, the virtual room moves its mic.
    virtual void set_position(int position) = 0;
    virtual std::string describe() const = 0;
};

}  // namespace roomcal::measure
