// Where the monitor's sound runs: a PortAudio device (engine::LiveAudio), or the virtual
// room's clock (`--simulate`): a thread that runs the very same engine block by block at
// the audio rate with no device behind it. Either way the engine's output feeds the
// meters, which a meter thread updates so the UI only copies a snapshot.
#pragma once

#include <atomic>
#include <memory>
#include <optional>
#include <string>
#include <thread>

#include "roomcal/engine/devices.hpp"
#include "roomcal/engine/engine.hpp"
#include "roomcal/engine/live_audio.hpp"
#include "roomcal/engine/meters.hpp"

namespace roomcal::ui {

struct AudioSetup {
    bool simulated = true;  // false: a PortAudio device
    std::string device;     // as engine::find_device(); empty: the default
    double sample_rate = 48000.0;
    unsigned frames_per_buffer = 256;
    std::size_t channels = 2;
};

struct AudioStatus {
    bool running = false;
    std::string device;  // what the sound runs through, for the Audio page
    double sample_rate = 0.0;
    unsigned frames_per_buffer = 0;
    double latency_ms = 0.0;  // device in + out and the engine's own
    double load = 0.0;        // 0..1: the last second's processing time over its audio time
    std::size_t callbacks = 0, xruns = 0, late = 0;
    double max_callback_ms = 0.0;
    std::string error;  // a lost device: what happened and what to do
};

class AudioDriver {
public:
    // [main thread] Starts the sound at once; `player` (may be null: pass-through or
    // silence) is what plays. Throws roomcal::Error naming a device that will not open.
    AudioDriver(const AudioSetup& setup, std::unique_ptr<engine::FilePlayer> player);
    // [main thread] Fades out, stops the audio and the meter thread.
    ~AudioDriver();
    AudioDriver(const AudioDriver&) = delete;
    AudioDriver& operator=(const AudioDriver&) = delete;

    // [main thread]
    engine::Engine& engine() { return *engine_; }
    engine::FilePlayer* player() { return player_.get(); }
    const AudioSetup& setup() const { return setup_; }
    AudioStatus status();
    // [any thread]
    engine::MeterReadings readings() const { return meters_.readings(); }
    void reset_meters() { meters_.reset(); }

private:
    void simulated_loop();

    AudioSetup setup_;
    std::unique_ptr<engine::Engine> engine_;
    std::unique_ptr<engine::FilePlayer> player_;
    engine::Meters meters_;
    std::optional<engine::PortAudioSession> session_;
    std::unique_ptr<engine::LiveAudio> live_;
    std::thread audio_thread_, meter_thread_;
    std::atomic<bool> stop_{false};
    // The simulated device's counters (written by its thread only).
    std::atomic<std::size_t> sim_callbacks_{0}, sim_late_{0};
    std::atomic<double> sim_load_{0.0}, sim_max_ms_{0.0};
    std::string error_;
};

}  // namespace roomcal::ui
