// A room's correction for a rate, a FIR WAV as a correction, and a room audition after it.
#include "correction_source.hpp"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <utility>

#include "roomcal/core/error.hpp"
#include "roomcal/core/format.hpp"
#include "roomcal/correct/audition.hpp"
#include "roomcal/io/filter_wav.hpp"
#include "roomcal/io/room_profile.hpp"

namespace roomcal::app {

const FilterSet& room_correction(const Room& room, const std::string& room_dir, Hz rate) {
    if (const FilterSet* set = room.correction_for(rate)) return *set;
    std::string rates;
    for (const auto& s : room.corrections) rates += (rates.empty() ? "" : ", ") + fmt(s.sample_rate.value, 9);
    throw Error("room " + room.name + " has no correction for " + fmt(rate.value, 9) + " Hz (it has " +
                (rates.empty() ? std::string("none") : rates + " Hz") + "); run roomcal fit --room " + room_dir +
                " --rate " + fmt(rate.value, 9));
}

FilterSet fir_correction(const std::string& fir, Hz rate, std::size_t channels, const std::string& audio,
                         const std::string& rate_owner) {
    auto wav = io::read_fir_wav(fir);
    if (std::abs(wav.sample_rate.value - rate.value) > 0.5)
        throw Error(fir + " is at " + fmt(wav.sample_rate.value, 9) + " Hz, " + audio + " at " + fmt(rate.value, 9) +
                    " Hz; use a FIR made for " + rate_owner + "'s rate");
    if (wav.channels.size() != 1 && wav.channels.size() != channels)
        throw Error(fir + " has " + std::to_string(wav.channels.size()) + " channels, " + audio + " " +
                    std::to_string(channels) + "; give one FIR channel per audio channel, or a mono FIR for all");
    FilterSet set;
    set.sample_rate = rate;
    set.description = "FIR " + std::filesystem::path(fir).filename().string();
    for (std::size_t c = 0; c < channels; ++c) {
        ChannelFilter f;
        f.channel = std::to_string(c + 1);
        if (wav.channels.size() == 1)
            f.fir = wav.channels.front();
        else
            f.fir = std::move(wav.channels[c]);
        set.channels.push_back(std::move(f));
    }
    return set;
}

namespace {

std::string joined(const std::vector<std::string>& names) {
    std::string s;
    for (const auto& n : names) s += (s.empty() ? "" : ", ") + n;
    return s;
}

}  // namespace

FilterSet with_audition(const FilterSet* correction, const std::string& room_dir, Hz rate,
                        const std::vector<std::string>& channels) {
    const Room room = io::load_room(room_dir);
    correct::AuditionOptions options;
    options.sample_rate = rate;
    FilterSet heard = correct::audition_filter(room, options);
    std::vector<std::string> room_channels;
    for (const auto& c : heard.channels) room_channels.push_back(c.channel);
    const bool by_name = std::ranges::all_of(channels, [&](const std::string& n) { return heard.find(n) != nullptr; });
    FilterSet matched = heard;
    matched.channels.clear();
    if (by_name) {
        for (const auto& n : channels) matched.channels.push_back(*heard.find(n));
    } else if (heard.channels.size() == channels.size()) {
        for (std::size_t c = 0; c < channels.size(); ++c) {
            matched.channels.push_back(heard.channels[c]);
            matched.channels.back().channel = channels[c];
        }
    } else {
        throw Error("room " + room.name + " was measured with channels " + joined(room_channels) + ", the audio has " +
                    std::to_string(channels.size()) + " (" + joined(channels) +
                    "); audition a room measured with as many loudspeakers as the audio has channels");
    }
    matched.description = "as heard in room " + room.name;
    if (!correction) return matched;
    FilterSet both = correct::cascade(*correction, matched);
    both.description = (correction->description.empty() ? std::string("the correction") : correction->description) +
                       ", then " + matched.description;
    return both;
}

}  // namespace roomcal::app
