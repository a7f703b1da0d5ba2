// The PortAudio device behind measure::Recorder, for the CLI and the monitor alike:
// loudspeaker channels by name mapped to device outputs, the mic and an optional
// loopback wire on device inputs.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>

#include "roomcal/measure/recorder.hpp"

namespace roomcal::app {

struct DeviceRecorderConfig {
    std::string output_device, input_device;  // name, unique part of a name, or index; empty: default
    std::map<std::string, int> outputs;       // loudspeaker channel -> device output (0-based)
    int mic_input = 0;                        // device input (0-based)
    std::optional<int> loopback_input;        // device input wired from `loopback_output`
    std::optional<int> loopback_output;
    double sample_rate = 48000.0;
    unsigned frames_per_buffer = 256;
};

// Throws roomcal::Error when no device exists or the named one cannot be used.
std::unique_ptr<measure::Recorder> make_device_recorder(const DeviceRecorderConfig& config);

}  // namespace roomcal::app
