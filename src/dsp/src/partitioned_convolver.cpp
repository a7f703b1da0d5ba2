// Non-uniformly partitioned convolution: layout, preparation and the per-sample path.
#include "roomcal/dsp/partitioned_convolver.hpp"

#include <pthread.h>
#include <sched.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstring>
#include <thread>

#include "roomcal/core/error.hpp"
#include "simd_clones.hpp"

namespace roomcal::dsp {
namespace {

using cf = std::complex<float>;

bool power_of_two(std::size_t n) { return n > 0 && (n & (n - 1)) == 0; }

std::size_t next_power_of_two(std::size_t n) {
    std::size_t p = 1;
    while (p < n) p <<= 1;
    return p;
}

// Spectra are kept split (all real parts, then all imaginary parts, each `stride` floats)
// so the multiply-adds run at full SIMD width with no shuffles; FFTW's interleaved bins
// are split after each forward transform and joined before each inverse one.

// The floats one half of a split spectrum of `bins` bins takes (a multiple of 16, so the
// imaginary half starts as aligned as the real one).
std::size_t split_stride(std::size_t bins) { return (bins + 15) / 16 * 16; }

ROOMCAL_SIMD_CLONES void split(const cf* x, float* re, float* im, std::size_t n) noexcept {
    const float* f = reinterpret_cast<const float*>(x);
    for (std::size_t k = 0; k < n; ++k) {
        re[k] = f[2 * k];
        im[k] = f[2 * k + 1];
    }
}

// acc += a·b over n bins (split spectra of stride s).
ROOMCAL_SIMD_CLONES void multiply_add(const float* __restrict a, const float* __restrict b, float* __restrict acc,
                                      std::size_t n, std::size_t s) noexcept {
    const float *ar = a, *ai = a + s, *br = b, *bi = b + s;
    float *cr = acc, *ci = acc + s;
    for (std::size_t k = 0; k < n; ++k) {
        cr[k] += ar[k] * br[k] - ai[k] * bi[k];
        ci[k] += ar[k] * bi[k] + ai[k] * br[k];
    }
}

// acc += a1·b1 + a2·b2: two partitions per pass over the accumulator.
ROOMCAL_SIMD_CLONES void multiply_add2(const float* __restrict a1, const float* __restrict b1,
                                       const float* __restrict a2, const float* __restrict b2, float* __restrict acc,
                                       std::size_t n, std::size_t s) noexcept {
    float *cr = acc, *ci = acc + s;
    for (std::size_t k = 0; k < n; ++k) {
        const float r = a1[k] * b1[k] - a1[s + k] * b1[s + k] + a2[k] * b2[k] - a2[s + k] * b2[s + k];
        const float i = a1[k] * b1[s + k] + a1[s + k] * b1[k] + a2[k] * b2[s + k] + a2[s + k] * b2[k];
        cr[k] += r;
        ci[k] += i;
    }
}

// out = sum + a·b, interleaved for the inverse FFT.
ROOMCAL_SIMD_CLONES void multiply_add_join(const float* __restrict a, const float* __restrict b,
                                           const float* __restrict sum, cf* out, std::size_t n,
                                           std::size_t s) noexcept {
    float* f = reinterpret_cast<float*>(out);
    for (std::size_t k = 0; k < n; ++k) {
        f[2 * k] = sum[k] + a[k] * b[k] - a[s + k] * b[s + k];
        f[2 * k + 1] = sum[s + k] + a[k] * b[s + k] + a[s + k] * b[k];
    }
}

ROOMCAL_SIMD_CLONES void join(const float* re, const float* im, cf* out, std::size_t n) noexcept {
    float* f = reinterpret_cast<float*>(out);
    for (std::size_t k = 0; k < n; ++k) {
        f[2 * k] = re[k];
        f[2 * k + 1] = im[k];
    }
}

// sum = Σ_j filter[j]·input[(newest − j) mod n] over partitions first..n−1.
void sum_partitions(const std::vector<FftBuffer<float>>& filter, const std::vector<FftBuffer<float>>& inputs,
                    std::size_t newest, std::size_t first, float* sum, std::size_t bins, std::size_t s) noexcept {
    const std::size_t n = filter.size();
    std::fill_n(sum, 2 * s, 0.0f);
    std::size_t j = first;
    for (; j + 1 < n; j += 2)
        multiply_add2(filter[j].data(), inputs[(newest + n - j) % n].data(), filter[j + 1].data(),
                      inputs[(newest + 2 * n - j - 1) % n].data(), sum, bins, s);
    if (j < n) multiply_add(filter[j].data(), inputs[(newest + n - j) % n].data(), sum, bins, s);
}

}  // namespace

// The worker schedule's shared state. Level k ≥ 1 hands its completed segment over by
// bumping posted[k]; whoever takes the job bumps claimed[k] (a compare-exchange, so only
// one does), transforms the segment and bumps done[k]. The worker takes jobs smallest
// partition first (its deadline is nearest). At most one segment per level is in flight:
// the caller collects segment j's output when segment j+1 completes, one level period
// later, which is when the layout (offset ≥ 2P) first needs it. If the worker has not
// taken the job by then (its thread was not scheduled in time), the caller takes it and
// does the work itself instead of waiting; it waits only for a job the worker is in.
struct PartitionedConvolver::Worker {
    explicit Worker(std::size_t levels) : posted(levels), claimed(levels), done(levels) {}
    std::vector<std::atomic<std::uint32_t>> posted, claimed, done;
    std::atomic<std::uint32_t> wake{0};
    std::atomic<bool> stop{false};
    std::atomic<std::size_t> late{0}, taken_back{0};
    bool realtime = false;
    std::thread thread;

