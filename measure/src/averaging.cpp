// Multi-position averages and spread.
#include "roomcal/measure/averaging.hpp"

#include <cmath>
#include <complex>

#include "roomcal/core/error.hpp"

namespace roomcal::measure {

PositionSummary summarise_positions(const std::vector<FrequencyResponse>& responses) {
    if (responses.empty()) throw Error("no measurements to average: measure at least one position");
    const auto& grid = responses.front().frequency_hz;
    bool phase = true;
    for (const auto& r : responses) {
        if (r.frequency_hz != grid) throw Error("responses to average must share one frequency grid");
        phase = phase && r.has_phase();
    }
    const std::size_t n = grid.size();
    const auto count = static_cast<double>(responses.size());
    PositionSummary s;
    s.positions = responses.size();
    s.rms_average.frequency_hz = grid;
    s.rms_average.magnitude_db.resize(n);
    s.spread_db.resize(n);
    if (phase) {
        s.vector_average.frequency_hz = grid;
        s.vector_average.magnitude_db.resize(n);
        s.vector_average.phase_rad.resize(n);
    }
    for (std::size_t i = 0; i < n; ++i) {
        double power = 0.0, mean_db = 0.0;
        std::complex<double> sum = 0.0;
        for (const auto& r : responses) {
            power += db_to_power(r.magnitude_db[i]);
            mean_db += r.magnitude_db[i] / count;
            if (phase) sum += std::polar(db_to_gain(r.magnitude_db[i]), r.phase_rad[i]);
        }
        s.rms_average.magnitude_db[i] = power_to_db(power / count);
        double var = 0.0;
        for (const auto& r : responses) var += (r.magnitude_db[i] - mean_db) * (r.magnitude_db[i] - mean_db);
        s.spread_db[i] = responses.size() > 1 ? std::sqrt(var / (count - 1.0)) : 0.0;
        if (phase) {
            const auto v = sum / count;
            s.vector_average.magnitude_db[i] = gain_to_db(std::max(std::abs(v), 1e-30));
            s.vector_average.phase_rad[i] = std::arg(v);
        }
    }
    return s;
}

}  // namespace roomcal::measure
