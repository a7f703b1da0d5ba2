// Gathering a channel's responses for fitting and prediction.
#include "roomcal/correct/room_data.hpp"

#include <algorithm>

#include "roomcal/core/error.hpp"
#include "roomcal/measure/room_response.hpp"

namespace roomcal::correct {

const std::vector<double>& analysis_grid() {
    static const std::vector<double> grid = log_frequency_grid(20_Hz, 20_kHz, 48);
    return grid;
}

ChannelData channel_data(const Room& room, const std::string& channel, const std::vector<int>& positions) {
    const RoomChannel* ch = room.find_channel(channel);
    if (!ch) throw Error("room " + room.name + " has no channel " + channel + "; measure or import it first");
    if (ch->measurements.empty())
        throw Error("room " + room.name + ", channel " + channel + " has no measurements; measure or import first");
    ChannelData d;
    d.channel = channel;
    if (positions.empty()) {
        for (const auto& m : ch->measurements) d.positions.push_back(m.position);
        std::sort(d.positions.begin(), d.positions.end());
    } else {
        d.positions = positions;
    }
    for (int p : d.positions) {
        const Measurement* m = ch->find_position(p);
        if (!m)
            throw Error("room " + room.name + ", channel " + channel + " has no measurement at position " +
                        std::to_string(p) + "; choose among the measured positions");
        d.responses.push_back(measure::measurement_response(room, *m, analysis_grid()));
        if (d.responses.size() == 1) {
            if (m->has_impulse_response()) d.listening_ir = m->impulse_response;
            d.arrival_samples = m->delay_samples;
            d.timing = m->timing;
            d.arrival_rate = m->has_impulse_response() ? m->impulse_response.sample_rate : Hz(48000.0);
        }
    }
    // Imported frequency responses carry no phase; the summary then has no vector average.
    std::vector<FrequencyResponse> magnitudes = d.responses;
    bool all_phase = true;
    for (const auto& r : magnitudes) all_phase = all_phase && r.has_phase();
    if (!all_phase)
        for (auto& r : magnitudes) r.phase_rad.clear();
    d.summary = measure::summarise_positions(magnitudes);
    return d;
}

}  // namespace roomcal::correct
