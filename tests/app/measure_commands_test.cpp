#include <catch2/catch.hpp>

#include <fstream>
#include <nlohmann/json.hpp>

#include "roomcal/io/audio_file.hpp"
#include "roomcal/io/room_profile.hpp"
#include "roomcal/measure/sweep_file.hpp"
#include "roomcal/measure/virtual_device.hpp"
#include "support/test_support.hpp"

using namespace roomcal;
using test::run_cli;

namespace {

// A recording of `sweep.wav` in a virtual room, as another tool would have made it.
void record_virtually(const std::filesystem::path& sweep_wav, const std::filesystem::path& out,
                      double rate_override = 0, bool stereo = false) {
    const auto sweep = measure::read_sweep(sweep_wav);
    const auto& room = measure::find_builtin_room("treated-studio");
    measure::VirtualCapture cap;
    cap.mic = room.mic_positions[0];
    cap.ir_length = 1u << 15;
    cap.drift_ppm = -12.0;
    const auto rec = measure::simulate_recording(room, cap, sweep.signal, 4800);
    const double* rows[2] = {rec.audio.channel(0).data(), rec.audio.channel(1).data()};
    io::write_audio(out, AudioView<const double>(rows, stereo ? 2 : 1, rec.audio.num_frames()),
                    Hz(rate_override > 0 ? rate_override : 48000.0), io::AudioWriteFormat::wav_float32);
}

}  // namespace

TEST_CASE("analyze turns a foreign recording into an IR and a JSON report", "[app][cli][analyze]") {
    test::TempDir dir;
    REQUIRE(run_cli("sweep --out " + (dir / "sweep.wav").string() + " --length 131072").exit_code == 0);
    record_virtually(dir / "sweep.wav", dir / "rec.wav", 0, true);
    const auto r =
        run_cli("analyze --sweep " + (dir / "sweep.wav").string() + " --recording " + (dir / "rec.wav").string() +
                " --loopback 2 --out " + (dir / "ir.wav").string() + " --json " + (dir / "report.json").string());
    INFO(r.out);
    REQUIRE(r.exit_code == 0);
    const auto ir = io::probe_audio(dir / "ir.wav");
    CHECK(ir.num_channels == 1);
    CHECK(ir.sample_rate.value == 48000.0);
    std::ifstream in(dir / "report.json");
    const auto j = nlohmann::json::parse(in);
    CHECK(j["latency_samples"].get<double>() == Approx(512.0).margin(0.05));  // the studio's interface latency
    CHECK(j["drift_ppm"].get<double>() == Approx(-12.0).margin(1.0));         // recorder slow: negative
    CHECK(j["snr_db"].size() >= 8);
    CHECK(j["thd"].size() > 50);
    CHECK(j["rt60"].size() == 8);
    CHECK(j["warnings"].is_array());
}

TEST_CASE("analyze refuses bad inputs and writes nothing", "[app][cli][analyze]") {
    test::TempDir dir;
    REQUIRE(run_cli("sweep --out " + (dir / "sweep.wav").string() + " --length 65536").exit_code == 0);
    const std::string base = "analyze --sweep " + (dir / "sweep.wav").string() + " --out " + (dir / "ir.wav").string();

    record_virtually(dir / "sweep.wav", dir / "rate.wav", 44100);
    auto r = run_cli(base + " --recording " + (dir / "rate.wav").string());
    CHECK(r.exit_code == 1);
    CHECK(r.out.find("44100 Hz but the sweep is at 48000 Hz") != std::string::npos);

    record_virtually(dir / "sweep.wav", dir / "mono.wav");
    r = run_cli(base + " --recording " + (dir / "mono.wav").string() + " --loopback 2");
    CHECK(r.exit_code == 2);
    CHECK(r.out.find("loopback channel 2") != std::string::npos);

    AudioBuffer<float> silence(1, 48000 * 10);
    io::write_audio(dir / "silent.wav", silence.view(), 48_kHz, io::AudioWriteFormat::wav_float32);
    r = run_cli(base + " --recording " + (dir / "silent.wav").string());
    CHECK(r.exit_code == 1);
    CHECK(r.out.find("silent") != std::string::npos);

    std::filesystem::copy_file(dir / "mono.wav", dir / "cut.wav");
    std::filesystem::resize_file(dir / "cut.wav", std::filesystem::file_size(dir / "mono.wav") / 3);
    r = run_cli(base + " --recording " + (dir / "cut.wav").string());
    CHECK(r.exit_code == 1);
    CHECK(r.out.find("truncated") != std::string::npos);

    std::filesystem::copy_file(dir / "sweep.wav", dir / "lonely.wav");
    r = run_cli("analyze --sweep " + (dir / "lonely.wav").string() + " --recording " + (dir / "mono.wav").string() +
                " --out " + (dir / "ir.wav").string());
    CHECK(r.exit_code == 1);
    CHECK(r.out.find("sidecar") != std::string::npos);

    CHECK_FALSE(std::filesystem::exists(dir / "ir.wav"));
}