    void run(Level* levels, std::size_t count) noexcept {
        for (;;) {
            const std::uint32_t seen = wake.load(std::memory_order_acquire);
            if (stop.load(std::memory_order_acquire)) return;
            bool worked = false;
            for (std::size_t k = 1; k < count; ++k) {
                std::uint32_t d = done[k].load(std::memory_order_acquire);
                if (posted[k].load(std::memory_order_acquire) == d) continue;
                if (!claimed[k].compare_exchange_strong(d, d + 1, std::memory_order_acq_rel)) continue;
                level_transform(levels[k], levels[k].handed.data());
                done[k].store(d + 1, std::memory_order_release);
                done[k].notify_one();
                worked = true;
                break;  // rescan from the smallest level
            }
            if (!worked) wake.wait(seen, std::memory_order_acquire);
        }
    }
    // Waits (caller side) until level k has transformed everything handed to it.
    void drain(std::size_t k, std::uint32_t jobs) noexcept {
        for (std::uint32_t d = done[k].load(std::memory_order_acquire); d != jobs;
             d = done[k].load(std::memory_order_acquire))
            done[k].wait(d, std::memory_order_acquire);
    }
};

PartitionedConvolver::PartitionedConvolver() = default;
PartitionedConvolver::~PartitionedConvolver() { stop_worker(); }
PartitionedConvolver::PartitionedConvolver(PartitionedConvolver&&) noexcept = default;
PartitionedConvolver& PartitionedConvolver::operator=(PartitionedConvolver&& o) noexcept {
    if (this != &o) {
        stop_worker();
        levels_ = std::move(o.levels_);
        layout_ = std::move(o.layout_);
        ffts_ = std::move(o.ffts_);
        head_tail_ = std::move(o.head_tail_);
        future_ = std::move(o.future_);
        future_mask_ = o.future_mask_;
        now_ = o.now_;
        taps_ = o.taps_;
        worker_ = std::move(o.worker_);  // its thread works on the moved levels' heap storage
    }
    return *this;
}

void PartitionedConvolver::stop_worker() noexcept {
    if (!worker_) return;
    worker_->stop.store(true, std::memory_order_release);
    worker_->wake.fetch_add(1, std::memory_order_release);
    worker_->wake.notify_one();
    if (worker_->thread.joinable()) worker_->thread.join();
    worker_.reset();
}

std::size_t PartitionedConvolver::late() const { return worker_ ? worker_->late.load(std::memory_order_relaxed) : 0; }

std::size_t PartitionedConvolver::taken_back() const {
    return worker_ ? worker_->taken_back.load(std::memory_order_relaxed) : 0;
}

bool PartitionedConvolver::worker_realtime() const { return worker_ && worker_->realtime; }

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
    if (!power_of_two(o.block) || o.block < 16 || o.block > 65536)
        throw UsageError("convolution block " + std::to_string(o.block) + " must be a power of two in 16–65536");
    if (!power_of_two(o.max_partition) || o.max_partition < o.block)
        throw UsageError("the largest partition must be a power of two no smaller than the block");

