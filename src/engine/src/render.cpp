// Offline rendering through the engine as a stream: input read a block at a time, the
// engine's latency flushed with zeros and dropped from the start of the output; buffers
// are streams over themselves (in place). When asked, a meter thread drains the engine's
// meter tap the way the live path's meter thread does, the render waiting on it instead of
// dropping frames.
#include "roomcal/engine/render.hpp"

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <cstring>
#include <exception>
#include <system_error>
#include <thread>
#include <vector>

#include "roomcal/core/error.hpp"
#include "roomcal/engine/engine.hpp"

namespace roomcal::engine {
namespace {

// Frames one Meters::update() takes at most, so room in the ring comes back steadily.
constexpr std::size_t meter_chunk_frames = 8192;

// The meter thread of a render. The render thread (the engine's caller, the "audio thread"
// here) wakes it once a quarter of the tap's ring is queued, not for every block, so the
// two meet a few times a second of audio rather than per block; the meter thread meters
// until it is told the render is over and the ring is empty. Both sleep on C++20 atomic
// waits: the meter thread on `wakes_`, the render thread (when the ring is full) on
// `consumed_`.
class MeterThread {
public:
    explicit MeterThread(Meters& meters) : meters_(meters), wake_at_writable_(meters.tap().writable_frames() * 3 / 4) {
        try {
            thread_ = std::thread([this] { run(); });
        } catch (const std::system_error& e) {
            throw Error(std::string("could not start the meter thread (") + e.what() +
                        "); free some system resources, or render without meters");
        }
    }
    ~MeterThread() {
        if (thread_.joinable()) stop();
    }
    MeterThread(const MeterThread&) = delete;
    MeterThread& operator=(const MeterThread&) = delete;

    // [render thread] Returns once the tap can queue `frames` frames whole (or the meter
    // thread has failed; finish() then reports it).
    void wait_for_room(std::size_t frames) noexcept {
        MeterTap& tap = meters_.tap();
        while (!failed_.load(std::memory_order_acquire)) {
            const auto seen = consumed_.load(std::memory_order_acquire);
            if (tap.writable_frames() >= frames) return;
            wake();  // whatever it holds, the meter thread must make room
            consumed_.wait(seen, std::memory_order_acquire);
        }
    }
    // [render thread] After each process(): wakes the meter thread once a quarter of the
    // ring waits for it.
    void pushed() noexcept {
        if (meters_.tap().writable_frames() <= wake_at_writable_) wake();
    }
    // [render thread] Waits until everything pushed is metered; rethrows the meter
    // thread's error.
    void finish() {
        stop();
        if (error_) std::rethrow_exception(error_);
    }

private:
    void wake() noexcept {
        wakes_.fetch_add(1, std::memory_order_release);
        wakes_.notify_one();
    }

    void stop() noexcept {
        done_.store(true, std::memory_order_release);
        wake();
        thread_.join();
    }

    void run() noexcept {
        try {
            for (;;) {
                // Read both before metering: a wake (or the end announced) after this
                // point changes wakes_, so the wait below cannot miss it.
                const auto seen = wakes_.load(std::memory_order_acquire);
                const bool last = done_.load(std::memory_order_acquire);
                if (meters_.update(meter_chunk_frames) > 0) {
                    consumed_.fetch_add(1, std::memory_order_release);
                    consumed_.notify_one();
                    continue;
                }
                if (last) return;
                wakes_.wait(seen, std::memory_order_acquire);
            }
        } catch (...) {
            error_ = std::current_exception();
            failed_.store(true, std::memory_order_release);
            consumed_.fetch_add(1, std::memory_order_release);
            consumed_.notify_one();
        }
    }

