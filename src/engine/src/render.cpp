// Offline rendering through the engine as a stream: input read a block at a time, the
// engine's latency flushed with zeros and dropped from the start of the output; buffers
// are streams over themselves (in place). Reading and writing run on threads of their own
// a few blocks ahead of and behind the engine, and the correction runs its channels in
// parallel. When asked, a meter thread drains the engine's meter tap the way the live
// path's meter thread does, the render waiting on it instead of dropping frames.
#include "roomcal/engine/render.hpp"

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <cstring>
#include <deque>
#include <exception>
#include <mutex>
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

// Blocks of planar audio passed from one thread to another in order: a fixed pool that
// cycles free → filled → free. Closing it wakes every waiter: acquire() then gives
// nullptr, next() drains what was filled and then gives nullptr.
class BlockQueue {
public:
    struct Block {
        std::vector<std::vector<float>> data;
        std::vector<float*> ptr;
        std::size_t frames = 0, skip = 0;  // skip: leading frames the writer leaves out
    };

    BlockQueue(std::size_t slots, std::size_t channels, std::size_t frames) : blocks_(slots) {
        for (auto& b : blocks_) {
            b.data.assign(channels, std::vector<float>(frames, 0.0f));
            for (auto& d : b.data) b.ptr.push_back(d.data());
            free_.push_back(&b);
        }
    }
    Block* acquire() { return take(free_, false); }
    void submit(Block* b) { put(filled_, b); }
    Block* next() { return take(filled_, true); }
    void release(Block* b) { put(free_, b); }
    void close() {
        {
            std::lock_guard lock(mutex_);
            closed_ = true;
        }
        changed_.notify_all();
    }

private:
    // The front of `from` once it has one; nullptr once closed (after `from` is empty, when
    // `drain` is set).
    Block* take(std::deque<Block*>& from, bool drain) {
        std::unique_lock lock(mutex_);
        changed_.wait(lock, [&] { return closed_ || !from.empty(); });
        if (from.empty() || (closed_ && !drain)) return nullptr;
        Block* b = from.front();
        from.pop_front();
        return b;
    }
    void put(std::deque<Block*>& to, Block* b) {
        {
            std::lock_guard lock(mutex_);
            to.push_back(b);
        }
        changed_.notify_all();
    }

    std::vector<Block> blocks_;
    std::mutex mutex_;
    std::condition_variable changed_;
    std::deque<Block*> free_, filled_;
    bool closed_ = false;
};

// The render's file I/O on threads of its own, so reading, processing and writing
// overlap: a reader fills input blocks ahead of the engine, a writer writes output
// blocks behind it. The first error of either stops both; finish() rethrows it.
class RenderIo {
public:
    RenderIo(const RenderStreams& streams, std::size_t channels, std::size_t block)
        : streams_(streams), block_(block), input_(slots, channels, block), output_(slots, channels, block) {
        try {
            reader_ = std::thread([this] { guarded([this] { read_all(); }); });
            writer_ = std::thread([this] { guarded([this] { write_all(); }); });
        } catch (const std::system_error& e) {
            stop();
            throw Error(std::string("could not start the render's file threads (") + e.what() +
                        "); free some system resources");
        }
    }
    ~RenderIo() { stop(); }
    RenderIo(const RenderIo&) = delete;
    RenderIo& operator=(const RenderIo&) = delete;

    // [render thread] The next input block (frames < block: the input's last), or nullptr
    // after the last one or when reading failed.
    BlockQueue::Block* next_input() { return input_.next(); }
    void done_with_input(BlockQueue::Block* b) { input_.release(b); }
    // [render thread] A block to process into, or nullptr when writing failed.
    BlockQueue::Block* output_block() { return output_.acquire(); }
    void write(BlockQueue::Block* b) { output_.submit(b); }
    // [render thread] Waits until everything is written; rethrows the first error.
    void finish() {
        output_.close();  // the writer drains what was submitted
        stop();
        if (error_) std::rethrow_exception(error_);
    }

private:
    static constexpr std::size_t slots = 4;

    template <typename F>
    void guarded(F&& f) noexcept {
        try {
            f();
        } catch (...) {
            {
                std::lock_guard lock(error_mutex_);
                if (!error_) error_ = std::current_exception();
            }
            input_.close();
            output_.close();
        }
    }
    void read_all() {
        while (BlockQueue::Block* b = input_.acquire()) {
            b->frames = streams_.read(b->ptr.data(), block_);
            input_.submit(b);
            if (b->frames < block_) break;
        }
        input_.close();
    }
    void write_all() {
        std::vector<const float*> from;
        while (BlockQueue::Block* b = output_.next()) {
            from.clear();
            for (float* p : b->ptr) from.push_back(p + b->skip);
            if (b->frames > b->skip) streams_.write(from.data(), b->frames - b->skip);
            output_.release(b);
        }
    }
    void stop() noexcept {
        input_.close();
        if (reader_.joinable()) reader_.join();
        if (writer_.joinable()) {
            output_.close();
            writer_.join();
        }
    }

    const RenderStreams& streams_;
    const std::size_t block_;
    BlockQueue input_, output_;
    std::mutex error_mutex_;
    std::exception_ptr error_;
    std::thread reader_, writer_;
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
    cfg.switchable = false;   // nor switches anything: no dry or bypass paths
    if (correction) {
        cfg.max_latency_s = static_cast<double>(correction->latency_samples()) / rate.value + 0.01;
        // Offline nothing waits on the engine but the render itself: channels in parallel,
        // where a block is long enough to outweigh the hand-over (measured: a gain from
        // 8192 frames, a loss at 1024).
        if (std::thread::hardware_concurrency() > 1 && block >= 8192) correction->process_channels_in_parallel();
    }
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
    RenderIo io(streams, n, block);
    std::vector<std::vector<float>> zeros(n, std::vector<float>(block, 0.0f));
    std::vector<float*> zero_ptr;
    for (auto& z : zeros) zero_ptr.push_back(z.data());
    std::size_t read = 0, flushed = 0, played = 0, blocks = 0;
    bool ended = false;
    RenderResult r;
    r.latency_samples = latency;
    while (!ended || flushed < latency) {
        std::size_t m = 0;
        BlockQueue::Block* input = ended ? nullptr : io.next_input();
        if (!ended) {
            m = input ? input->frames : 0;
            ended = m < block;
            read += m;
        }
        float* const* in = input ? input->ptr.data() : zero_ptr.data();
        if (ended && m < block) {  // zeros after the input's end, up to the latency
            const std::size_t pad = std::min(block - m, latency - flushed);
            for (std::size_t c = 0; c < n; ++c) std::fill_n(in[c] + m, pad, 0.0f);
            flushed += pad;
            m += pad;
        }
        if (m == 0) {
            if (input) io.done_with_input(input);
            continue;
        }
        BlockQueue::Block* output = io.output_block();
        if (!output) break;  // writing failed: finish() says why
        if (meter_thread) meter_thread->wait_for_room(m);
        engine.process(in, output->ptr.data(), m);
        if (meter_thread) meter_thread->pushed();
        if (input) io.done_with_input(input);
        output->skip = played < latency ? std::min(m, latency - played) : 0;
        output->frames = m;
        played += m;
        r.frames += m - output->skip;
        io.write(output);
        if (progress && streams.total_frames > 0 && ++blocks % 64 == 0)
            progress(std::min(1.0, static_cast<double>(read) / static_cast<double>(streams.total_frames)));
    }
    io.finish();
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
