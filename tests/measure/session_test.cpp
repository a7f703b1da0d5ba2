#include <catch2/catch.hpp>

#include <cmath>

#include "roomcal/core/error.hpp"
#include "roomcal/measure/session.hpp"
#include "roomcal/measure/virtual_device.hpp"

using namespace roomcal;
using namespace roomcal::measure;

TEST_CASE("an acoustic timing reference keeps the channels' relative delay without a wire",
          "[measure][session][slow]") {
    const auto& room = find_builtin_room("living-room");
    SessionOptions with_wire;
    with_wire.loopback = true;
    with_wire.sweep.length_samples = 1u << 17;
    VirtualRecorder wired(room, 48_kHz, true);
    MeasurementSession reference(wired, with_wire);
    const double left = reference.measure("L", 2).measurement.delay_samples;
    const double right = reference.measure("R", 2).measurement.delay_samples;

    SessionOptions acoustic;
    acoustic.timing_reference = "L";  // the markers come from the left loudspeaker
    acoustic.sweep.length_samples = 1u << 17;
    VirtualRecorder unwired(room, 48_kHz, false);
    MeasurementSession session(unwired, acoustic);
    const auto l = session.measure("L", 2);
    const auto r = session.measure("R", 2);
    CHECK(l.analysis.timing == TimingSource::acoustic_marker);
    // Against its own marker the left channel arrives at once; the right one as much later
    // as the wire measured (mic position 2 is 15 cm off the centre line's symmetry).
    CHECK(l.measurement.delay_samples == Approx(0.0).margin(1.0));
    CHECK(r.measurement.delay_samples == Approx(right - left).margin(1.0));
    CHECK(std::abs(right - left) > 2.0);
}

TEST_CASE("several sweeps are averaged and their repeatability reported", "[measure][session][slow]") {
    const auto& room = find_builtin_room("untreated-bedroom");
    SessionOptions opt;
    opt.loopback = true;
    opt.sweeps = 3;
    opt.sweep.length_samples = 1u << 16;
    VirtualRecorder recorder(room, 48_kHz, true);
    MeasurementSession session(recorder, opt);
    const auto take = session.measure("R", 1);
    // Fresh noise in every take, nothing moved: the sweeps agree closely.
    CHECK(take.repeatability_db > 0.0);
    CHECK(take.repeatability_db < 0.5);
    CHECK(take.measurement.impulse_response.samples.size() > 40000);

    const auto check = session.check_level("R");
    // The check tone predicts the sweep's peak at the mic from a -40 dBFS tone.
    CHECK(check.predicted_peak_dbfs == Approx(check.recorded_dbfs + 20.0));
    CHECK(check.snr_db > 20.0);
}

TEST_CASE("sessions refuse what the device cannot do", "[measure][session]") {
    const auto& room = find_builtin_room("treated-studio");
    VirtualRecorder recorder(room, 48_kHz, false);
    SessionOptions opt;
    opt.loopback = true;
    CHECK_THROWS_WITH(MeasurementSession(recorder, opt), Catch::Contains("no loopback"));
    opt = {};
    opt.timing_reference = "C";
    CHECK_THROWS_WITH(MeasurementSession(recorder, opt), Catch::Contains("\"C\""));
    opt = {};
    opt.sweep.sample_rate = 44.1_kHz;
    opt.sweep.end = 20_kHz;
    CHECK_THROWS_WITH(MeasurementSession(recorder, opt), Catch::Contains("device runs at 48000"));
    MeasurementSession ok(recorder, SessionOptions{});
    CHECK_THROWS_WITH(ok.measure("L", 12), Catch::Contains("positions 1 to 9"));
}
