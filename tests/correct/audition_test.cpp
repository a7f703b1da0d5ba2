// Room audition: the filter reproduces the measured room's colouration relative to its
// target, and a cascade of two filter sets responds as both in a row.
#include <catch2/catch.hpp>
#include <cmath>

#include "roomcal/core/error.hpp"
#include "roomcal/correct/audition.hpp"
#include "roomcal/correct/fir_design.hpp"
#include "roomcal/correct/predict.hpp"
#include "roomcal/correct/room_data.hpp"
#include "roomcal/measure/smoothing.hpp"
#include "roomcal/measure/virtual_room.hpp"

using namespace roomcal;
using namespace roomcal::correct;

TEST_CASE("the audition filter plays a room's colouration relative to its target", "[correct][audition]") {
    const auto specs = measure::builtin_rooms();
    const Room room = measure::simulated_room_profile(specs.at(1), 3, 48_kHz, 65536);
    AuditionOptions o;
    const FilterSet set = audition_filter(room, o);
    REQUIRE(set.channels.size() == room.channels.size());
    const auto& grid = analysis_grid();
    for (const auto& f : set.channels) {
        CAPTURE(f.channel);
        CHECK(f.fir.size() == 32768);
        // Expected: the 1/12-octave smoothed average of the room's positions, flat target,
        // its 200 Hz–2 kHz mean removed.
        const auto data = channel_data(room, f.channel);
        const auto avg =
            measure::smooth(data.summary.rms_average, {measure::SmoothingKind::fractional_octave, 12}).magnitude_db;
        const std::vector<double> flat(grid.size(), 0.0);
        const double offset = target_offset_db(grid, avg, flat);
        const auto got = fir_db(f.fir, set.sample_rate, grid);
        double worst = 0.0, worst_hz = 0.0;
        for (std::size_t i = 0; i < grid.size(); ++i) {
            if (grid[i] < 40.0 || grid[i] > 16000.0) continue;
            const double want = std::clamp(avg[i] - offset, -o.max_level_db, o.max_level_db);
            const double e = std::abs(got[i] - want);
            if (e > worst) worst = e, worst_hz = grid[i];
        }
        CAPTURE(worst_hz);
        CHECK(worst < 0.25);  // dB, against the 1/12-octave smoothed colouration, 40 Hz–16 kHz
    }
}

TEST_CASE("a cascade of two filter sets responds as both in a row", "[correct][audition]") {
    FilterSet a, b;
    a.sample_rate = b.sample_rate = 48_kHz;
    ChannelFilter l;
    l.channel = "L";
    l.gain_db = -2.0;
    l.biquads.push_back({1.2, -1.7, 0.6, -1.6, 0.7});
    l.fir = {1.0, 0.3, -0.2, 0.05};
    a.channels.push_back(l);
    a.latency_samples = 10.0;
    ChannelFilter lb;
    lb.channel = "L";
    lb.gain_db = 1.0;
    lb.fir = {0.8, -0.1, 0.02};
    ChannelFilter r = lb;
    r.channel = "R";
    b.channels = {lb, r};
    b.latency_samples = 5.0;
    const FilterSet c = cascade(a, b);
    CHECK(c.latency_samples == 15.0);
    REQUIRE(c.channels.size() == 2);
    CHECK(c.channels[0].fir.size() == 6);
    for (double f : {20.0, 100.0, 1000.0, 10000.0, 20000.0}) {
        const auto want = l.response(Hz(f), 48_kHz) * lb.response(Hz(f), 48_kHz);
        const auto got = c.channels[0].response(Hz(f), 48_kHz);
        CHECK(std::abs(got - want) <= 1e-9 * std::abs(want));
    }
    CHECK(c.find("R")->fir == r.fir);  // only in `then`: its own filter
    b.sample_rate = 44.1_kHz;
    CHECK_THROWS_WITH(cascade(a, b), Catch::Contains("44100 Hz") && Catch::Contains("48000 Hz"));
    Room empty;
    empty.name = "nowhere";
    CHECK_THROWS_WITH(audition_filter(empty, {}), Catch::Contains("nowhere") && Catch::Contains("measure"));
}
