// PortAudio play-and-record: stream callbacks copy between preloaded buffers and the
// device and publish progress through atomics; the calling thread watches for completion,
// silence and device loss, so a measurement is either whole or an error.
#include "roomcal/engine/play_record.hpp"

#include <portaudio.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <memory>
#include <sstream>
#include <thread>
#include <utility>

#include "roomcal/core/error.hpp"
#include "roomcal/engine/devices.hpp"

namespace roomcal::engine {
namespace {

using Clock = std::chrono::steady_clock;
constexpr auto poll_interval = std::chrono::milliseconds(50);
constexpr auto silence_limit = std::chrono::seconds(2);
constexpr auto timeout_margin = std::chrono::seconds(10);
constexpr float peak_floor_dbfs = -120.0f;

static_assert(std::atomic<float>::is_always_lock_free && std::atomic<std::size_t>::is_always_lock_free &&
                  std::atomic<std::uint64_t>::is_always_lock_free && std::atomic<unsigned>::is_always_lock_free,
              "the audio thread shares only lock-free atomics");

std::string lower(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return s;
}

std::string listing(const std::vector<DeviceInfo>& devices) {
    if (devices.empty()) return "  (none)";
    std::ostringstream os;
    for (std::size_t i = 0; i < devices.size(); ++i) {
        const DeviceInfo& d = devices[i];
        os << (i ? "\n" : "") << "  " << d.index << ": " << d.name << " (" << d.host_api << ", " << d.max_input_channels
           << " in, " << d.max_output_channels << " out)";
    }
    return os.str();
}

std::string quoted(const std::string& s) { return "'" + s + "'"; }

std::string pa_error_text(PaError err) {
    std::string text = Pa_GetErrorText(err);
    if (err == paUnanticipatedHostError) {
        const PaHostErrorInfo* host = Pa_GetLastHostErrorInfo();
        if (host && host->errorText && *host->errorText) text += std::string(" (") + host->errorText + ")";
    }
    return text;
}

// What the stream callbacks share with the calling thread. Sized and filled on the main
// thread before any stream opens; the callbacks only copy samples and update atomics.
class Transfer {
public:
    // [main thread] `output_sources` holds, per device output channel, the playback channel
    // it plays or -1 for silence; `input_channels` the device input of each recorded channel.
    Transfer(AudioBuffer<float> playback, std::vector<int> output_sources, std::vector<int> input_channels,
             std::size_t record_frames)
        : playback_(std::move(playback)),
          output_sources_(std::move(output_sources)),
          input_channels_(std::move(input_channels)),
          recorded_(input_channels_.size(), record_frames),
          peaks_(std::make_unique<std::atomic<float>[]>(input_channels_.size())) {}

    // [audio thread] The next frames of playback on every device output; frames past the
    // end and channels not fed are silent.
    void play(float* const* out, std::size_t frames) noexcept {
        const std::size_t pos = played_.load(std::memory_order_relaxed);
        const std::size_t n = std::min(frames, playback_.num_frames() - pos);
        for (std::size_t c = 0; c < output_sources_.size(); ++c) {
            const int source = output_sources_[c];
            const std::size_t copied = source < 0 ? 0 : n;
            if (copied) std::copy_n(playback_.channel(static_cast<std::size_t>(source)).data() + pos, copied, out[c]);
            std::fill(out[c] + copied, out[c] + frames, 0.0f);
        }
        played_.store(pos + n, std::memory_order_release);
    }

    // [audio thread] Appends the block to the recording until it is full, and raises each
    // channel's peak.
    void record(const float* const* in, std::size_t frames) noexcept {
        const std::size_t pos = recorded_frames_.load(std::memory_order_relaxed);
        const std::size_t n = std::min(frames, recorded_.num_frames() - pos);
        for (std::size_t k = 0; k < input_channels_.size(); ++k) {
            const float* source = in[input_channels_[k]];
            std::copy_n(source, n, recorded_.channel(k).data() + pos);
            float peak = 0.0f;
            for (std::size_t i = 0; i < n; ++i) peak = std::max(peak, std::fabs(source[i]));
            raise_to(peaks_[k], peak);
        }
        recorded_frames_.store(pos + n, std::memory_order_release);
    }