    stop_worker();
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
        if (o.schedule == ConvolverSchedule::worker && !levels_.empty()) l.handed = FftBuffer<float>(2 * p);
        l.time = FftBuffer<float>(2 * p);
        l.stride = split_stride(bins);
        l.sum = FftBuffer<float>(2 * l.stride);
        l.scratch = FftBuffer<cf>(bins);
        // The inverse FFT is unnormalised (×2P): the partitions carry the 1/2P.
        const float scale = 1.0f / static_cast<float>(2 * p);
        for (std::size_t j = 0; j < shape.partitions; ++j) {
            const std::size_t from = shape.offset + j * p;
            const std::size_t n = std::min(p, filter.size() - std::min(filter.size(), from));
            for (std::size_t i = 0; i < 2 * p; ++i) l.segment[i] = i < n ? filter[from + i] * scale : 0.0f;
            l.fft->forward(l.segment.data(), l.scratch.data());
            FftBuffer<float> spectrum(2 * l.stride);
            split(l.scratch.data(), spectrum.data(), spectrum.data() + l.stride, bins);
            l.filter.push_back(std::move(spectrum));
            l.inputs.emplace_back(2 * l.stride);
        }
        future = std::max(future, shape.offset + 3 * p);
        levels_.push_back(std::move(l));
    }
    head_tail_ = FftBuffer<float>(o.block);
    // Only later levels write ahead; a one-level layout needs no ring.
    future_ = levels_.size() > 1 ? FftBuffer<float>(next_power_of_two(future + o.block)) : FftBuffer<float>();
    future_mask_ = future_.size() > 0 ? future_.size() - 1 : 0;
    reset();
    if (o.schedule == ConvolverSchedule::worker && levels_.size() > 1) {
        worker_ = std::make_unique<Worker>(levels_.size());
        worker_->thread = std::thread([w = worker_.get(), l = levels_.data(), n = levels_.size()] { w->run(l, n); });
        if (o.worker_priority > 0) {
            sched_param sp{};
            sp.sched_priority = o.worker_priority;
            worker_->realtime = pthread_setschedparam(worker_->thread.native_handle(), SCHED_FIFO, &sp) == 0;
        }
    }
}

