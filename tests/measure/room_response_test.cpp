#include <catch2/catch.hpp>

#include "roomcal/core/error.hpp"
#include "roomcal/measure/room_response.hpp"

using namespace roomcal;
using namespace roomcal::measure;

namespace {

Measurement impulse_at(std::size_t at, double gain) {
    Measurement m;
    m.impulse_response.samples.assign(9600, 0.0);
    m.impulse_response.samples[at] = gain;
    m.impulse_response.sample_rate = 48_kHz;
    m.impulse_response.reference_sample = static_cast<double>(at);
    return m;
}

}  // namespace

TEST_CASE("mic calibration is removed and the SPL offset added", "[measure][room_response]") {
    Room room;
    const auto grid = std::vector<double>{50.0, 1000.0, 10000.0};
    const auto m = impulse_at(4800, 0.5);  // a flat response at -6.02 dB
    const auto raw = measurement_response(room, m, grid);
    for (double v : raw.magnitude_db) CHECK(v == Approx(gain_to_db(0.5)).margin(0.01));

    // The mic reads 2 dB hot at 10 kHz and 1 dB low at 50 Hz; the chain's 0 dBFS is 100 dB SPL.
    room.mic_calibration.deviation = {{20.0, 50.0, 1000.0, 10000.0, 20000.0}, {-1.0, -1.0, 0.0, 2.0, 2.0}, {}};
    room.mic_calibration.spl_offset_db = 100.0;
    const auto cal = measurement_response(room, m, grid);
    CHECK(cal.magnitude_db[0] == Approx(raw.magnitude_db[0] + 1.0 + 100.0).margin(0.01));
    CHECK(cal.magnitude_db[1] == Approx(raw.magnitude_db[1] + 100.0).margin(0.01));
    CHECK(cal.magnitude_db[2] == Approx(raw.magnitude_db[2] - 2.0 + 100.0).margin(0.01));
}

TEST_CASE("imported responses are read onto the grid and calibrated alike", "[measure][room_response]") {
    Room room;
    room.mic_calibration.deviation = {{20.0, 20000.0}, {1.0, 1.0}, {}};
    Measurement m;
    m.frequency_response = {{20.0, 200.0, 2000.0}, {70.0, 80.0, 75.0}, {}};
    const auto r = measurement_response(room, m, {200.0, 632.46});
    CHECK(r.magnitude_db[0] == Approx(79.0));
    CHECK(r.magnitude_db[1] == Approx(76.5).margin(0.01));  // halfway in log-frequency, less 1 dB
    CHECK_THROWS_AS(measurement_response(room, Measurement{}, {100.0}), Error);
}