    // [audio thread] PortAudio's status flags for one callback. Input underflow (silence
    // inserted) is as much a damaged recording as overflow, so both count as input faults.
    void count(PaStreamCallbackFlags flags) noexcept {
        if (flags & (paInputOverflow | paInputUnderflow)) input_overflows_.fetch_add(1, std::memory_order_relaxed);
        if (flags & (paOutputUnderflow | paOutputOverflow)) output_underflows_.fetch_add(1, std::memory_order_relaxed);
        // Where the fault struck: one in leading silence spoils nothing, one in the signal does.
        if (flags & (paInputOverflow | paInputUnderflow | paOutputUnderflow | paOutputOverflow))
            last_fault_frame_.store(recorded_frames_.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
    }

    // [any thread]
    bool playback_done() const noexcept { return played_.load(std::memory_order_acquire) == playback_.num_frames(); }
    bool recording_done() const noexcept {
        return recorded_frames_.load(std::memory_order_acquire) == recorded_.num_frames();
    }

    // [main thread] Progress, with each channel's peak since the previous report.
    PlayRecordProgress progress() {
        PlayRecordProgress p;
        p.fraction = static_cast<double>(recorded_frames_.load(std::memory_order_acquire)) /
                     static_cast<double>(recorded_.num_frames());
        for (std::size_t k = 0; k < input_channels_.size(); ++k) {
            const float peak = peaks_[k].exchange(0.0f, std::memory_order_relaxed);
            p.input_peak_dbfs.push_back(std::max(peak_floor_dbfs, 20.0f * std::log10(std::max(peak, 1e-30f))));
        }
        return p;
    }
    unsigned input_overflows() const { return input_overflows_.load(std::memory_order_relaxed); }
    unsigned output_underflows() const { return output_underflows_.load(std::memory_order_relaxed); }
    std::size_t last_fault_frame() const { return last_fault_frame_.load(std::memory_order_relaxed); }

    // [main thread] Only once every stream has stopped.
    AudioBuffer<float> take_recording() { return std::move(recorded_); }

private:
    // [audio thread] Lock-free max against the main thread's exchange in progress().
    static void raise_to(std::atomic<float>& held, float value) noexcept {
        float seen = held.load(std::memory_order_relaxed);
        while (value > seen && !held.compare_exchange_weak(seen, value, std::memory_order_relaxed)) continue;
    }

    AudioBuffer<float> playback_;
    std::vector<int> output_sources_;
    std::vector<int> input_channels_;
    AudioBuffer<float> recorded_;
    std::unique_ptr<std::atomic<float>[]> peaks_;
    std::atomic<std::size_t> played_{0};
    std::atomic<std::size_t> recorded_frames_{0};
    std::atomic<unsigned> input_overflows_{0};
    std::atomic<unsigned> output_underflows_{0};
    std::atomic<std::size_t> last_fault_frame_{0};
};

// One stream's share of the transfer: the directions it carries, and a heartbeat the
// calling thread watches to notice a callback that went silent.
struct StreamSide {
    Transfer* transfer = nullptr;
    bool plays = false;
    bool records = false;
    std::atomic<std::uint64_t> heartbeat{0};

    // [any thread] True once this stream has nothing left to do.
    bool done() const noexcept {
        return (!plays || transfer->playback_done()) && (!records || transfer->recording_done());
    }
};

// [audio thread]
int stream_callback(const void* input, void* output, unsigned long frames, const PaStreamCallbackTimeInfo*,
                    PaStreamCallbackFlags flags, void* user) noexcept {
    auto& side = *static_cast<StreamSide*>(user);
    side.transfer->count(flags);
    if (side.plays) side.transfer->play(static_cast<float* const*>(output), frames);
    if (side.records) side.transfer->record(static_cast<const float* const*>(input), frames);
    side.heartbeat.fetch_add(1, std::memory_order_relaxed);
    return side.done() ? paComplete : paContinue;
}

// Everything the callbacks may touch, in one allocation that can outlive an abandoned stream.
struct Run {
    template <typename... Args>
    explicit Run(Args&&... args) : transfer(std::forward<Args>(args)...) {
        for (StreamSide& side : sides) side.transfer = &transfer;
    }
    Transfer transfer;
    StreamSide sides[2];
};

// An open PortAudio stream on one device; closed (and aborted if still running) on
// destruction unless abandoned.
class Stream {
public:
    // [main thread]
    Stream(int device, const PaStreamParameters* input, const PaStreamParameters* output, double rate,
           unsigned frames_per_buffer, StreamSide& side)
        : side_(side) {
        const PaDeviceInfo* info = Pa_GetDeviceInfo(device);
        name_ = info && info->name ? info->name : std::to_string(device);
        const PaError err = Pa_OpenStream(&stream_, input, output, rate, frames_per_buffer, paClipOff | paDitherOff,
                                          stream_callback, &side_);
        if (err != paNoError) {
            stream_ = nullptr;
            throw Error("cannot open audio device " + quoted(name_) + ": " + pa_error_text(err) +
                        "; close other programs using it, or choose another device (see `roomcal devices`)");
        }
    }
    ~Stream() {
        if (stream_) Pa_CloseStream(stream_);
    }
    Stream(const Stream&) = delete;
    Stream& operator=(const Stream&) = delete;