    Meters& meters_;
    const std::size_t wake_at_writable_;  // a quarter of the ring queued
    std::atomic<std::uint32_t> wakes_{0}, consumed_{0};
    std::atomic<bool> done_{false}, failed_{false};
    std::exception_ptr error_;
    std::thread thread_;
};

}  // namespace

RenderResult render(const RenderStreams& streams, Hz rate, const std::vector<std::string>& channels,
                    std::unique_ptr<Correction> correction, std::size_t block,
                    const std::function<void(double)>& progress, const MasteringChain* chain, Meters* meters) {
    if (block < 16 || block > 65536) throw UsageError("--block must lie in 16–65536 frames");
    EngineConfig cfg;
    cfg.sample_rate = rate;
    cfg.max_block = block;
    cfg.channels = channels;
    cfg.mastering_chain = chain != nullptr;
    cfg.level_match = false;  // nothing bypasses the chain offline
    if (correction) cfg.max_latency_s = static_cast<double>(correction->latency_samples()) / rate.value + 0.01;
    Engine engine(cfg);
    engine.start_with(std::move(correction),
                      chain ? std::make_unique<Chain>(*chain, rate, block, channels.size()) : nullptr);
    const std::size_t latency = engine.latency_samples(), n = channels.size();

    std::unique_ptr<MeterThread> meter_thread;
    if (meters) {
        // The ring holds several blocks, so the meter thread works while the engine does.
        MeterConfig mc;
        mc.ring_seconds = std::max(1.0, 4.0 * static_cast<double>(block) / rate.value);
        mc.live_readings = false;  // the programme's figures: what a render reports
        meters->prepare(rate.value, n, mc);
        engine.attach_meters(&meters->tap());
        meter_thread = std::make_unique<MeterThread>(*meters);
    }

    // The input, then `latency` frames of zeros to flush what the engine still holds; the
    // first `latency` frames the engine plays are dropped, so output frame i is played frame
    // i + latency and the output is exactly as long as the input.
    std::vector<std::vector<float>> in(n, std::vector<float>(block)), out(n, std::vector<float>(block));
    std::vector<float*> ip(n), op(n);
    std::vector<const float*> from(n);
    for (std::size_t c = 0; c < n; ++c) ip[c] = in[c].data(), op[c] = out[c].data();
    std::size_t read = 0, flushed = 0, played = 0, blocks = 0;
    bool ended = false;
    RenderResult r;
    r.latency_samples = latency;
    while (!ended || flushed < latency) {
        std::size_t m = 0;
        if (!ended) {
            m = streams.read(ip.data(), block);
            ended = m < block;
            read += m;
        }
        if (ended && m < block) {  // zeros after the input's end, up to the latency
            const std::size_t zeros = std::min(block - m, latency - flushed);
            for (std::size_t c = 0; c < n; ++c) std::fill_n(in[c].data() + m, zeros, 0.0f);
            flushed += zeros;
            m += zeros;
        }
        if (m == 0) continue;
        if (meter_thread) meter_thread->wait_for_room(m);
        engine.process(ip.data(), op.data(), m);
        if (meter_thread) meter_thread->pushed();
        const std::size_t skip = played < latency ? std::min(m, latency - played) : 0;
        played += m;
        if (m > skip) {
            for (std::size_t c = 0; c < n; ++c) from[c] = out[c].data() + skip;
            streams.write(from.data(), m - skip);
            r.frames += m - skip;
        }
        if (progress && streams.total_frames > 0 && ++blocks % 64 == 0)
            progress(std::min(1.0, static_cast<double>(read) / static_cast<double>(streams.total_frames)));
    }
    if (meter_thread) meter_thread->finish();
    if (progress) progress(1.0);
    r.clipped_samples = engine.clipped_samples();
    return r;
}

RenderResult render(AudioView<const float> input, Hz rate, const std::vector<std::string>& channels,
                    std::unique_ptr<Correction> correction, std::size_t block,
                    const std::function<void(double)>& progress, const MasteringChain* chain, Meters* meters) {
    AudioBuffer<float> audio(input.num_channels(), input.num_frames());
    for (std::size_t c = 0; c < input.num_channels(); ++c)
        std::ranges::copy(input.channel(c), audio.channel(c).begin());
    return render(std::move(audio), rate, channels, std::move(correction), block, progress, chain, meters);
}

RenderResult render(AudioBuffer<float> audio, Hz rate, const std::vector<std::string>& channels,
                    std::unique_ptr<Correction> correction, std::size_t block,
                    const std::function<void(double)>& progress, const MasteringChain* chain, Meters* meters) {
    if (audio.num_channels() != channels.size())
        throw Error("the input has " + std::to_string(audio.num_channels()) + " channels, the render " +
                    std::to_string(channels.size()));
    // In place: output frame i is written after input frame i + latency has been read.
    const std::size_t n = channels.size(), frames = audio.num_frames();
    std::size_t read = 0, written = 0;
    RenderStreams streams;
    streams.total_frames = frames;
    streams.read = [&](float* const* into, std::size_t max) {
        const std::size_t m = std::min(max, frames - read);
        for (std::size_t c = 0; c < n; ++c) std::copy_n(audio.channel(c).data() + read, m, into[c]);
        read += m;
        return m;
    };
    streams.write = [&](const float* const* from, std::size_t m) {
        for (std::size_t c = 0; c < n; ++c) std::copy_n(from[c], m, audio.channel(c).data() + written);
        written += m;
    };
    RenderResult r = render(streams, rate, channels, std::move(correction), block, progress, chain, meters);
    r.audio = std::move(audio);
    return r;
}

}  // namespace roomcal::engine
