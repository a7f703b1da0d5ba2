// Audio devices as PortAudio sees them: host APIs (ALSA, JACK, ...) and their devices, and
// how a stream whose device vanished is let go of.
#pragma once

#include <memory>
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

// [main thread] Ends a PortAudio stream (a PaStream*) whose device stopped by itself:
// unplugged, or its JACK server gone. PortAudio's JACK back-end cannot stop or close such a
// stream: it waits ten minutes for a process cycle that never comes, then fails an
// assertion, as Pa_Terminate does too (PortAudio issues #820, #879). A JACK stream is
// therefore left open, PortAudio stays initialised for the rest of the process (no
// PortAudioSession's end reaches Pa_Terminate), and the result is true: the caller must
// keep everything the stream's callback uses alive for good (keep_for_good()). Any other
// stream is aborted and closed, and the result is false.
bool end_lost_stream(void* stream);

// [main thread] Keeps `state` alive, and reachable, until the process ends: what the callback
// of a stream left open by end_lost_stream() uses.
void keep_for_good(std::shared_ptr<void> state);

}  // namespace roomcal::engine
