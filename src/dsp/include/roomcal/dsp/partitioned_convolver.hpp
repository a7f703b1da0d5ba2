// Zero-latency FIR convolution with non-uniform partitions (Gardner 1995; Garcia 2002;
// Wefers 2015): the filter's head runs in partitions of the block size, later parts in
// partitions four times larger per level, so a long filter costs little per sample at a
// small block. Every level is uniformly partitioned overlap-add in the frequency domain
// (float, FFTW); a level of partition P starts at least 2P taps in, so its output is
// needed only one of its periods after its input is complete.
//
// Two schedules for the later levels: on the caller's thread inside process() (a block
// that completes a large level costs more than the others), or on a worker thread of the
// convolver, which gets each completed segment and has one level period to transform it
// while the caller runs only the head (every block costs about the same).
#pragma once

#include <complex>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "roomcal/dsp/fft.hpp"

namespace roomcal::dsp {

enum class ConvolverSchedule {
    caller,  // every level inside process(), on the caller's thread
    worker,  // the head inside process(), later levels on the convolver's worker thread
};

struct ConvolverOptions {
    std::size_t block = 64;            // the first partition: the block the audio thread runs at
    std::size_t max_partition = 4096;  // the largest partition (4096 measured fastest for 16k–64k taps)
    PlanRigor rigor = PlanRigor::measure;
    ConvolverSchedule schedule = ConvolverSchedule::caller;
    // SCHED_FIFO priority of the worker thread (0: normal scheduling). Set it below the audio
    // thread's; when the system refuses real-time scheduling the worker runs normally.
    int worker_priority = 0;
};

// One level of the layout: `partitions` partitions of `size` taps from tap `offset`.
struct ConvolverLevel {
    std::size_t size = 0, offset = 0, partitions = 0;
};

// The levels a filter of `taps` taps gets at these options (empty for no taps).
std::vector<ConvolverLevel> convolver_layout(std::size_t taps, const ConvolverOptions& o);

// One channel. Not copyable while prepared (owns FFT plans and aligned buffers).
class PartitionedConvolver {
public:
    PartitionedConvolver();
    ~PartitionedConvolver();
    PartitionedConvolver(const PartitionedConvolver&) = delete;
    PartitionedConvolver& operator=(const PartitionedConvolver&) = delete;
    PartitionedConvolver(PartitionedConvolver&&) noexcept;
    PartitionedConvolver& operator=(PartitionedConvolver&&) noexcept;

    // [main thread] Allocates and transforms the filter. Throws roomcal::UsageError for an
    // empty filter, a non-finite tap (naming its index) or a block that is not a power of
    // two in 16–65536.
    void prepare(std::span<const float> filter, const ConvolverOptions& o = {});
    // [main thread] Clears the signal history; the filter stays. Not while process() runs.
    void reset();
    // [audio thread] out = in convolved with the filter, sample for sample (no latency), for
    // any number of frames per call; in and out may be the same array. Never allocates. With
    // the worker schedule it wakes the worker (a futex wake when it sleeps, never blocking);
    // when the worker has missed a deadline it does the late job itself if the worker has
    // not started it (counted in taken_back()), and waits for it only if it has (late()).
    void process(const float* in, float* out, std::size_t frames) noexcept;

    bool prepared() const { return !levels_.empty(); }
    std::size_t taps() const { return taps_; }
    const std::vector<ConvolverLevel>& layout() const { return layout_; }
    ConvolverSchedule schedule() const { return worker_ ? ConvolverSchedule::worker : ConvolverSchedule::caller; }
    // [any thread] Times process() had to wait for the worker since prepare.
    std::size_t late() const;
    // [any thread] Jobs the worker had not started by their deadline, which process() then
    // did itself, since prepare.
    std::size_t taken_back() const;
    // [any thread] Whether the worker got the real-time priority it was asked for.
    bool worker_realtime() const;

private:
    // Uniformly partitioned overlap-add of one level.
    struct Level {
        ConvolverLevel shape;
        const RealFft<float>* fft = nullptr;
        // Spectra are split: `stride` real parts, then `stride` imaginary parts.
        std::size_t stride = 0;
        std::vector<FftBuffer<float>> filter;    // partition spectra
        std::vector<FftBuffer<float>> inputs;    // the last `partitions` input spectra, a ring
        std::size_t newest = 0;                  // ring index of the newest input spectrum
        FftBuffer<float> sum;                    // Σ filter·input
        FftBuffer<std::complex<float>> scratch;  // bins as FFTW has them; destroyed by the inverse FFT
        FftBuffer<float> segment;                // the input segment, zero-padded to 2P
        FftBuffer<float> handed;                 // worker schedule: the segment it transforms
        FftBuffer<float> time;                   // inverse FFT output, 2P
        std::size_t filled = 0;                  // samples in the current segment
        std::uint32_t jobs = 0;                  // worker schedule: segments handed over
    };
    struct Worker;

    void head_output(std::size_t count, float* out) noexcept;
    void add_future(float* out, std::size_t count) noexcept;
    void head_complete() noexcept;
    static void level_transform(Level& l, const float* segment) noexcept;
    void level_add(const Level& l, std::size_t completed_at) noexcept;
    void level_complete(Level& l) noexcept;
    void level_hand_over(std::size_t k) noexcept;
    void stop_worker() noexcept;

    std::vector<Level> levels_;  // [0]: the head at the block size, the rest from the ring
    std::vector<ConvolverLevel> layout_;
    std::vector<std::unique_ptr<RealFft<float>>> ffts_;
    FftBuffer<float> head_tail_;  // the head's overlap from its previous segment
    FftBuffer<float> future_;     // later levels' output, a ring indexed by sample time
    std::size_t future_mask_ = 0;
    std::size_t now_ = 0;  // samples processed since reset (mod ring size)
    std::size_t taps_ = 0;
    std::unique_ptr<Worker> worker_;  // worker schedule only
};

}  // namespace roomcal::dsp