    // [main thread]
    void start() {
        const PaError err = Pa_StartStream(stream_);
        if (err != paNoError)
            throw Error("cannot start audio device " + quoted(name_) + ": " + pa_error_text(err) +
                        "; check that it is connected and not in use, then measure again");
    }
    // [main thread] After the transfer is complete; an error here cannot spoil the recording.
    void stop() { Pa_StopStream(stream_); }

    // [main thread] 1 running, 0 stopped (by itself), < 0 a PortAudio error.
    PaError active() const { return Pa_IsStreamActive(stream_); }

    // [main thread] The rate the device really runs at, which may differ slightly from the one asked for.
    double sample_rate() const {
        const PaStreamInfo* info = Pa_GetStreamInfo(stream_);
        return info ? info->sampleRate : 0.0;
    }

    // [main thread] After the device stopped by itself: see end_lost_stream(). True when the
    // stream had to be left open, so its callback state must outlive everything.
    bool end_lost() {
        const bool left_open = end_lost_stream(stream_);
        stream_ = nullptr;
        return left_open;
    }

    const std::string& name() const { return name_; }
    StreamSide& side() const { return side_; }

private:
    StreamSide& side_;
    PaStream* stream_ = nullptr;
    std::string name_;
};

int default_device(bool for_input) {
    const PaDeviceIndex d = for_input ? Pa_GetDefaultInputDevice() : Pa_GetDefaultOutputDevice();
    if (d == paNoDevice) {
        const char* direction = for_input ? "input" : "output";
        throw Error(std::string("no audio ") + direction + " device found (PortAudio lists " +
                    (Pa_GetDeviceCount() > 0 ? "none with " + std::string(direction) + "s" : "no devices at all") +
                    "); connect an audio interface or start JACK, and check `roomcal devices`");
    }
    return d;
}

// Device channels to open: PortAudio opens channels 0..n-1, so n is one past the highest.
int channels_to_open(const std::vector<int>& channels, const std::string& device, int available,
                     const char* direction) {
    if (channels.empty())
        throw UsageError(std::string("no ") + direction + " channel chosen on audio device " + quoted(device) +
                         "; name at least one");
    for (const int c : channels) {
        if (c < 0 || c >= available)
            throw UsageError(std::string(direction) + " channel " + std::to_string(c) +
                             " does not exist on audio device " + quoted(device) + ", which has " +
                             std::to_string(available) + " " + direction + " channels (0.." +
                             std::to_string(available - 1) + "); choose one of those");
    }
    return *std::max_element(channels.begin(), channels.end()) + 1;
}

PaStreamParameters stream_parameters(int device, int channels, bool for_input) {
    const PaDeviceInfo* info = Pa_GetDeviceInfo(device);
    PaStreamParameters p{};
    p.device = device;
    p.channelCount = channels;
    p.sampleFormat = paFloat32 | paNonInterleaved;
    // A measurement gains nothing from low latency and everything from not dropping out.
    p.suggestedLatency = for_input ? info->defaultHighInputLatency : info->defaultHighOutputLatency;
    return p;
}

void check_format(const PaStreamParameters* input, const PaStreamParameters* output, double rate,
                  const std::string& device) {
    const PaError err = Pa_IsFormatSupported(input, output, rate);
    if (err == paFormatIsSupported) return;
    const PaDeviceInfo* info = Pa_GetDeviceInfo(input ? input->device : output->device);
    std::ostringstream os;
    if (err == paInvalidSampleRate) {
        os << "audio device " << quoted(device) << " cannot run at " << rate << " Hz (its default rate is "
           << info->defaultSampleRate << " Hz); measure at a rate it supports, or change its rate (for JACK: the "
           << "server's rate)";
    } else {
        os << "audio device " << quoted(device) << " refuses " << (input && output ? "full-duplex " : "")
           << "32-bit float at " << rate << " Hz: " << pa_error_text(err) << "; choose another device or rate";
    }
    throw Error(os.str());
}

// The playback as it will be sent: samples beyond ±1 are clamped and non-finite ones
// silenced, so a bad buffer can never drive the loudspeakers past full scale.
AudioBuffer<float> preload(AudioView<const float> playback, std::size_t& clamped) {
    AudioBuffer<float> out(playback.num_channels(), playback.num_frames());
    clamped = 0;
    for (std::size_t c = 0; c < playback.num_channels(); ++c) {
        const auto in = playback.channel(c);
        auto dst = out.channel(c);
        for (std::size_t i = 0; i < in.size(); ++i) {
            const float x = in[i];
            const float safe = std::isfinite(x) ? std::clamp(x, -1.0f, 1.0f) : 0.0f;
            clamped += safe != x;
            dst[i] = safe;
        }
    }
    return out;
}

[[noreturn]] void device_stopped(std::vector<std::unique_ptr<Stream>>& streams, std::unique_ptr<Run>& run,
                                 const std::string& device) {
    bool left_open = false;
    for (auto& s : streams) left_open = s->end_lost() || left_open;
    std::string message = "audio device " + quoted(device) +
                          " stopped during the sweep (disconnected?) — nothing was recorded; reconnect it and "
                          "measure again";
    if (left_open) {
        // The stream left open still points at the run.
        keep_for_good(std::shared_ptr<Run>(std::move(run)));
        message += " (the JACK server went away: restart roomcal once it is back)";
    }
    throw Error(message);
}

}  // namespace

int find_device(const std::string& name_or_index, bool for_input) {
    if (name_or_index.empty()) return default_device(for_input);
    const std::vector<DeviceInfo> devices = list_devices().devices;
    const std::string direction = for_input ? "input" : "output";
    const auto usable = [&](const DeviceInfo& d) {
        return (for_input ? d.max_input_channels : d.max_output_channels) > 0;
    };
    const auto pick = [&](auto&& matches_if) {
        std::vector<DeviceInfo> found;
        std::copy_if(devices.begin(), devices.end(), std::back_inserter(found), matches_if);
        return found;
    };

    std::vector<DeviceInfo> matches =
        pick([&](const DeviceInfo& d) { return std::to_string(d.index) == name_or_index; });
    if (matches.empty()) matches = pick([&](const DeviceInfo& d) { return d.name == name_or_index; });
    if (matches.empty()) {
        const std::string wanted = lower(name_or_index);
        matches = pick([&](const DeviceInfo& d) { return lower(d.name).find(wanted) != std::string::npos; });
    }
    if (matches.empty())
        throw UsageError("no audio device matches " + quoted(name_or_index) + "; the devices are:\n" +
                         listing(devices) + "\nname one by its number or (part of) its name");

    std::vector<DeviceInfo> fit;
    std::copy_if(matches.begin(), matches.end(), std::back_inserter(fit), usable);
    if (fit.size() == 1) return fit.front().index;
    if (fit.empty())
        throw UsageError("audio device " + quoted(name_or_index) + " has no " + direction + " channels:\n" +
                         listing(matches) + "\nthe devices with " + direction + "s are:\n" + listing(pick(usable)));
    throw UsageError(quoted(name_or_index) + " matches several audio " + direction + " devices:\n" + listing(fit) +
                     "\nname one by its number or its full name");
}

PlayRecordResult play_and_record(const PlayRecordConfig& config, AudioView<const float> playback,
                                 std::size_t extra_record_frames,
                                 const std::function<void(const PlayRecordProgress&)>& on_progress) {
    PortAudioSession session;
    const int out_device = find_device(config.output_device, false);
    const int in_device = find_device(config.input_device, true);
    const PaDeviceInfo& out_info = *Pa_GetDeviceInfo(out_device);
    const PaDeviceInfo& in_info = *Pa_GetDeviceInfo(in_device);
    const std::string out_name = out_info.name;
    const std::string in_name = in_info.name;
    const bool duplex = in_device == out_device;

    if (playback.num_channels() != config.output_channels.size())
        throw UsageError("the number of playback channels (" + std::to_string(playback.num_channels()) +
                         ") and of output channels chosen on " + quoted(out_name) + " (" +
                         std::to_string(config.output_channels.size()) +
                         ") differ; give one output channel per playback channel");
    if (playback.num_frames() == 0) throw UsageError("nothing to play: the playback buffer is empty");
    if (!(config.sample_rate > 0.0) || !std::isfinite(config.sample_rate))
        throw UsageError("a sample rate must be a positive number of Hz, e.g. 48000");
    const int out_count = channels_to_open(config.output_channels, out_name, out_info.maxOutputChannels, "output");
    const int in_count = channels_to_open(config.input_channels, in_name, in_info.maxInputChannels, "input");
    std::vector<int> output_sources(static_cast<std::size_t>(out_count), -1);
    for (std::size_t j = 0; j < config.output_channels.size(); ++j) {
        int& source = output_sources[static_cast<std::size_t>(config.output_channels[j])];
        if (source >= 0)
            throw UsageError("output channel " + std::to_string(config.output_channels[j]) + " of " + quoted(out_name) +
                             " is chosen twice; give each playback channel its own output");
        source = static_cast<int>(j);
    }

    const PaStreamParameters out_params = stream_parameters(out_device, out_count, false);
    const PaStreamParameters in_params = stream_parameters(in_device, in_count, true);
    if (duplex) {
        check_format(&in_params, &out_params, config.sample_rate, out_name);
    } else {
        check_format(nullptr, &out_params, config.sample_rate, out_name);
        check_format(&in_params, nullptr, config.sample_rate, in_name);
    }

    PlayRecordResult result;
    const std::size_t record_frames = playback.num_frames() + extra_record_frames;
    auto run = std::make_unique<Run>(preload(playback, result.clamped_samples), std::move(output_sources),
                                     config.input_channels, record_frames);
    std::vector<std::unique_ptr<Stream>> streams;
    if (duplex) {
        run->sides[0].plays = run->sides[0].records = true;
        streams.push_back(std::make_unique<Stream>(out_device, &in_params, &out_params, config.sample_rate,
                                                   config.frames_per_buffer, run->sides[0]));
    } else {
        run->sides[0].records = true;
        run->sides[1].plays = true;
        streams.push_back(std::make_unique<Stream>(in_device, &in_params, nullptr, config.sample_rate,
                                                   config.frames_per_buffer, run->sides[0]));
        streams.push_back(std::make_unique<Stream>(out_device, nullptr, &out_params, config.sample_rate,
                                                   config.frames_per_buffer, run->sides[1]));
    }
    for (auto& s : streams) s->start();

    const auto started = Clock::now();
    const auto allowed = std::chrono::duration_cast<Clock::duration>(
                             std::chrono::duration<double>(static_cast<double>(record_frames) / config.sample_rate)) +
                         timeout_margin;
    std::vector<std::uint64_t> beats(streams.size(), 0);
    std::vector<Clock::time_point> beat_at(streams.size(), started);
    while (!(run->transfer.playback_done() && run->transfer.recording_done())) {
        std::this_thread::sleep_for(poll_interval);
        if (on_progress) on_progress(run->transfer.progress());
        const auto now = Clock::now();
        for (std::size_t i = 0; i < streams.size(); ++i) {
            Stream& s = *streams[i];
            // Activity first: a stream that finishes between the two reads is then seen as done.
            const PaError active = s.active();
            if (s.side().done()) continue;
            const std::uint64_t beat = s.side().heartbeat.load(std::memory_order_relaxed);
            if (beat != beats[i]) {
                beats[i] = beat;
                beat_at[i] = now;
            }
            if (active != 1 || now - beat_at[i] > silence_limit) device_stopped(streams, run, s.name());
        }
        if (now - started > allowed) {
            std::ostringstream os;
            os << "audio device " << quoted(duplex ? out_name : out_name + " / " + in_name)
               << " did not finish the sweep within "
               << std::chrono::duration_cast<std::chrono::seconds>(allowed).count()
               << " s — nothing was recorded; check that it runs at " << config.sample_rate
               << " Hz and is not busy, then measure again";
            throw Error(os.str());
        }
    }
    for (auto& s : streams) s->stop();
    if (on_progress) {
        PlayRecordProgress last = run->transfer.progress();
        last.fraction = 1.0;
        on_progress(last);
    }

    result.actual_sample_rate = streams.front()->sample_rate();
    result.recorded = run->transfer.take_recording();
    result.input_overflows = run->transfer.input_overflows();
    result.output_underflows = run->transfer.output_underflows();
    result.last_fault_frame = run->transfer.last_fault_frame();
    return result;
}

}  // namespace roomcal::engine
