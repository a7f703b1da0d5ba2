// The live stream's callback: input or file player into the engine, out to the device,
// with the counters the monitor shows; and the main thread's watchdog, which silences the
// callback and lets go of the stream when the device vanishes.
#include "roomcal/engine/live_audio.hpp"

#include <portaudio.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstring>
#include <thread>
#include <vector>

#include "roomcal/core/error.hpp"
#include "roomcal/core/format.hpp"
#include "roomcal/engine/devices.hpp"
#include "roomcal/engine/play_record.hpp"

namespace roomcal::engine {

FilePlayer::FilePlayer(AudioBuffer<float> a, AudioBuffer<float> b, std::size_t channels, std::size_t fade_samples)
    : a_(std::move(a)),
      b_(std::move(b)),
      has_b_(b_.num_frames() > 0),
      channels_(channels),
      step_(1.0f / static_cast<float>(std::max<std::size_t>(fade_samples, 1))) {
    if (a_.num_channels() != channels || (has_b_ && b_.num_channels() != channels))
        throw Error("the files to play have " + std::to_string(a_.num_channels()) +
                    (has_b_ ? " and " + std::to_string(b_.num_channels()) : std::string()) + " channels, the output " +
                    std::to_string(channels) + "; choose files with one channel per output");
    const std::size_t n = std::max(a_.num_frames(), b_.num_frames());
    auto pad = [&](AudioBuffer<float>& x) {
        AudioBuffer<float> p(channels, n);
        for (std::size_t c = 0; c < channels; ++c)
            for (std::size_t i = 0; i < x.num_frames(); ++i) p(c, i) = x(c, i);
        x = std::move(p);
    };
    if (a_.num_frames() < n) pad(a_);
    if (has_b_ && b_.num_frames() < n) pad(b_);
}

void FilePlayer::render(float* const* out, std::size_t frames) noexcept {
    const std::size_t seek = seek_to_.exchange(static_cast<std::size_t>(-1));
    std::size_t pos = seek != static_cast<std::size_t>(-1) ? std::min(seek, a_.num_frames()) : position_.load();
    const bool playing = playing_.load();
    const float target = want_b_.load() ? 1.0f : 0.0f;
    for (std::size_t i = 0; i < frames; ++i) {
        mix_ = target > mix_ ? std::min(target, mix_ + step_) : std::max(target, mix_ - step_);
        const bool live = playing && pos < a_.num_frames();
        for (std::size_t c = 0; c < channels_; ++c) {
            const float a = live ? a_(c, pos) : 0.0f;
            const float b = live && has_b_ ? b_(c, pos) : a;
            out[c][i] = a + mix_ * (b - a);
        }
        if (live) ++pos;
    }
    if (playing && pos >= a_.num_frames()) playing_.store(false);
    position_.store(pos);
}

struct LiveAudio::Shared {
    Engine* engine = nullptr;
    FilePlayer* player = nullptr;
    std::size_t channels = 0;
    double period_s = 0.0;
    std::vector<std::vector<float>> scratch;
    std::vector<float*> scratch_ptr;
    std::atomic<std::size_t> callbacks{0}, overflows{0}, underflows{0}, late{0};
    std::atomic<double> max_ms{0.0};
    // The stop fade: the audio thread ramps `gain` to 0 over `fade_step`s once `fading` is set,
    // then reports `faded` and stays silent.
    float gain = 1.0f, fade_step = 1.0f;
    std::atomic<bool> fading{false}, faded{false};
    // The device is lost: callbacks that still come output silence and touch nothing else (the
    // engine may be gone). `busy` brackets a callback, so the main thread can wait out one that
    // began before it set `silent`; both are sequentially consistent for that handshake.
    std::atomic<bool> silent{false}, busy{false};
    std::atomic<bool> finished{false};  // PortAudio's stream-finished callback came
};

namespace {

using Clock = std::chrono::steady_clock;
constexpr auto poll_interval = std::chrono::milliseconds(2);
constexpr double fade_s = 0.005;
constexpr double min_watchdog_s = 0.75;
constexpr double watchdog_buffers = 10.0;

static_assert(std::atomic<bool>::is_always_lock_free && std::atomic<std::size_t>::is_always_lock_free &&
                  std::atomic<double>::is_always_lock_free,
              "the audio thread shares only lock-free atomics");

void silence(float* const* out, std::size_t channels, std::size_t frames) noexcept {
    for (std::size_t c = 0; c < channels; ++c) std::fill_n(out[c], frames, 0.0f);
}

// [audio thread] Ramps the block down from the current gain; once at 0 the stream is silent.
void fade_out(LiveAudio::Shared& s, float* const* out, std::size_t frames) noexcept {
    float g = s.gain;
    for (std::size_t i = 0; i < frames; ++i) {
        g = std::max(0.0f, g - s.fade_step);
        for (std::size_t c = 0; c < s.channels; ++c) out[c][i] *= g;
    }
    s.gain = g;
    if (g == 0.0f) s.faded.store(true, std::memory_order_release);
}

int live_callback(const void* input, void* output, unsigned long frames, const PaStreamCallbackTimeInfo*,
                  PaStreamCallbackFlags flags, void* user) noexcept {
    auto& s = *static_cast<LiveAudio::Shared*>(user);
    const auto start = Clock::now();
    auto** out = static_cast<float**>(output);
    s.busy.store(true);
    if (s.silent.load() || s.faded.load(std::memory_order_acquire)) {
        silence(out, s.channels, frames);
        s.busy.store(false);
        s.callbacks.fetch_add(1, std::memory_order_relaxed);
        return paContinue;
    }
    if (flags & (paInputOverflow | paInputUnderflow)) s.overflows.fetch_add(1, std::memory_order_relaxed);
    if (flags & (paOutputUnderflow | paOutputOverflow)) s.underflows.fetch_add(1, std::memory_order_relaxed);
    const float* const* in = nullptr;
    if (s.player || !input) {
        if (s.player)
            s.player->render(s.scratch_ptr.data(), frames);
        else
            for (auto& v : s.scratch) std::fill_n(v.data(), frames, 0.0f);
        in = s.scratch_ptr.data();
    } else {
        in = static_cast<const float* const*>(input);
    }
    s.engine->process(in, out, frames);
    if (s.fading.load(std::memory_order_relaxed)) fade_out(s, out, frames);
    s.busy.store(false);
    const double ms = std::chrono::duration<double, std::milli>(Clock::now() - start).count();
    if (ms > s.max_ms.load(std::memory_order_relaxed)) s.max_ms.store(ms, std::memory_order_relaxed);
    if (ms * 1e-3 > s.period_s * static_cast<double>(frames)) s.late.fetch_add(1, std::memory_order_relaxed);
    s.callbacks.fetch_add(1, std::memory_order_relaxed);
    return paContinue;
}

void live_finished(void* user) noexcept {
    static_cast<LiveAudio::Shared*>(user)->finished.store(true, std::memory_order_release);
}

std::string quoted(const std::string& s) { return "'" + s + "'"; }

}  // namespace

LiveAudio::LiveAudio(const LiveAudioConfig& config, Engine& engine, FilePlayer* player)
    : shared_(std::make_shared<Shared>()) {
    const auto& ec = engine.config();
    if (std::abs(ec.sample_rate.value - config.sample_rate) > 0.5)
        throw Error("the engine runs at " + fmt(ec.sample_rate.value) + " Hz, the stream would run at " +
                    fmt(config.sample_rate) + " Hz; prepare the engine for the device's rate");
    if (ec.max_block < config.frames_per_buffer)
        throw Error("the engine's block (" + std::to_string(ec.max_block) + ") is shorter than the stream's buffer (" +
                    std::to_string(config.frames_per_buffer) + ")");
    auto& s = *shared_;
    s.engine = &engine;
    s.player = player;
    s.channels = ec.channels.size();
    s.period_s = 1.0 / config.sample_rate;
    s.fade_step = static_cast<float>(1.0 / std::max(1.0, fade_s * config.sample_rate));
    s.scratch.assign(s.channels, std::vector<float>(ec.max_block, 0.0f));
    for (auto& v : s.scratch) s.scratch_ptr.push_back(v.data());

    const bool want_input = player == nullptr;
    const int out_dev = find_device(config.device, false);
    const PaDeviceInfo* out_info = Pa_GetDeviceInfo(out_dev);
    device_name_ = out_info->name ? out_info->name : std::to_string(out_dev);
    const int in_dev = want_input ? find_device(config.device, true) : out_dev;
    const PaDeviceInfo* in_info = Pa_GetDeviceInfo(in_dev);
    const int channels = static_cast<int>(s.channels);
    if (out_info->maxOutputChannels < channels || (want_input && in_info->maxInputChannels < channels))
        throw Error("audio device " + quoted(device_name_) + " has " + std::to_string(out_info->maxOutputChannels) +
                    " output" +
                    (want_input ? " and " + std::to_string(in_info->maxInputChannels) + " input" : std::string()) +
                    " channels, and " + std::to_string(channels) +
                    " are needed; run with fewer channels or choose another device (see `roomcal devices`)");

    PaStreamParameters out{};
    out.device = out_dev;
    out.channelCount = channels;
    out.sampleFormat = paFloat32 | paNonInterleaved;
    out.suggestedLatency = out_info->defaultLowOutputLatency;
    PaStreamParameters in = out;
    in.device = in_dev;
    in.suggestedLatency = in_info->defaultLowInputLatency;
    const PaError supported = Pa_IsFormatSupported(want_input ? &in : nullptr, &out, config.sample_rate);
    if (supported == paInvalidSampleRate)
        throw Error("audio device " + quoted(device_name_) + " cannot run at " + fmt(config.sample_rate) +
                    " Hz (its default rate is " + fmt(out_info->defaultSampleRate) +
                    " Hz); choose a rate it supports, or change its rate (for JACK: the server's rate)");
    PaStream* stream = nullptr;
    const PaError err = Pa_OpenStream(&stream, want_input ? &in : nullptr, &out, config.sample_rate,
                                      config.frames_per_buffer, paClipOff | paDitherOff, live_callback, &s);
    if (err != paNoError)
        throw Error("audio device " + quoted(device_name_) + " could not open " + std::to_string(s.channels) +
                    " channels at " + fmt(config.sample_rate) + " Hz, " + std::to_string(config.frames_per_buffer) +
                    " frames: " + Pa_GetErrorText(err) + "; choose another device, rate or buffer size");
    stream_ = stream;
    Pa_SetStreamFinishedCallback(stream, live_finished);
    if (const PaStreamInfo* info = Pa_GetStreamInfo(stream)) {
        sample_rate_ = info->sampleRate;
        input_latency_s_ = want_input ? info->inputLatency : 0.0;
        output_latency_s_ = info->outputLatency;
    }
    watchdog_limit_s_ =
        std::max(min_watchdog_s, watchdog_buffers * static_cast<double>(config.frames_per_buffer) / config.sample_rate);
}

LiveAudio::~LiveAudio() {
    stop();
    if (stream_ && !left_open_) Pa_CloseStream(static_cast<PaStream*>(stream_));
}

void LiveAudio::start() {
    if (!health_.ok()) throw Error(health_.message);
    if (started_) return;
    auto& s = *shared_;
    s.gain = 1.0f;
    s.fading.store(false);
    s.faded.store(false);
    s.finished.store(false);
    const PaError err = Pa_StartStream(static_cast<PaStream*>(stream_));
    if (err != paNoError)
        throw Error("audio device " + quoted(device_name_) + " would not start: " + Pa_GetErrorText(err) +
                    "; check that it is connected and not in use, then try again");
    started_ = true;
    seen_callbacks_ = s.callbacks.load(std::memory_order_relaxed);
    seen_at_ = Clock::now();
}

void LiveAudio::stop() noexcept {
    if (!started_) return;
    auto& s = *shared_;
    // PortAudio's JACK back-end hangs stopping a stream whose server has gone, so the stream
    // must be seen alive first: its callbacks fade the output out.
    s.fading.store(true, std::memory_order_relaxed);
    const auto deadline = Clock::now() + std::chrono::duration<double>(2.0 * watchdog_limit_s_);
    while (!s.faded.load(std::memory_order_acquire) && health().ok() && Clock::now() < deadline)
        std::this_thread::sleep_for(poll_interval);
    if (health_.ok() && !s.faded.load(std::memory_order_acquire))
        lose("its callbacks did not finish fading out within " + fmt(2.0 * watchdog_limit_s_) + " s");
    if (!health_.ok()) return;
    Pa_StopStream(static_cast<PaStream*>(stream_));
    started_ = false;
}

bool LiveAudio::running() const {
    return started_ && health_.ok() && Pa_IsStreamActive(static_cast<PaStream*>(stream_)) == 1;
}

LiveHealth LiveAudio::health() {
    if (!started_ || !health_.ok()) return health_;
    const auto& s = *shared_;
    const auto now = Clock::now();
    const std::size_t callbacks = s.callbacks.load(std::memory_order_relaxed);
    if (callbacks != seen_callbacks_) {
        seen_callbacks_ = callbacks;
        seen_at_ = now;
    }
    const PaError active = Pa_IsStreamActive(static_cast<PaStream*>(stream_));
    const double quiet_s = std::chrono::duration<double>(now - seen_at_).count();
    if (s.finished.load(std::memory_order_acquire))
        lose("its stream ended");
    else if (active < 0)
        lose(std::string("PortAudio reports: ") + Pa_GetErrorText(active));
    else if (active == 0)
        lose("its stream stopped by itself");
    else if (quiet_s > watchdog_limit_s_)
        lose("no audio callback for " + fmt(quiet_s, 2) + " s");
    return health_;
}

void LiveAudio::lose(const std::string& why) {
    auto& s = *shared_;
    s.silent.store(true);
    // A callback that began before `silent` was set may still be in the engine.
    const auto deadline = Clock::now() + std::chrono::duration<double>(watchdog_limit_s_);
    while (s.busy.load() && Clock::now() < deadline) std::this_thread::sleep_for(poll_interval);
    health_.state = LiveHealth::State::device_lost;
    health_.message = "audio device " + quoted(device_name_) + " was lost (" + why +
                      "): it was disconnected, or its JACK server quit or stalled; the output is silent. Reconnect "
                      "it (or restart JACK), then start again";
    started_ = false;
    left_open_ = end_lost_stream(stream_);
    if (left_open_)
        keep_for_good(shared_);  // the callback may yet run, and must find its state
    else
        stream_ = nullptr;
}

LiveStats LiveAudio::stats() const {
    const auto& s = *shared_;
    LiveStats st;
    st.callbacks = s.callbacks.load();
    st.input_overflows = s.overflows.load();
    st.output_underflows = s.underflows.load();
    st.late_callbacks = s.late.load();
    st.max_callback_ms = s.max_ms.load();
    st.cpu_load = stream_ ? Pa_GetStreamCpuLoad(static_cast<PaStream*>(stream_)) : 0.0;
    st.sample_rate = sample_rate_;
    st.input_latency_s = input_latency_s_;
    st.output_latency_s = output_latency_s_;
    return st;
}

}  // namespace roomcal::engine
