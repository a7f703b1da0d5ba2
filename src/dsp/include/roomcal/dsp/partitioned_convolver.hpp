// Zero-latency FIR convolution with non-uniform partitions (Gardner 1995; Garcia 2002;
// Wefers 2015): the filter's head runs in partitions of the block size, later parts in
// partitions four times larger per level, so a long filter costs little per sample at a
// small block. Every level is uniformly partitioned overlap-add in the frequency domain
// (float, FFTW); a level of partition P starts at least 2P taps in, so its output is
// needed only one of its periods after its input is complete.
#pragma once

#include <complex>
#include <cstddef>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "roomcal/dsp/fft.hpp"

namespace roomcal::dsp {

struct ConvolverOptions {
    std::size_t block = 64;             // the first partition: the block the audio thread runs at
    std::size_t max_partition = 4096;  // the largest partition (4096 measured fastest for 16k–64k taps)
    PlanRigor rigor = PlanRigor::measure;
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
    PartitionedConvolver() = default;
    PartitionedConvolver(const PartitionedConvolver&) = delete;
    PartitionedConvolver& operator=(const PartitionedConvolver&) = delete;
    PartitionedConvolver(PartitionedConvolver&&) noexcept = default;
    PartitionedConvolver& operator=(PartitionedConvolver&&) noexcept = default;

    // [main thread] Allocates and transforms the filter. Throws roomcal::UsageError for an
    // empty filter, a non-finite tap (naming its index) or a block that is not a power of
    // two in 16–8192.
    void prepare(std::span<const float> filter, const ConvolverOptions& o = {});
    // [main thread] Clears the signal history; the filter stays.
    void reset();
    // [audio thread] out = in convolved with the filter, sample for sample (no latency), for
    // any number of frames per call; in and out may be the same array. Never allocates.
    void process(const float* in, float* out, std::size_t frames) noexcept;

    bool prepared() const { return !levels_.empty(); }
    std::size_t taps() const { return taps_; }
    const std::vector<ConvolverLevel>& layout() const { return layout_; }

private:
    // Uniformly partitioned overlap-add of one level.
    struct Level {
        ConvolverLevel shape;
        const RealFft<float>* fft = nullptr;
        std::vector<FftBuffer<std::complex<float>>> filter;  // partition spectra
        std::vector<FftBuffer<std::complex<float>>> inputs;  // the last `partitions` input spectra, a ring
        std::size_t newest = 0;                              // ring index of the newest input spectrum
        FftBuffer<std::complex<float>> sum;                  // Σ filter·input (bins)
        FftBuffer<std::complex<float>> scratch;              // bins, destroyed by the inverse FFT
        FftBuffer<float> segment;                            // the input segment, zero-padded to 2P
        FftBuffer<float> time;                               // inverse FFT output, 2P
        std::size_t filled = 0;                              // samples in the current segment
    };

    void head_output(std::size_t count, float* out) noexcept;
    void head_complete() noexcept;
    void level_complete(Level& l) noexcept;

    std::vector<Level> levels_;  // [0]: the head at the block size, the rest from the ring
    std::vector<ConvolverLevel> layout_;
    std::vector<std::unique_ptr<RealFft<float>>> ffts_;
    FftBuffer<float> head_tail_;  // the head's overlap from its previous segment
    FftBuffer<float> future_;     // later levels' output, a ring indexed by sample time
    std::size_t future_mask_ = 0;
    std::size_t now_ = 0;  // samples processed since reset (mod ring size)
    std::size_t taps_ = 0;
};

}  // namespace roomcal::dsp
