// The correction stage of the engine: per channel the FilterSet's gain, alignment delay,
// biquads (double state: low, high-Q bass filters are noisy in float) and FIR (zero-latency
// partitioned convolution, its later partitions on a worker thread per channel), built on
// the main thread for one sample rate and run on the audio thread.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "roomcal/core/filter_set.hpp"
#include "roomcal/dsp/partitioned_convolver.hpp"

namespace roomcal::engine {

class Correction {
public:
    // [main thread] Prepares `set` for `channels` (named as in the set: "L", "R", ...) at
    // `rate`, for calls of up to `max_block` frames. Throws roomcal::Error when the set was
    // made for another rate or has no filter for one of the channels, naming what to do.
    // `worker_priority` > 0 runs the FIR workers under SCHED_FIFO at that priority (set it
    // below the audio thread's; ignored when the system refuses real-time scheduling).
    Correction(const FilterSet& set, Hz rate, std::size_t max_block, const std::vector<std::string>& channels,
               int worker_priority = 0);
    ~Correction();
    Correction(const Correction&) = delete;
    Correction& operator=(const Correction&) = delete;

    // [main thread, offline only] From now on process() hands the second half of the
    // channels to a helper thread of the correction's own and waits for it: faster on
    // several cores, but the wait is unbounded, so never on an audio thread. Throws
    // roomcal::Error when the thread cannot be started.
    void process_channels_in_parallel();

    // [audio thread] out = corrected in, any frames up to max_block; in and out may alias.
    void process(const float* const* in, float* const* out, std::size_t frames) noexcept;
    // [main thread] Clears all signal history.
    void reset();

    // [any thread] Times the audio thread had to wait for a FIR's worker (a missed deadline).
    std::size_t worker_waits() const;
    // The set's own latency (linear- and mixed-phase FIRs), in samples.
    std::size_t latency_samples() const { return latency_; }
    std::size_t channels() const { return units_.size(); }
    Hz sample_rate() const { return rate_; }
    const std::string& description() const { return description_; }

private:
    struct Section {
        double b0, b1, b2, a1, a2;
        double s1 = 0.0, s2 = 0.0;  // transposed direct form II state
    };
    struct Unit {
        float gain = 1.0f;
        std::vector<Section> sections;
        std::vector<float> delay;  // ring of `delay_samples` + max_block
        std::size_t delay_samples = 0, delay_pos = 0;
        dsp::PartitionedConvolver fir;
        std::vector<float> scratch;
    };
    struct Helper;

    void process_units(std::size_t first, std::size_t last, const float* const* in, float* const* out,
                       std::size_t frames) noexcept;

    std::vector<Unit> units_;
    std::unique_ptr<Helper> helper_;
    Hz rate_;
    std::size_t max_block_ = 0;
    std::size_t latency_ = 0;
    std::string description_;
};

// The power-of-two convolution block for calls of up to `max_block` frames.
std::size_t convolution_block(std::size_t max_block);

}  // namespace roomcal::engine