void PartitionedConvolver::reset() {
    if (worker_)
        for (std::size_t k = 1; k < levels_.size(); ++k) worker_->drain(k, levels_[k].jobs);
    for (auto& l : levels_) {
        for (auto& x : l.inputs) std::fill_n(x.data(), x.size(), 0.0f);
        std::fill_n(l.segment.data(), l.segment.size(), 0.0f);
        l.newest = 0;
        l.filled = 0;
        l.jobs = 0;
        std::fill_n(l.sum.data(), l.sum.size(), 0.0f);
    }
    if (worker_)
        for (std::size_t k = 0; k < levels_.size(); ++k) {
            worker_->posted[k].store(0, std::memory_order_relaxed);
            worker_->claimed[k].store(0, std::memory_order_relaxed);
            worker_->done[k].store(0, std::memory_order_release);
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
        if (levels_.size() > 1) add_future(out, m);
        now_ += m;
        for (auto& l : levels_) l.filled += m;
        if (head.filled == b) head_complete();
        for (std::size_t k = 1; k < levels_.size(); ++k)
            if (levels_[k].filled == levels_[k].shape.size) {
                if (worker_)
                    level_hand_over(k);
                else
                    level_complete(levels_[k]);
            }
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
    const std::size_t bins = h.scratch.size(), s = h.stride;
    float* x = h.inputs[h.newest].data();
    h.fft->forward(h.segment.data(), h.scratch.data());
    split(h.scratch.data(), x, x + s, bins);
    multiply_add_join(h.filter[0].data(), x, h.sum.data(), h.scratch.data(), bins, s);
    h.fft->inverse(h.scratch.data(), h.time.data());
    const std::size_t from = h.filled;
    for (std::size_t i = 0; i < count; ++i) out[i] = h.time[from + i] + head_tail_[from + i];
}

// out += what the later levels have added for the next `count` samples, clearing it (in at
// most two runs: the ring wraps once).
void PartitionedConvolver::add_future(float* out, std::size_t count) noexcept {
    std::size_t at = now_ & future_mask_;
    while (count > 0) {
        const std::size_t run = std::min(count, future_.size() - at);
        float* f = future_.data() + at;
        for (std::size_t i = 0; i < run; ++i) out[i] += f[i];
        std::fill_n(f, run, 0.0f);
        out += run;
        count -= run;
        at = 0;
    }
}

void PartitionedConvolver::head_complete() noexcept {
    Level& h = levels_.front();
    const std::size_t b = h.shape.size, n = h.shape.partitions;
    std::memcpy(head_tail_.data(), h.time.data() + b, b * sizeof(float));
    std::fill_n(h.segment.data(), b, 0.0f);
    h.filled = 0;
    // The newest spectrum (already in the ring) becomes the previous one; sum what the
    // stored segments give the next segment through partitions 1..n-1.
    h.newest = (h.newest + 1) % n;
    sum_partitions(h.filter, h.inputs, h.newest, 1, h.sum.data(), h.scratch.size(), h.stride);
}

// A later level's segment: its spectrum joins the ring, and the sum over the partitions
// goes through the inverse FFT into `time` (2P samples).
void PartitionedConvolver::level_transform(Level& l, const float* segment) noexcept {
    const std::size_t bins = l.scratch.size(), s = l.stride;
    float* x = l.inputs[l.newest].data();
    l.fft->forward(segment, l.scratch.data());
    split(l.scratch.data(), x, x + s, bins);
    sum_partitions(l.filter, l.inputs, l.newest, 0, l.sum.data(), bins, s);
    join(l.sum.data(), l.sum.data() + s, l.scratch.data(), bins);
    l.fft->inverse(l.scratch.data(), l.time.data());
    l.newest = (l.newest + 1) % l.shape.partitions;
}

// A transformed segment that was complete at sample time `completed_at` lands in the
// future ring from its start plus the level's offset (at least one period after then).
void PartitionedConvolver::level_add(const Level& l, std::size_t completed_at) noexcept {
    const std::size_t p = l.shape.size;
    const std::size_t start = completed_at - p + l.shape.offset;
    for (std::size_t i = 0; i < 2 * p; ++i) future_[(start + i) & future_mask_] += l.time[i];
}

// Caller schedule: the whole level's work now.
void PartitionedConvolver::level_complete(Level& l) noexcept {
    level_transform(l, l.segment.data());
    level_add(l, now_);
    l.filled = 0;
}

// Worker schedule: collect the previous segment's output (due from now on), then hand this
// one over and wake the worker.
void PartitionedConvolver::level_hand_over(std::size_t k) noexcept {
    Level& l = levels_[k];
    Worker& w = *worker_;
    if (l.jobs > 0) {
        if (w.done[k].load(std::memory_order_acquire) != l.jobs) {
            std::uint32_t untaken = l.jobs - 1;
            if (w.claimed[k].compare_exchange_strong(untaken, l.jobs, std::memory_order_acq_rel)) {
                // The worker has not started it: do it here rather than wait.
                level_transform(l, l.handed.data());
                w.done[k].store(l.jobs, std::memory_order_release);
                w.taken_back.fetch_add(1, std::memory_order_relaxed);
            } else {
                w.late.fetch_add(1, std::memory_order_relaxed);
                w.drain(k, l.jobs);
            }
        }
        level_add(l, now_ - l.shape.size);
    }
    std::swap(l.segment, l.handed);
    l.filled = 0;
    ++l.jobs;
    w.posted[k].store(l.jobs, std::memory_order_release);
    w.wake.fetch_add(1, std::memory_order_release);
    w.wake.notify_one();
}

}  // namespace roomcal::dsp
