// The live stream's callback: input or file player into the engine, out to the device,
// with the counters the monitor shows.
#include "roomcal/engine/live_audio.hpp"

#include <portaudio.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <vector>

#include "roomcal/core/error.hpp"
#include "roomcal/core/format.hpp"
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
};

namespace {

int live_callback(const void* input, void* output, unsigned long frames, const PaStreamCallbackTimeInfo*,
                  PaStreamCallbackFlags flags, void* user) {
    auto& s = *static_cast<LiveAudio::Shared*>(user);
    const auto start = std::chrono::steady_clock::now();
    auto** out = static_cast<float**>(output);
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
    const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
    if (ms > s.max_ms.load(std::memory_order_relaxed)) s.max_ms.store(ms, std::memory_order_relaxed);
    if (ms * 1e-3 > s.period_s * static_cast<double>(frames)) s.late.fetch_add(1, std::memory_order_relaxed);
    s.callbacks.fetch_add(1, std::memory_order_relaxed);
    return paContinue;
}

}  // namespace

LiveAudio::LiveAudio(const LiveAudioConfig& config, Engine& engine, FilePlayer* player)
    : shared_(std::make_unique<Shared>()) {
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
    s.scratch.assign(s.channels, std::vector<float>(ec.max_block, 0.0f));
    for (auto& v : s.scratch) s.scratch_ptr.push_back(v.data());

    const int out_dev = find_device(config.device, false);
    const PaDeviceInfo* out_info = Pa_GetDeviceInfo(out_dev);
    PaStreamParameters out{};
    out.device = out_dev;
    out.channelCount = static_cast<int>(s.channels);
    out.sampleFormat = paFloat32 | paNonInterleaved;
    out.suggestedLatency = out_info->defaultLowOutputLatency;
    PaStreamParameters in = out;
    const bool want_input = player == nullptr;
    if (want_input) {
        in.device = find_device(config.device, true);
        in.suggestedLatency = Pa_GetDeviceInfo(in.device)->defaultLowInputLatency;
    }
    PaStream* stream = nullptr;
    const PaError err = Pa_OpenStream(&stream, want_input ? &in : nullptr, &out, config.sample_rate,
                                      config.frames_per_buffer, paClipOff | paDitherOff, live_callback, &s);
    if (err != paNoError)
        throw Error("audio device '" + std::string(out_info->name) + "' could not open " + std::to_string(s.channels) +
                    " channels at " + fmt(config.sample_rate) + " Hz, " + std::to_string(config.frames_per_buffer) +
                    " frames: " + Pa_GetErrorText(err) + "; choose another device, rate or buffer size");
    stream_ = stream;
}

LiveAudio::~LiveAudio() {
    if (!stream_) return;
    auto* stream = static_cast<PaStream*>(stream_);
    if (Pa_IsStreamActive(stream) == 1) Pa_StopStream(stream);
    Pa_CloseStream(stream);
}

void LiveAudio::start() {
    const PaError err = Pa_StartStream(static_cast<PaStream*>(stream_));
    if (err != paNoError) throw Error(std::string("the audio stream would not start: ") + Pa_GetErrorText(err));
}

void LiveAudio::stop() { Pa_StopStream(static_cast<PaStream*>(stream_)); }

bool LiveAudio::running() const { return Pa_IsStreamActive(static_cast<PaStream*>(stream_)) == 1; }

LiveStats LiveAudio::stats() const {
    const auto& s = *shared_;
    LiveStats st;
    st.callbacks = s.callbacks.load();
    st.input_overflows = s.overflows.load();
    st.output_underflows = s.underflows.load();
    st.late_callbacks = s.late.load();
    st.max_callback_ms = s.max_ms.load();
    st.cpu_load = Pa_GetStreamCpuLoad(static_cast<PaStream*>(stream_));
    return st;
}

}  // namespace roomcal::engine
