#include <catch2/catch.hpp>

#include <cmath>
#include <random>

#include "roomcal/io/room_profile.hpp"
#include "support/jack_room.hpp"
#include "support/jack_server.hpp"
#include "support/response_grading.hpp"
#include "support/test_support.hpp"

using namespace roomcal;

namespace {

// A small room for the JACK client to be: direct sound, two reflections and a short
// diffuse decay, 2048 taps at 48 kHz.
std::vector<float> known_room() {
    std::vector<float> h(2048, 0.0f);
    std::mt19937 rng(11);
    std::normal_distribution<float> g(0.0f, 1.0f);
    for (std::size_t n = 200; n < h.size(); ++n)
        h[n] = 0.05f * g(rng) * std::exp(-static_cast<float>(n - 200) / 300.0f);
    h[40] = 0.7f;
    h[95] = -0.25f;
    h[170] = 0.15f;
    return h;
}

}  // namespace

TEST_CASE("measure through real PortAudio on JACK recovers the room a JACK client plays",
          "[app][measure][jack][slow]") {
    // A 1024-frame period keeps the dummy driver's cycles on time on a busy 2-core machine;
    // a take that still sees an xrun is measured again by the session.
    test::JackServer jack(48000, 1024, 2);
    INFO(jack.error());
    REQUIRE(jack.ok());
    const auto truth_taps = known_room();
    test::JackRoom room(truth_taps);
    INFO(room.error());
    REQUIRE(room.ok());

    test::TempDir dir;
    // Loudspeaker L on output 1; output 2 is wired back to input 2 as the loopback.
    const auto r = test::run_cli("measure --room " + (dir / "jack-room").string() +
                                 " --out-dev system --channels L=1 --in-channel 1 --loopback 2:2 --buffer 1024 --yes");
    INFO(r.out);
    REQUIRE(r.exit_code == 0);
    const auto measured = io::load_room(dir / "jack-room");
    const auto& m = measured.find_channel("L")->measurements.at(0);
    CHECK(m.timing == "loopback");
    // The room client and the wire share a JACK cycle, so the response's delay is the
    // room's own: its direct sound at tap 40, exactly.
    CHECK(m.delay_samples == Approx(40.0).margin(0.5));

    // The truth as the measurement lays it out: 100 ms (4800 samples) before t = 0.
    const auto truth = test::placed_truth({truth_taps.begin(), truth_taps.end()}, m.impulse_response, 4800);
    double worst_at = 0.0;
    const double worst = test::max_magnitude_difference_db(test::sixth_octave_response(m.impulse_response),
                                                           test::sixth_octave_response(truth), 20, 20000, &worst_at);
    const double ir_error = test::in_band_error_db(m.impulse_response.samples, truth.samples, 48000.0);
    WARN("through JACK: max |magnitude error| " << worst << " dB (at " << worst_at << " Hz), IR error " << ir_error
                                                << " dB");
    CHECK(worst <= 0.2);
    CHECK(ir_error <= -40.0);
}
