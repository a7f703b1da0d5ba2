// A room profile: the measurements of each loudspeaker channel at each mic position,
// free-form metadata, and the corrections fitted from them (one FilterSet per rate).
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "roomcal/core/filter_set.hpp"
#include "roomcal/core/frequency_response.hpp"
#include "roomcal/core/impulse_response.hpp"

namespace roomcal {

struct Measurement {
    int position = 1;   // 1-based mic position
    std::string label;  // e.g. "listening position", "30 cm left"
    // A measured or imported impulse response (empty samples: none), and/or a frequency
    // response imported from another tool (REW text, FRD) when no impulse response exists.
    ImpulseResponse impulse_response;
    FrequencyResponse frequency_response;
    // Arrival of the direct sound after the timing reference (loopback wire or acoustic
    // timing marker), in samples: what channel alignment compares between channels.
    double delay_samples = 0.0;
    std::string timing;  // "loopback", "acoustic timing marker", "direct sound", "imported"

    bool has_impulse_response() const { return !impulse_response.samples.empty(); }
};

// A measurement microphone's calibration: its deviation from flat, subtracted from every
// response measured with it, and the SPL offset of the whole chain.
struct MicCalibrationCurve {
    std::string source;  // file it came from
    FrequencyResponse deviation;
    double spl_offset_db = 0.0;

    bool empty() const { return deviation.size() == 0; }
};

struct RoomChannel {
    std::string name;  // "L", "R", "C", "Sub", ...
    std::vector<Measurement> measurements;

    const Measurement* find_position(int position) const;
    // Stores `m` at its position, replacing what was there; true if it replaced one.
    bool put(Measurement m);
};

// The target a correction aims for, as `roomcal fit --target` takes it ("flat",
// "house:+4@100,tilt:-0.5", "harman"), plus the points of a user curve (a REW
// house-curve file) when the spec names one, so the room needs no outside file.
struct RoomTarget {
    std::string spec = "flat";
    FrequencyResponse curve;  // magnitude only; empty unless the spec uses a file
    bool operator==(const RoomTarget&) const = default;
};

struct Room {
    std::string name;
    std::map<std::string, std::string> metadata;  // mic, interface, notes, created, ...
    MicCalibrationCurve mic_calibration;
    std::vector<RoomChannel> channels;
    std::vector<FilterSet> corrections;  // at most one per sample rate
    // Targets by channel name; "*" applies to every channel without its own.
    std::map<std::string, RoomTarget> targets;

    const RoomTarget* target_for(const std::string& channel) const;

    RoomChannel* find_channel(const std::string& name);
    const RoomChannel* find_channel(const std::string& name) const;
    RoomChannel& channel(const std::string& name);  // creates it when missing
    const FilterSet* correction_for(Hz rate) const;
};

}  // namespace roomcal