TEST_CASE("measure on a virtual room stores every channel and position", "[app][cli][measure][slow]") {
    test::TempDir dir;
    const auto r = run_cli("measure --room " + (dir / "room").string() +
                           " --simulate untreated-bedroom --positions 2 --loopback 2 --length 131072");
    INFO(r.out);
    REQUIRE(r.exit_code == 0);
    CHECK(r.out.find("level check L") != std::string::npos);
    const auto room = io::load_room(dir / "room");
    REQUIRE(room.channels.size() == 2);
    for (const auto& ch : room.channels) {
        REQUIRE(ch.measurements.size() == 2);
        CHECK(ch.measurements[0].timing == "loopback");
        CHECK(ch.measurements[0].delay_samples > 100.0);  // ~1.2 m of flight at 48 kHz is ~170 samples
        CHECK(ch.measurements[0].delay_samples < 400.0);
    }
}

TEST_CASE("measure refuses a loud sweep without confirmation and a missing device", "[app][cli][measure]") {
    test::TempDir dir;
    auto r = run_cli("measure --room " + (dir / "room").string() + " --simulate living-room --level -6 </dev/null");
    CHECK(r.exit_code == 2);
    CHECK(r.out.find("--yes") != std::string::npos);
    r = run_cli("measure --room " + (dir / "room").string() + " --simulate nowhere");
    CHECK(r.exit_code == 2);
    CHECK(r.out.find("untreated-bedroom") != std::string::npos);
    // No JACK server and no sound card here: a clear message, nothing written.
    r = run_cli("measure --room " + (dir / "room").string() + " --yes </dev/null");
    CHECK(r.exit_code == 1);
    CHECK(r.out.find("no audio devices") != std::string::npos);
    CHECK_FALSE(std::filesystem::exists(dir / "room"));
}

TEST_CASE("import brings IR WAVs, REW exports and mic calibrations into a room", "[app][cli][import]") {
    test::TempDir dir;
    AudioBuffer<float> ir(1, 4800);
    ir(0, 100) = 0.8f;
    ir(0, 300) = -0.2f;
    io::write_audio(dir / "ir.wav", ir.view(), 48_kHz, io::AudioWriteFormat::wav_float32);
    std::ofstream(dir / "rew.txt") << "* Measurement data measured by REW\n* Freq(Hz) SPL(dB) Phase(degrees)\n"
                                      "20 70.5 10\n100 75.0 -20\n1000 74.0 -170\n10000 71.5 170\n";
    std::ofstream(dir / "cal.txt") << "\"Sens Factor =-1.5dB, SERNO: 7001234\"\n20 -2.1\n1000 0\n20000 1.4\n";
    const std::string room = (dir / "room").string();

    auto r = run_cli("import " + (dir / "ir.wav").string() + " --room " + room + " --channel L");
    INFO(r.out);
    CHECK(r.exit_code == 0);
    CHECK(run_cli("import " + (dir / "rew.txt").string() + " --room " + room + " --channel L").exit_code == 0);
    CHECK(run_cli("import --mic-cal " + (dir / "cal.txt").string() + " --room " + room).exit_code == 0);
    const auto loaded = io::load_room(dir / "room");
    const auto* left = loaded.find_channel("L");
    REQUIRE(left != nullptr);
    REQUIRE(left->measurements.size() == 2);
    CHECK(left->measurements[0].impulse_response.reference_sample == 100.0);
    CHECK(left->measurements[1].position == 2);
    CHECK(left->measurements[1].frequency_response.size() == 4);
    CHECK(loaded.mic_calibration.deviation.size() == 3);

    std::ofstream(dir / "bad.txt") << "20 70\nloud 75\n";
    r = run_cli("import " + (dir / "bad.txt").string() + " --room " + room + " --channel R");
    CHECK(r.exit_code == 1);
    CHECK(r.out.find("line 2") != std::string::npos);
    CHECK(io::load_room(dir / "room").find_channel("R") == nullptr);  // the room is as it was
}
