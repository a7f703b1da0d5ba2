// The monitor's audio: LiveAudio on a device, or the simulated clock; the meter thread.
#include "audio_driver.hpp"

#include <algorithm>
#include <chrono>
#include <vector>

#include "roomcal/core/error.hpp"
#include "roomcal/engine/devices.hpp"

namespace roomcal::ui {
namespace {

using Clock = std::chrono::steady_clock;

}  // namespace

AudioDriver::AudioDriver(const AudioSetup& setup, std::unique_ptr<engine::FilePlayer> player)
    : setup_(setup), player_(std::move(player)) {
    engine::EngineConfig config;
    config.sample_rate = Hz(setup.sample_rate);
    config.max_block = setup.frames_per_buffer;
    config.channels.clear();
    for (std::size_t c = 0; c < setup.channels; ++c)
        config.channels.push_back(setup.channels == 2 ? (c == 0 ? "L" : "R") : std::to_string(c + 1));
    engine_ = std::make_unique<engine::Engine>(config);
    meters_.prepare(setup.sample_rate, setup.channels);
    engine_->attach_meters(&meters_.tap());
    engine_->start_with(nullptr, nullptr);

    if (setup.simulated) {
        audio_thread_ = std::thread([this] { simulated_loop(); });
    } else {
        session_.emplace();
        engine::LiveAudioConfig lc;
        lc.device = setup.device;
        lc.sample_rate = setup.sample_rate;
        lc.frames_per_buffer = setup.frames_per_buffer;
        live_ = std::make_unique<engine::LiveAudio>(lc, *engine_, player_.get());
        live_->start();
    }
    // Meters are computed here, never on the audio or the UI thread: 50 updates a second
    // keep the 100 ms loudness refresh and the peak ballistics smooth.
    meter_thread_ = std::thread([this] {
        while (!stop_.load(std::memory_order_relaxed)) {
            meters_.update();
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
        }
    });
}

AudioDriver::~AudioDriver() {
    if (live_) live_->stop();
    stop_.store(true);
    if (audio_thread_.joinable()) audio_thread_.join();
    if (meter_thread_.joinable()) meter_thread_.join();
    live_.reset();
}

// The virtual device: one block per period on the audio clock, input silent (the virtual
// room has no line input), the output discarded after the meters saw it. Timing and load
// are measured as a device callback's would be.
void AudioDriver::simulated_loop() {
    const std::size_t frames = setup_.frames_per_buffer, channels = setup_.channels;
    std::vector<std::vector<float>> in(channels, std::vector<float>(frames, 0.0f)),
        out(channels, std::vector<float>(frames, 0.0f));
    std::vector<float*> in_ptr(channels), out_ptr(channels);
    for (std::size_t c = 0; c < channels; ++c) in_ptr[c] = in[c].data(), out_ptr[c] = out[c].data();
    const auto period = std::chrono::duration<double>(static_cast<double>(frames) / setup_.sample_rate);
    auto next = Clock::now();
    double busy = 0.0, window = 0.0;
    while (!stop_.load(std::memory_order_relaxed)) {
        next += std::chrono::duration_cast<Clock::duration>(period);
        std::this_thread::sleep_until(next);
        const auto t0 = Clock::now();
        if (player_) player_->render(in_ptr.data(), frames);
        engine_->process(in_ptr.data(), out_ptr.data(), frames);
        const double took = std::chrono::duration<double>(Clock::now() - t0).count();
        sim_callbacks_.fetch_add(1, std::memory_order_relaxed);
        if (took > period.count()) sim_late_.fetch_add(1, std::memory_order_relaxed);
        sim_max_ms_.store(std::max(sim_max_ms_.load(std::memory_order_relaxed), took * 1e3), std::memory_order_relaxed);
        busy += took;
        window += period.count();
        if (window >= 1.0) {
            sim_load_.store(busy / window, std::memory_order_relaxed);
            busy = window = 0.0;
        }
        // A stall (a suspended machine, a debugger) does not make the clock race to catch up.
        if (Clock::now() - next > std::chrono::milliseconds(200)) next = Clock::now();
    }
}

AudioStatus AudioDriver::status() {
    AudioStatus s;
    s.sample_rate = setup_.sample_rate;
    s.frames_per_buffer = setup_.frames_per_buffer;
    const double engine_ms = static_cast<double>(engine_->latency_samples()) / setup_.sample_rate * 1e3;
    if (live_) {
        const auto health = live_->health();
        const auto st = live_->stats();
        s.running = live_->running();
        s.device = live_->device_name();
        s.callbacks = st.callbacks;
        s.xruns = st.input_overflows + st.output_underflows;
        s.late = st.late_callbacks;
        s.load = st.cpu_load;
        s.max_callback_ms = st.max_callback_ms;
        s.latency_ms = (st.input_latency_s + st.output_latency_s) * 1e3 + engine_ms;
        if (!health.ok()) s.error = health.message;
    } else {
        s.running = !stop_.load();
        s.device = "virtual room (simulated clock, no sound card)";
        s.callbacks = sim_callbacks_.load(std::memory_order_relaxed);
        s.late = sim_late_.load(std::memory_order_relaxed);
        s.load = sim_load_.load(std::memory_order_relaxed);
        s.max_callback_ms = sim_max_ms_.load(std::memory_order_relaxed);
        s.latency_ms = static_cast<double>(setup_.frames_per_buffer) / setup_.sample_rate * 1e3 + engine_ms;
    }
    return s;
}

}  // namespace roomcal::ui
