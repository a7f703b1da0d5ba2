#include <catch2/catch.hpp>

#include <cmath>
#include <random>

#include "roomcal/dsp/fft.hpp"
#include "roomcal/io/room_profile.hpp"
#include "roomcal/measure/response.hpp"
#include "roomcal/measure/smoothing.hpp"
#include "support/jack_room.hpp"
#include "support/jack_server.hpp"
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

FrequencyResponse smoothed(const ImpulseResponse& ir) {
    measure::IrWindow w;
    w.left_ms = 1000.0 * ir.reference_sample / ir.sample_rate.value;  // everything before the arrival
    w.right_ms = 1000.0 * static_cast<double>(ir.samples.size()) / ir.sample_rate.value;
    return measure::smooth(measure::frequency_response(ir, log_frequency_grid(20_Hz, 20_kHz, 48), w),
                           measure::Smoothing{measure::SmoothingKind::fractional_octave, 6});
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
    ImpulseResponse truth = m.impulse_response;
    std::fill(truth.samples.begin(), truth.samples.end(), 0.0);
    for (std::size_t i = 0; i < truth_taps.size(); ++i) truth.samples[4800 + i] = truth_taps[i];
    const auto got = smoothed(m.impulse_response), want = smoothed(truth);
    double worst = 0.0, worst_at = 0.0;
    for (std::size_t i = 0; i < got.size(); ++i)
        if (std::abs(got.magnitude_db[i] - want.magnitude_db[i]) > worst) {
            worst = std::abs(got.magnitude_db[i] - want.magnitude_db[i]);
            worst_at = got.frequency_hz[i];
        }
    const std::size_t n = dsp::next_fast_size(truth.samples.size());
    const auto gs = dsp::rfft(m.impulse_response.samples, n), ws = dsp::rfft(truth.samples, n);
    double err = 0.0, ref = 0.0;
    for (std::size_t k = 0; k < gs.size(); ++k) {
        const double f = static_cast<double>(k) * 48000.0 / static_cast<double>(n);
        if (f < 20.0 || f > 20000.0) continue;
        err += std::norm(gs[k] - ws[k]);
        ref += std::norm(ws[k]);
    }
    WARN("through JACK: max |magnitude error| " << worst << " dB (at " << worst_at << " Hz), IR error "
                                                << power_to_db(err / ref) << " dB");
    CHECK(worst <= 0.2);
    CHECK(power_to_db(err / ref) <= -40.0);
}
