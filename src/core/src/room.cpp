// Room profile look-ups.
#include "roomcal/core/room.hpp"

#include <cmath>
#include <utility>

namespace roomcal {

const Measurement* RoomChannel::find_position(int position) const {
    for (const auto& m : measurements)
        if (m.position == position) return &m;
    return nullptr;
}

bool RoomChannel::put(Measurement m) {
    for (auto& existing : measurements)
        if (existing.position == m.position) {
            existing = std::move(m);
            return true;
        }
    measurements.push_back(std::move(m));
    return false;
}

RoomChannel* Room::find_channel(const std::string& channel_name) {
    for (auto& c : channels)
        if (c.name == channel_name) return &c;
    return nullptr;
}

const RoomChannel* Room::find_channel(const std::string& channel_name) const {
    for (const auto& c : channels)
        if (c.name == channel_name) return &c;
    return nullptr;
}

RoomChannel& Room::channel(const std::string& channel_name) {
    if (auto* c = find_channel(channel_name)) return *c;
    channels.push_back(RoomChannel{channel_name, {}});
    return channels.back();
}

const FilterSet* Room::correction_for(Hz rate) const {
    for (const auto& fs : corrections)
        if (std::abs(fs.sample_rate.value - rate.value) < 0.5) return &fs;
    return nullptr;
}

const RoomTarget* Room::target_for(const std::string& channel) const {
    if (const auto it = targets.find(channel); it != targets.end()) return &it->second;
    if (const auto it = targets.find("*"); it != targets.end()) return &it->second;
    return nullptr;
}

}  // namespace roomcal
