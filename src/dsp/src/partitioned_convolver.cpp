// Non-uniformly partitioned convolution: layout, preparation and the per-sample path.
#include "roomcal/dsp/partitioned_convolver.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "roomcal/core/error.hpp"

namespace roomcal::dsp {
namespace {

using cf = std::complex<float>;

bool power_of_two(std::size_t n) { return n > 0 && (n & (n - 1)) == 0; }

std::size_t next_power_of_two(std::size_t n) {
    std::size_t p = 1;
    while (p < n) p <<= 1;
    return p;
}

// acc += a·b over n bins. Split into real and imaginary parts so the compiler vectorises it.
void multiply_add(const cf* a, const cf* b, cf* acc, std::size_t n) noexcept {
    const float* x = reinterpret_cast<const float*>(a);
    const float* y = reinterpret_cast<const float*>(b);
    float* z = reinterpret_cast<float*>(acc);
    for (std::size_t k = 0; k < n; ++k) {
        const float xr = x[2 * k], xi = x[2 * k + 1], yr = y[2 * k], yi = y[2 * k + 1];
        z[2 * k] += xr * yr - xi * yi;
        z[2 * k + 1] += xr * yi + xi * yr;
    }
}

}  // namespace

std::vector<ConvolverLevel> convolver_layout(std::size_t taps, const ConvolverOptions& o) {
    std::vector<ConvolverLevel> out;
    std::size_t offset = 0, p = o.block;
    const std::size_t max_p = std::max(o.max_partition, o.block);
    while (offset < taps) {
        const std::size_t next = std::min(4 * p, max_p);
        // The next level may start once its partition fits twice before it: its output
        // is then due one of its periods after its input is complete.
        const std::size_t end = next == p ? taps : std::min(taps, std::max(2 * next, offset + p));
        const std::size_t parts = (end - offset + p - 1) / p;
        out.push_back({p, offset, parts});
        offset += parts * p;
        p = next;
    }
    return out;
}

void PartitionedConvolver::prepare(std::span<const float> filter, const ConvolverOptions& o) {
    if (filter.empty()) throw UsageError("the FIR filter has no taps");
    for (std::size_t i = 0; i < filter.size(); ++i)
        if (!std::isfinite(filter[i]))
            throw UsageError("the FIR filter's tap " + std::to_string(i) + " is not a finite number (NaN or Inf)");
    if (!power_of_two(o.block) || o.block < 16 || o.block > 8192)
        throw UsageError("convolution block " + std::to_string(o.block) + " must be a power of two in 16–8192");
    if (!power_of_two(o.max_partition) || o.max_partition < o.block)
        throw UsageError("the largest partition must be a power of two no smaller than the block");

    levels_.clear();
    ffts_.clear();
    layout_ = convolver_layout(filter.size(), o);
    taps_ = filter.size();
    std::size_t future = o.block;
    for (const auto& shape : layout_) {
        const std::size_t p = shape.size, bins = p + 1;
        auto it = std::find_if(ffts_.begin(), ffts_.end(), [&](const auto& f) { return f->size() == 2 * p; });
        if (it == ffts_.end()) {
            ffts_.push_back(std::make_unique<RealFft<float>>(2 * p, o.rigor));
            it = ffts_.end() - 1;
        }
        Level l;
        l.shape = shape;
        l.fft = it->get();
        l.segment = FftBuffer<float>(2 * p);
        l.time = FftBuffer<float>(2 * p);
        l.sum = FftBuffer<cf>(bins);
        l.scratch = FftBuffer<cf>(bins);
        // The inverse FFT is unnormalised (×2P): the partitions carry the 1/2P.
        const float scale = 1.0f / static_cast<float>(2 * p);
        for (std::size_t j = 0; j < shape.partitions; ++j) {
            const std::size_t from = shape.offset + j * p;
            const std::size_t n = std::min(p, filter.size() - std::min(filter.size(), from));
            for (std::size_t i = 0; i < 2 * p; ++i) l.segment[i] = i < n ? filter[from + i] * scale : 0.0f;
            FftBuffer<cf> spectrum(bins);
            l.fft->forward(l.segment.data(), spectrum.data());
            l.filter.push_back(std::move(spectrum));
            l.inputs.emplace_back(bins);
        }
        future = std::max(future, shape.offset + 3 * p);
        levels_.push_back(std::move(l));
    }
    head_tail_ = FftBuffer<float>(o.block);
    future_ = FftBuffer<float>(next_power_of_two(future + o.block));
    future_mask_ = future_.size() - 1;
    reset();
}

void PartitionedConvolver::reset() {
    for (auto& l : levels_) {
        for (auto& x : l.inputs) std::fill_n(x.data(), x.size(), cf{});
        std::fill_n(l.segment.data(), l.segment.size(), 0.0f);
        l.newest = 0;
        l.filled = 0;
        std::fill_n(l.sum.data(), l.sum.size(), cf{});
    }
    std::fill_n(head_tail_.data(), head_tail_.size(), 0.0f);
    std::fill_n(future_.data(), future_.size(), 0.0f);
    now_ = 0;
}

void PartitionedConvolver::process(const float* in, float* out, std::size_t frames) noexcept {
    if (levels_.empty()) {
        std::fill_n(out, frames, 0.0f);
        return;
    }
    Level& head = levels_.front();
    const std::size_t b = head.shape.size;
    while (frames > 0) {
        const std::size_t m = std::min(frames, b - head.filled);
        for (auto& l : levels_) std::memcpy(l.segment.data() + l.filled, in, m * sizeof(float));
        head_output(m, out);
        for (std::size_t i = 0; i < m; ++i) {
            float& f = future_[(now_ + i) & future_mask_];
            out[i] += f;
            f = 0.0f;
        }
        now_ += m;
        for (auto& l : levels_) l.filled += m;
        if (head.filled == b) head_complete();
        for (std::size_t k = 1; k < levels_.size(); ++k)
            if (levels_[k].filled == levels_[k].shape.size) level_complete(levels_[k]);
        in += m;
        out += m;
        frames -= m;
    }
}

// The head's output for the `count` newest samples of its current segment: the segment so
// far (zero-padded) through the first partition, plus what earlier segments contribute
// through the later partitions (summed when the segment began), plus the previous
// segment's overlap.
void PartitionedConvolver::head_output(std::size_t count, float* out) noexcept {
    Level& h = levels_.front();
    const std::size_t bins = h.sum.size();
    cf* x = h.inputs[h.newest].data();
    h.fft->forward(h.segment.data(), x);
    std::memcpy(h.scratch.data(), h.sum.data(), bins * sizeof(cf));
    multiply_add(h.filter[0].data(), x, h.scratch.data(), bins);
    h.fft->inverse(h.scratch.data(), h.time.data());
    const std::size_t from = h.filled;
    for (std::size_t i = 0; i < count; ++i) out[i] = h.time[from + i] + head_tail_[from + i];
}

void PartitionedConvolver::head_complete() noexcept {
    Level& h = levels_.front();
    const std::size_t b = h.shape.size, bins = h.sum.size(), n = h.shape.partitions;
    std::memcpy(head_tail_.data(), h.time.data() + b, b * sizeof(float));
    std::fill_n(h.segment.data(), b, 0.0f);
    h.filled = 0;
    // The newest spectrum (already in the ring) becomes the previous one; sum what the
    // stored segments give the next segment through partitions 1..n-1.
    h.newest = (h.newest + 1) % n;
    std::fill_n(h.sum.data(), bins, cf{});
    for (std::size_t j = 1; j < n; ++j)
        multiply_add(h.filter[j].data(), h.inputs[(h.newest + n - j) % n].data(), h.sum.data(), bins);
}

// A later level's segment is complete: its spectrum joins the ring, and the sum over the
// partitions lands 2P samples in the future ring from the segment's start plus the
// level's offset (at least one period after now).
void PartitionedConvolver::level_complete(Level& l) noexcept {
    const std::size_t p = l.shape.size, bins = l.sum.size(), n = l.shape.partitions;
    l.fft->forward(l.segment.data(), l.inputs[l.newest].data());
    std::fill_n(l.sum.data(), bins, cf{});
    for (std::size_t j = 0; j < n; ++j)
        multiply_add(l.filter[j].data(), l.inputs[(l.newest + n - j) % n].data(), l.sum.data(), bins);
    l.fft->inverse(l.sum.data(), l.time.data());
    const std::size_t start = now_ - p + l.shape.offset;
    for (std::size_t i = 0; i < 2 * p; ++i) future_[(start + i) & future_mask_] += l.time[i];
    l.newest = (l.newest + 1) % n;
    std::fill_n(l.segment.data(), p, 0.0f);
    l.filled = 0;
}

}  // namespace roomcal::dsp
