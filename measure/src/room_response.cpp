// Calibrated measurement responses.
#include "roomcal/measure/room_response.hpp"

#include "roomcal/core/error.hpp"

namespace roomcal::measure {

FrequencyResponse measurement_response(const Room& room, const Measurement& m, const std::vector<double>& grid_hz,
                                       const IrWindow& window) {
    FrequencyResponse r;
    if (m.has_impulse_response()) {
        r = frequency_response(m.impulse_response, grid_hz, window);
    } else if (m.frequency_response.size() > 0) {
        // An import carries only what the other tool exported: magnitude on its own grid.
        r.frequency_hz = grid_hz;
        r.magnitude_db.reserve(grid_hz.size());
        for (double f : grid_hz) r.magnitude_db.push_back(m.frequency_response.magnitude_db_at(Hz(f)));
    } else {
        throw Error("measurement at position " + std::to_string(m.position) + " holds no response");
    }
    if (!room.mic_calibration.empty())
        for (std::size_t i = 0; i < r.size(); ++i)
            r.magnitude_db[i] -= room.mic_calibration.deviation.magnitude_db_at(Hz(r.frequency_hz[i]));
    for (auto& v : r.magnitude_db) v += room.mic_calibration.spl_offset_db;
    return r;
}

}  // namespace roomcal::measure
