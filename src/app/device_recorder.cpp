// measure::Recorder over engine::play_and_record.
#include "roomcal/app/device_recorder.hpp"

#include <algorithm>
#include <cmath>

#include "roomcal/core/error.hpp"
#include "roomcal/engine/devices.hpp"
#include "roomcal/engine/play_record.hpp"

namespace roomcal::app {
namespace {

class DeviceRecorder final : public measure::Recorder {
public:
    explicit DeviceRecorder(DeviceRecorderConfig c) : config_(std::move(c)) {
        engine::PortAudioSession session;
        if (engine::list_devices().devices.empty())
            throw Error(
                "no audio devices found: connect an interface (or start JACK/PipeWire), check it with "
                "`roomcal devices`, or measure a virtual room with --simulate NAME");
        // Resolve names now, so a wrong device is reported before anything plays.
        const int out = engine::find_device(config_.output_device, false);
        input_name_ = config_.input_device.empty() ? config_.output_device : config_.input_device;
        engine::find_device(input_name_, true);
        description_ = "audio device " +
                       (config_.output_device.empty() ? std::string("(default)") : config_.output_device) + " #" +
                       std::to_string(out);
    }

    Hz sample_rate() const override { return Hz(config_.sample_rate); }
    std::vector<std::string> output_channels() const override {
        std::vector<std::string> names;
        for (const auto& [name, index] : config_.outputs) names.push_back(name);
        return names;
    }
    bool has_loopback() const override { return config_.loopback_input.has_value(); }
    void set_position(int) override {}
    std::string describe() const override { return description_; }

    measure::RecorderTake play_and_record(
        const std::vector<std::pair<std::string, std::vector<double>>>& playback, std::size_t extra_frames,
        const std::function<void(const measure::RecorderProgress&)>& progress) override {
        if (playback.empty()) throw UsageError("nothing to play");
        const std::size_t frames = playback.front().second.size();
        engine::PlayRecordConfig pc;
        pc.output_device = config_.output_device;
        pc.input_device = input_name_;
        pc.sample_rate = config_.sample_rate;
        pc.frames_per_buffer = config_.frames_per_buffer;
        std::vector<const std::vector<double>*> rows;
        for (const auto& [name, signal] : playback) {
            const auto it = config_.outputs.find(name);
            if (it == config_.outputs.end()) throw UsageError("no device output is assigned to channel " + name);
            pc.output_channels.push_back(it->second);
            rows.push_back(&signal);
        }
        // The loopback output carries the first row (the one with the sweep).
        if (config_.loopback_output) {
            pc.output_channels.push_back(*config_.loopback_output);
            rows.push_back(&playback.front().second);
        }
        pc.input_channels.push_back(config_.mic_input);
        if (config_.loopback_input) pc.input_channels.push_back(*config_.loopback_input);

        AudioBuffer<float> out(rows.size(), frames);
        for (std::size_t c = 0; c < rows.size(); ++c)
            for (std::size_t n = 0; n < frames; ++n) out(c, n) = static_cast<float>((*rows[c])[n]);
        const auto result =
            engine::play_and_record(pc, out.view(), extra_frames, [&](const engine::PlayRecordProgress& p) {
                if (progress) progress({p.fraction, p.input_peak_dbfs.empty() ? -200.0 : p.input_peak_dbfs.front()});
            });
        measure::RecorderTake take;
        take.audio.resize(result.recorded.num_channels(), result.recorded.num_frames());
        for (std::size_t c = 0; c < take.audio.num_channels(); ++c)
            for (std::size_t n = 0; n < take.audio.num_frames(); ++n) take.audio(c, n) = result.recorded(c, n);
        take.dropouts = result.input_overflows + result.output_underflows;
        take.last_dropout_frame = result.last_fault_frame;
        return take;
    }

private:
    DeviceRecorderConfig config_;
    std::string input_name_;
    std::string description_;
};

}  // namespace

std::unique_ptr<measure::Recorder> make_device_recorder(const DeviceRecorderConfig& config) {
    return std::make_unique<DeviceRecorder>(config);
}

}  // namespace roomcal::app
