// A room's correction for a rate, or a FIR WAV as a correction.
#include "correction_source.hpp"

#include <cmath>
#include <filesystem>

#include "roomcal/core/error.hpp"
#include "roomcal/core/format.hpp"
#include "roomcal/io/filter_wav.hpp"

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
    const auto wav = io::read_fir_wav(fir);
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
        f.fir = wav.channels[wav.channels.size() == 1 ? 0 : c];
        set.channels.push_back(std::move(f));
    }
    return set;
}

}  // namespace roomcal::app
