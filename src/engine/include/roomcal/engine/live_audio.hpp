// Live audio through PortAudio: one full-duplex stream whose callback feeds the Engine
// either the device's input (pass-through: a DAW routed into roomcal through JACK,
// PipeWire or a loopback device) or a file player with two files at aligned positions
// (A/B, crossfaded), and reports callbacks, xruns, late callbacks and load. A watchdog on
// the main thread notices a device that vanishes and silences the output.
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <memory>
#include <string>

#include "roomcal/core/audio_buffer.hpp"
#include "roomcal/engine/engine.hpp"

namespace roomcal::engine {

// Two versions of the music (a mix and its master, say), played from the same position;
// switching between them crossfades over the engine's crossfade time.
class FilePlayer {
public:
    // [main thread] `a` and `b` (b may be empty) must have the engine's channel count;
    // the shorter one is padded with silence. Throws roomcal::Error naming the mismatch.
    FilePlayer(AudioBuffer<float> a, AudioBuffer<float> b, std::size_t channels, std::size_t fade_samples);

    // [any thread]
    void play() noexcept { playing_.store(true); }
    void pause() noexcept { playing_.store(false); }
    bool playing() const noexcept { return playing_.load(); }
    void select_b(bool b) noexcept { want_b_.store(b && has_b_); }
    bool b_selected() const noexcept { return want_b_.load(); }
    void seek(std::size_t frame) noexcept { seek_to_.store(frame); }
    std::size_t position() const noexcept { return position_.load(); }
    std::size_t frames() const noexcept { return a_.num_frames(); }

    // [audio thread] Writes `frames` frames of the selected file (silence when paused or
    // past the end, where it stops).
    void render(float* const* out, std::size_t frames) noexcept;

private:
    AudioBuffer<float> a_, b_;
    bool has_b_ = false;
    std::size_t channels_ = 0;
    float step_ = 1.0f, mix_ = 0.0f;  // 0: A, 1: B
    std::atomic<bool> playing_{false}, want_b_{false};
    std::atomic<std::size_t> position_{0}, seek_to_{static_cast<std::size_t>(-1)};
};

struct LiveAudioConfig {
    std::string device;  // as find_device(); empty: the default device
    double sample_rate = 48000.0;
    unsigned frames_per_buffer = 128;
};

struct LiveStats {
    std::size_t callbacks = 0;
    std::size_t input_overflows = 0, output_underflows = 0;  // as PortAudio reports them
    std::size_t late_callbacks = 0;                          // took longer than their buffer lasts
    double max_callback_ms = 0.0;
    double cpu_load = 0.0;  // PortAudio's estimate, 0..1
    // The stream as opened: the rate the device runs at and PortAudio's latency estimates.
    double sample_rate = 0.0;
    double input_latency_s = 0.0, output_latency_s = 0.0;
};

// What the watchdog last saw of the device.
struct LiveHealth {
    enum class State { ok, device_lost };
    State state = State::ok;
    std::string message;  // for device_lost: which device, what happened, what to do
    bool ok() const { return state == State::ok; }
};

class LiveAudio {
public:
    // [main thread] Opens the stream on `config.device` with the engine's channels on both
    // sides (input unused when `player` is given). Needs a live PortAudioSession; the engine
    // must run at the stream's rate with a max block of at least frames_per_buffer. Throws
    // roomcal::Error naming the device when it is missing or refuses the format.
    LiveAudio(const LiveAudioConfig& config, Engine& engine, FilePlayer* player = nullptr);
    // [main thread] Stops as stop() does. After a device loss on JACK, the stream is left
    // open and its callback state kept for the rest of the process (see end_lost_stream()).
    ~LiveAudio();
    LiveAudio(const LiveAudio&) = delete;
    LiveAudio& operator=(const LiveAudio&) = delete;

    // [main thread] Throws roomcal::Error naming the device when it will not start.
    void start();
    // [main thread] Fades the output to silence within a buffer, then stops the stream. Returns
    // within about a second even when the device has vanished (which health() then reports);
    // never throws.
    void stop() noexcept;
    // [main thread] True between start() and stop() while the device is there.
    bool running() const;
    // [main thread] The watchdog; call it now and then (a few times a second) while running.
    // Reports device_lost when the stream ended by itself, PortAudio says it is no longer
    // active, or no callback came for the watchdog's limit (see watchdog_limit_s()); from
    // then on every callback that still comes outputs silence, and the state stays lost.
    LiveHealth health();
    // [main thread] (PortAudio's load estimate needs the stream, which a loss may close)
    LiveStats stats() const;
    // [any thread] How long callbacks may stay away before health() calls the device lost.
    double watchdog_limit_s() const { return watchdog_limit_s_; }
    const std::string& device_name() const { return device_name_; }

    struct Shared;

private:
    void lose(const std::string& why);

    std::shared_ptr<Shared> shared_;
    void* stream_ = nullptr;
    std::string device_name_;
    double watchdog_limit_s_ = 1.0;
    double sample_rate_ = 0.0, input_latency_s_ = 0.0, output_latency_s_ = 0.0;
    bool started_ = false;
    bool left_open_ = false;  // the stream outlives this object (a lost JACK stream)
    LiveHealth health_;
    std::size_t seen_callbacks_ = 0;
    std::chrono::steady_clock::time_point seen_at_{};
};

}  // namespace roomcal::engine
