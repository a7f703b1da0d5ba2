// The correction stage: building per-channel units from a FilterSet, and running them.
#include "roomcal/engine/correction.hpp"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <exception>
#include <system_error>
#include <thread>

#include "delay_ring.hpp"
#include "roomcal/core/error.hpp"
#include "roomcal/core/format.hpp"

namespace roomcal::engine {

std::size_t convolution_block(std::size_t max_block) {
    std::size_t b = 16;
    while (b < max_block && b < 65536) b <<= 1;
    return b;
}

Correction::Correction(const FilterSet& set, Hz rate, std::size_t max_block, const std::vector<std::string>& channels,
                       int worker_priority)
    : rate_(rate), max_block_(max_block) {
    if (std::abs(set.sample_rate.value - rate.value) > 0.5)
        throw Error("the correction was made for " + fmt(set.sample_rate.value) + " Hz, the audio runs at " +
                    fmt(rate.value) + " Hz; fit it for this rate (roomcal fit --rate " + fmt(rate.value) + ")");
    if (max_block == 0) throw UsageError("the audio block must hold at least one frame");
    set.validate();
    latency_ = static_cast<std::size_t>(std::llround(set.latency_samples));
    description_ = set.description;
    dsp::ConvolverOptions co;
    co.block = convolution_block(max_block);
    co.max_partition = std::max(co.max_partition, co.block);
    // The later levels of a long FIR run on a worker thread per channel, so every audio
    // block costs about the same (bench/convolver_vs_zita: paced block times).
    co.schedule = dsp::ConvolverSchedule::worker;
    co.worker_priority = worker_priority;
    for (const auto& name : channels) {
        const ChannelFilter* f = set.find(name);
        if (!f)
            throw Error("the correction has no filter for channel " + name +
                        "; fit the room with that channel measured, or run with the channels it has");
        Unit u;
        u.gain = static_cast<float>(std::pow(10.0, f->gain_db / 20.0));
        for (const auto& b : f->biquads) u.sections.push_back({b.b0, b.b1, b.b2, b.a1, b.a2});
        u.delay_samples = static_cast<std::size_t>(std::llround(std::max(0.0, f->delay_samples)));
        if (u.delay_samples > 0) u.delay.assign(u.delay_samples + max_block, 0.0f);
        u.scratch.assign(max_block, 0.0f);
        units_.push_back(std::move(u));
    }
    // The FIRs' transforms on as many threads as there are cores: most of the time a long
    // correction takes to load.
    std::vector<std::exception_ptr> errors(units_.size());
    std::atomic<std::size_t> next{0};
    auto work = [&] {
        for (std::size_t c = next++; c < units_.size(); c = next++) {
            const auto& fir = set.find(channels[c])->fir;
            if (fir.empty()) continue;
            try {
                const std::vector<float> taps(fir.begin(), fir.end());
                units_[c].fir.prepare(taps, co);
            } catch (...) {
                errors[c] = std::current_exception();
            }
        }
    };
    std::vector<std::thread> threads;
    const std::size_t cores = std::max(1u, std::thread::hardware_concurrency());
    try {
        while (threads.size() + 1 < std::min(cores, units_.size())) threads.emplace_back(work);
    } catch (const std::system_error&) {
        // fewer threads, then: this one does the rest
    }
    work();
    for (auto& t : threads) t.join();
    for (const auto& e : errors)
        if (e) std::rethrow_exception(e);
}

// The helper of process_channels_in_parallel(): process() posts a block (bumping `posted`
// after writing in/out/frames), the helper runs units [first, end) and bumps `done`.
struct Correction::Helper {
    std::atomic<std::uint32_t> posted{0}, done{0};
    std::atomic<bool> stop{false};
    const float* const* in = nullptr;
    float* const* out = nullptr;
    std::size_t frames = 0, first = 0;
    std::thread thread;
};

Correction::~Correction() {
    if (!helper_) return;
    helper_->stop.store(true, std::memory_order_release);
    helper_->posted.fetch_add(1, std::memory_order_release);
    helper_->posted.notify_one();
    helper_->thread.join();
}

void Correction::process_channels_in_parallel() {
    if (helper_ || units_.size() < 2) return;
    auto h = std::make_unique<Helper>();
    h->first = (units_.size() + 1) / 2;
    Helper* hp = h.get();
    try {
        h->thread = std::thread([this, hp] {
            std::uint32_t seen = 0;
            for (;;) {
                hp->posted.wait(seen, std::memory_order_acquire);
                seen = hp->posted.load(std::memory_order_acquire);
                if (hp->stop.load(std::memory_order_acquire)) return;
                process_units(hp->first, units_.size(), hp->in, hp->out, hp->frames);
                hp->done.store(seen, std::memory_order_release);
                hp->done.notify_one();
            }
        });
    } catch (const std::system_error& e) {
        throw Error(std::string("could not start a thread for the correction (") + e.what() +
                    "); free some system resources");
    }
    helper_ = std::move(h);
}

std::size_t Correction::worker_waits() const {
    std::size_t n = 0;
    for (const auto& u : units_) n += u.fir.late();
    return n;
}

void Correction::reset() {
    for (auto& u : units_) {
        for (auto& s : u.sections) s.s1 = s.s2 = 0.0;
        std::fill(u.delay.begin(), u.delay.end(), 0.0f);
        u.delay_pos = 0;
        if (u.fir.prepared()) u.fir.reset();
    }
}

void Correction::process(const float* const* in, float* const* out, std::size_t frames) noexcept {
    frames = std::min(frames, max_block_);
    if (!helper_) {
        process_units(0, units_.size(), in, out, frames);
        return;
    }
    Helper& h = *helper_;
    h.in = in;
    h.out = out;
    h.frames = frames;
    const std::uint32_t job = h.posted.load(std::memory_order_relaxed) + 1;
    h.posted.store(job, std::memory_order_release);
    h.posted.notify_one();
    process_units(0, h.first, in, out, frames);
    for (std::uint32_t d = h.done.load(std::memory_order_acquire); d != job; d = h.done.load(std::memory_order_acquire))
        h.done.wait(d, std::memory_order_acquire);
}

void Correction::process_units(std::size_t first, std::size_t last, const float* const* in, float* const* out,
                               std::size_t frames) noexcept {
    for (std::size_t c = first; c < last; ++c) {
        Unit& u = units_[c];
        float* x = u.scratch.data();
        for (std::size_t i = 0; i < frames; ++i) x[i] = in[c][i] * u.gain;
        for (auto& s : u.sections)
            for (std::size_t i = 0; i < frames; ++i) {
                const double v = x[i];
                const double y = s.b0 * v + s.s1;
                s.s1 = s.b1 * v - s.a1 * y + s.s2;
                s.s2 = s.b2 * v - s.a2 * y;
                x[i] = static_cast<float>(y);
            }
        if (u.delay_samples > 0) {
            delayed(x, x, u.delay, u.delay_pos, u.delay_samples, frames);
            u.delay_pos = (u.delay_pos + frames) % u.delay.size();
        }
        if (u.fir.prepared())
            u.fir.process(x, out[c], frames);
        else
            std::memcpy(out[c], x, frames * sizeof(float));
    }
}

}  // namespace roomcal::engine
