// The mastering chain's audio stage: EQ bands (matched biquads, double state, so a band
// means the same at 44.1 and 96 kHz), makeup gain, then the true-peak limiter. Built on
// the main thread for one rate and channel count; its latency is the limiter's whether or
// not the limiter is on, so switching it never moves the sound in time.
#pragma once

#include <cstddef>
#include <vector>

#include "roomcal/core/mastering_chain.hpp"
#include "roomcal/dsp/true_peak_limiter.hpp"

namespace roomcal::engine {

class Chain {
public:
    // [main thread] Throws roomcal::UsageError for a chain out of range (validate()).
    Chain(const MasteringChain& chain, Hz rate, std::size_t max_block, std::size_t channels);

    // [audio thread] In place, up to max_block frames per call.
    void process(float* const* audio, std::size_t frames) noexcept;
    // [main thread] while the audio is stopped.
    void reset();

    // [any thread]
    std::size_t latency_samples() const { return limiter_.latency_samples(); }
    double gain_reduction_db() const { return chain_.limiter.enabled ? limiter_.gain_reduction_db() : 0.0; }
    const MasteringChain& settings() const { return chain_; }
    std::size_t channels() const { return channels_; }
    Hz sample_rate() const { return rate_; }

    // The chain's latency at `rate`, for an engine that must match it on its bypass path.
    static std::size_t latency_at(Hz rate);

private:
    struct Section {
        double b0, b1, b2, a1, a2;
    };
    MasteringChain chain_;
    Hz rate_;
    std::size_t channels_ = 0, max_block_ = 0;
    std::vector<Section> sections_;
    std::vector<std::vector<double>> state_;  // per channel: s1, s2 per section
    float makeup_ = 1.0f;
    dsp::TruePeakLimiter limiter_;
    // With the limiter off, a plain delay of its latency keeps the timing.
    std::vector<std::vector<float>> delay_;
    std::size_t delay_pos_ = 0;
};

}  // namespace roomcal::engine
