// Audio devices as PortAudio sees them: host APIs (ALSA, JACK, ...) and their devices.
#pragma once

#include <string>
#include <vector>

namespace roomcal::engine {

struct DeviceInfo {
    int index = -1;  // PortAudio device index
    std::string name;
    std::string host_api;
    int max_input_channels = 0;
    int max_output_channels = 0;
    double default_sample_rate = 0.0;
    bool is_default_input = false;
    bool is_default_output = false;
};

struct HostApiInfo {
    std::string name;
    int device_count = 0;
};

struct DeviceList {
    std::vector<HostApiInfo> host_apis;
    std::vector<DeviceInfo> devices;
};

// Keeps PortAudio initialised for its lifetime; PortAudio's own diagnostics from
// probing absent back-ends (ALSA cards, a JACK server that is not running) are kept off
// the user's terminal. Throws roomcal::Error if PortAudio cannot start.
class PortAudioSession {
public:
    PortAudioSession();
    ~PortAudioSession();
    PortAudioSession(const PortAudioSession&) = delete;
    PortAudioSession& operator=(const PortAudioSession&) = delete;
};

// Requires a live PortAudioSession.
DeviceList list_devices();

}  // namespace roomcal::engine
