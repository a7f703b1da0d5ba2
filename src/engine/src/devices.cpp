// PortAudio host-API and device enumeration, and letting go of a stream whose device vanished.
#include "roomcal/engine/devices.hpp"

#include <portaudio.h>

#include <fcntl.h>
#include <unistd.h>
#include <cstdio>
#include <utility>
#include <vector>

#include "roomcal/core/error.hpp"

namespace roomcal::engine {
namespace {

// PortAudio's back-ends print to stderr while probing hardware that is not there
// (ALSA's "cannot find card", JACK's "server is not running"). Those lines say nothing
// the device list does not, so stderr is silenced around initialisation only.
class QuietStderr {
public:
    QuietStderr() {
        std::fflush(stderr);
        saved_ = ::dup(STDERR_FILENO);
        const int devnull = ::open("/dev/null", O_WRONLY);
        if (saved_ >= 0 && devnull >= 0) ::dup2(devnull, STDERR_FILENO);
        if (devnull >= 0) ::close(devnull);
    }
    ~QuietStderr() {
        std::fflush(stderr);
        if (saved_ >= 0) {
            ::dup2(saved_, STDERR_FILENO);
            ::close(saved_);
        }
    }
    QuietStderr(const QuietStderr&) = delete;
    QuietStderr& operator=(const QuietStderr&) = delete;

private:
    int saved_ = -1;
};

}  // namespace

PortAudioSession::PortAudioSession() {
    PaError err;
    {
        QuietStderr quiet;
        err = Pa_Initialize();
    }
    if (err != paNoError)
        throw Error(std::string("cannot start the audio system (PortAudio): ") + Pa_GetErrorText(err));
}

PortAudioSession::~PortAudioSession() {
    QuietStderr quiet;
    Pa_Terminate();
}

DeviceList list_devices() {
    DeviceList list;
    const PaHostApiIndex apis = Pa_GetHostApiCount();
    for (PaHostApiIndex a = 0; a < apis; ++a) {
        const PaHostApiInfo* info = Pa_GetHostApiInfo(a);
        if (info) list.host_apis.push_back({info->name, info->deviceCount});
    }
    const PaDeviceIndex count = Pa_GetDeviceCount();
    for (PaDeviceIndex d = 0; d < count; ++d) {
        const PaDeviceInfo* info = Pa_GetDeviceInfo(d);
        if (!info) continue;
        const PaHostApiInfo* api = Pa_GetHostApiInfo(info->hostApi);
        DeviceInfo dev;
        dev.index = d;
        dev.name = info->name ? info->name : "(unnamed)";
        dev.host_api = api ? api->name : "?";
        dev.max_input_channels = info->maxInputChannels;
        dev.max_output_channels = info->maxOutputChannels;
        dev.default_sample_rate = info->defaultSampleRate;
        dev.is_default_input = api && api->defaultInputDevice == d;
        dev.is_default_output = api && api->defaultOutputDevice == d;
        list.devices.push_back(std::move(dev));
    }
    return list;
}

bool end_lost_stream(void* stream) {
    auto* s = static_cast<PaStream*>(stream);
    if (Pa_GetStreamHostApiType(s) == paJACK) {
        // One more reference: the matching Pa_Terminate never comes.
        QuietStderr quiet;
        Pa_Initialize();
        return true;
    }
    Pa_AbortStream(s);
    Pa_CloseStream(s);
    return false;
}

void keep_for_good(std::shared_ptr<void> state) {
    // Never destroyed: a callback may still come while the process exits.
    static auto* kept = new std::vector<std::shared_ptr<void>>;
    kept->push_back(std::move(state));
}

}  // namespace roomcal::engine
