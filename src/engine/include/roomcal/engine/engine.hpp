// The processing engine: input → correction → mastering chain → output ceiling → meters,
// block by block, the same code for the audio callback and the offline render. Corrections and
// chains arrive whole through wait-free swaps and are crossfaded in; turning either on
// or off crossfades against its bypass path, delayed by the stage's latency (so nothing
// jumps in time) and, for the chain, level-matched (so an A/B is fair). Real-time
// contract: the constructor allocates, process() never does.
#pragma once

#include <atomic>
#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "roomcal/engine/chain.hpp"
#include "roomcal/engine/correction.hpp"
#include "roomcal/engine/level_match.hpp"
#include "roomcal/engine/meters.hpp"
#include "roomcal/rt/latest_object.hpp"

namespace roomcal::engine {

struct EngineConfig {
    Hz sample_rate{48000.0};
    std::size_t max_block = 1024;
    std::vector<std::string> channels{"L", "R"};
    double crossfade_ms = 20.0;   // every switch ramps over this long
    double ceiling_db = 0.0;      // no output sample beyond this (dBFS), ever
    double max_latency_s = 1.0;   // the longest correction latency the dry path can match
    bool mastering_chain = true;  // false: no chain stage, and none of its latency
    // Track the loudness of the chain's input and output, so its bypass plays level-matched
    // (bypass_match_db()). An offline render, which never bypasses, turns it off: the
    // bypass then plays at the chain input's level.
    bool level_match = true;
    // false (an offline render): the correction and chain given to start_with() run from
    // start to end, never switched, so the engine keeps no dry or bypass path and runs the
    // correction straight into the output. set_correction() and set_chain() then throw;
    // the on/off switches have no effect.
    bool switchable = true;
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
    void start_with(std::unique_ptr<Correction> first, std::unique_ptr<Chain> chain = nullptr);
    // [main thread] while the audio is stopped: every processed block also goes to `tap`
    // (the meters; nullptr: none). The tap must outlive the engine's use of it.
    void attach_meters(MeterTap* tap) noexcept { meter_tap_ = tap; }
    // [main thread] Deletes what the audio thread has let go of; call now and then.
    void collect();

    // [main thread] Hands a mastering chain prepared for this engine's rate, block and
    // channels to the audio thread (crossfaded); nullptr: no chain (its bypass path).
    void set_chain(std::unique_ptr<Chain> next);
    // [any thread] Chain on (true) or bypassed, level-matched; the change crossfades.
    void set_chain_enabled(bool on) noexcept { chain_enabled_.store(on, std::memory_order_relaxed); }
    bool chain_enabled() const noexcept { return chain_enabled_.load(std::memory_order_relaxed); }
    // [any thread] The gain (dB) the chain's bypass path gets to match its loudness.
    double bypass_match_db() const noexcept { return match_db_.load(std::memory_order_relaxed); }
    // [any thread] The chain's limiter gain reduction now (dB, positive), for a meter.
    double gain_reduction_db() const noexcept { return reduction_db_.load(std::memory_order_relaxed); }

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
    // Throw roomcal::Error for a stage prepared for another rate, channel count or latency.
    void check(const Correction& c) const;
    void check(const Chain& c) const;
    void process_block(const float* const* in, float* const* out, std::size_t frames) noexcept;
    void correction_stage(const float* const* in, std::size_t frames) noexcept;
    void fixed_stages(const float* const* in, float* const* out, std::size_t frames) noexcept;
    void chain_stage(float* const* out, std::size_t frames) noexcept;
    void chain_bypass_delay(const float* const* from, float* const* to, std::size_t frames) noexcept;

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
    // The chain stage: its bypass path waits as long as the chain (fixed per rate).
    rt::LatestObject<Chain> chain_offered_;
    std::unique_ptr<Chain> chain_;
    Chain* chain_incoming_ = nullptr;
    std::size_t chain_swap_pos_ = 0;
    float chain_gain_ = 1.0f;
    std::atomic<bool> chain_enabled_{true};
    std::size_t chain_latency_ = 0;
    std::vector<std::vector<float>> chain_delay_;
    std::size_t chain_pos_ = 0;
    std::vector<std::vector<float>> post_, bypass_, proc_, proc_next_;
    std::vector<float*> post_ptr_, bypass_ptr_, proc_ptr_, proc_next_ptr_;
    LevelMatch match_;
    float match_gain_ = 1.0f;
    std::atomic<double> match_db_{0.0};
    std::atomic<double> reduction_db_{0.0};
    MeterTap* meter_tap_ = nullptr;
    std::atomic<std::size_t> latency_{0};
    std::atomic<std::size_t> clipped_{0};
    std::atomic<std::size_t> crossfades_{0};
};

}  // namespace roomcal::engine
