// A room profile: the measurements of each loudspeaker channel at each mic position,
// free-form metadata, and the corrections fitted from them (one FilterSet per rate).
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "roomcal/core/filter_set.hpp"
#include "roomcal/core/impulse_response.hpp"

namespace roomcal {

struct Measurement {
    int position = 1;   // 1-based mic position
    std::string label;  // e.g. "listening position", "30 cm left"
    ImpulseResponse impulse_response;
};

struct RoomChannel {
    std::string name;  // "L", "R", "C", "Sub", ...
    std::vector<Measurement> measurements;

    const Measurement* find_position(int position) const;
};

struct Room {
    std::string name;
    std::map<std::string, std::string> metadata;  // mic, interface, notes, created, ...
    std::vector<RoomChannel> channels;
    std::vector<FilterSet> corrections;  // at most one per sample rate

    RoomChannel* find_channel(const std::string& name);
    const RoomChannel* find_channel(const std::string& name) const;
    RoomChannel& channel(const std::string& name);  // creates it when missing
    const FilterSet* correction_for(Hz rate) const;
};

}  // namespace roomcal
