// The processing engine: input → correction → output ceiling, block by block, the same
// code for the audio callback and the offline render. Corrections arrive whole through
// a wait-free swap and are crossfaded in; turning the correction on or off crossfades
// against the dry signal delayed by the correction's latency, so nothing clicks or
// jumps in time. Real-time contract: prepare() allocates, process() never does.
#pragma once

#include <atomic>
#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "roomcal/engine/correction.hpp"
#include "roomcal/rt/latest_object.hpp"

namespace roomcal::engine {

struct EngineConfig {
    Hz sample_rate{48000.0};
    std::size_t max_block = 1024;
    std::vector<std::string> channels{"L", "R"};
    double crossfade_ms = 20.0;  // every switch ramps over this long
    double ceiling_db = 0.0;     // no output sample beyond this (dBFS), ever
    double max_latency_s = 1.0;  // the longest correction latency the dry path can match
};

class Engine {
public:
    // [main thread] Allocates everything process() needs. Throws roomcal::UsageError for
    // an unusable configuration (no channels or more than 64, a block outside 1–65536
    // frames, a rate outside 8–384 kHz).
    explicit Engine(const EngineConfig& config);
    ~Engine();
    Engine(const Engine&) = delete;
    Engine& operator=(const Engine&) = delete;

    // [main thread] Hands a correction prepared for this engine's rate, block and channels
    // to the audio thread, which crossfades to it; nullptr crossfades to no correction.
    void set_correction(std::unique_ptr<Correction> next);
    // [main thread] while the audio is stopped: runs `first` from the next sample on, with
    // no crossfade (an offline render, or a stream about to start).
    void start_with(std::unique_ptr<Correction> first);
    // [main thread] Deletes what the audio thread has let go of; call now and then.
    void collect();

    // [any thread] Correction on (true) or bypassed; the change crossfades.
    void set_correction_enabled(bool on) noexcept { correction_enabled_.store(on, std::memory_order_relaxed); }
    bool correction_enabled() const noexcept { return correction_enabled_.load(std::memory_order_relaxed); }

    // [audio thread] out = processed in, `frames` frames per channel, any count; in and
    // out may alias. Never allocates, locks or throws.
    void process(const float* const* in, float* const* out, std::size_t frames) noexcept;
    // [main thread] while the audio is stopped: clears all signal history.
    void reset();

    // [any thread] Samples the engine delays the signal by (for a DAW's compensation).
    std::size_t latency_samples() const noexcept { return latency_.load(std::memory_order_relaxed); }
    // [any thread] Output samples the ceiling had to clip (the limiter should have caught them).
    std::size_t clipped_samples() const noexcept { return clipped_.load(std::memory_order_relaxed); }
    // [any thread] How many switches (correction swaps, on/off) have finished crossfading.
    std::size_t crossfades_done() const noexcept { return crossfades_.load(std::memory_order_relaxed); }
    const EngineConfig& config() const { return config_; }

private:
    void process_block(const float* const* in, float* const* out, std::size_t frames) noexcept;

    EngineConfig config_;
    std::size_t fade_samples_ = 1;
    float ceiling_ = 1.0f;
    rt::LatestObject<Correction> offered_;
    std::unique_ptr<Correction> current_;  // audio thread's, between swaps
    Correction* incoming_ = nullptr;       // being faded in
    std::size_t swap_pos_ = 0;
    float enabled_gain_ = 1.0f;  // 0: dry, 1: corrected; ramps towards the switch
    std::atomic<bool> correction_enabled_{true};
    // Dry path: delayed by the correction's latency, so on/off keeps the timing.
    std::vector<std::vector<float>> dry_delay_;
    std::size_t dry_pos_ = 0;
    std::vector<std::vector<float>> wet_, next_, dry_;
    std::vector<float*> wet_ptr_, next_ptr_;
    std::atomic<std::size_t> latency_{0};
    std::atomic<std::size_t> clipped_{0};
    std::atomic<std::size_t> crossfades_{0};
};

}  // namespace roomcal::engine
