// `roomcal render` run as a user would: a room's correction, a FIR WAV, bad input.
#include <catch2/catch.hpp>
#include <cmath>
#include <filesystem>
#include <fstream>

#include "roomcal/io/audio_file.hpp"
#include "roomcal/io/chain_file.hpp"
#include "roomcal/io/room_profile.hpp"
#include "support/test_support.hpp"

using namespace roomcal;
using test::run_cli;

namespace {

void write_tone(const std::filesystem::path& p, double rate, std::size_t channels, double amplitude) {
    AudioBuffer<float> a(channels, static_cast<std::size_t>(rate / 2));
    for (std::size_t c = 0; c < channels; ++c)
        for (std::size_t i = 0; i < a.num_frames(); ++i)
            a(c, i) = static_cast<float>(amplitude * std::sin(2.0 * M_PI * 1000.0 * i / rate));
    io::write_audio(p, a.view(), Hz(rate), io::AudioWriteFormat::wav_float32);
}

}  // namespace

TEST_CASE("render applies a room's correction at the file's rate", "[app][cli][render]") {
    test::TempDir dir;
    Room room;
    room.name = "den";
    FilterSet set;
    set.sample_rate = Hz(48000.0);
    set.description = "test: -6 dB";
    for (const char* n : {"L", "R"}) set.channels.push_back({n, -6.0206, 0.0, {}, {}, {}});
    room.corrections = {set};
    io::save_room(room, dir / "den");
    write_tone(dir / "in.wav", 48000.0, 2, 0.5);

    auto r = run_cli("render " + (dir / "in.wav").string() + " " + (dir / "out.wav").string() + " --room " +
                     (dir / "den").string());
    INFO(r.out);
    REQUIRE(r.exit_code == 0);
    CHECK(r.out.find("test: -6 dB") != std::string::npos);
    const auto out = io::read_audio(dir / "out.wav");
    REQUIRE(out.info.num_frames == 24000);
    double peak = 0.0;
    for (std::size_t i = 0; i < out.info.num_frames; ++i) peak = std::max(peak, double(std::abs(out.audio(0, i))));
    CHECK(peak == Approx(0.25).margin(1e-4));

    // The same room at 44.1 kHz: no correction for that rate, and nothing written.
    write_tone(dir / "in44.wav", 44100.0, 2, 0.5);
    r = run_cli("render " + (dir / "in44.wav").string() + " " + (dir / "out44.wav").string() + " --room " +
                (dir / "den").string());
    CHECK(r.exit_code == 1);
    CHECK(r.out.find("no correction for 44100 Hz") != std::string::npos);
    CHECK(r.out.find("--rate 44100") != std::string::npos);
    CHECK_FALSE(std::filesystem::exists(dir / "out44.wav"));
}

TEST_CASE("render takes a FIR WAV and refuses what does not fit", "[app][cli][render]") {
    test::TempDir dir;
    write_tone(dir / "in.wav", 48000.0, 2, 0.5);
    // A mono FIR for both channels: a half-gain impulse two samples late.
    AudioBuffer<float> fir(1, 8);
    fir(0, 2) = 0.5f;
    io::write_audio(dir / "fir.wav", fir.view(), Hz(48000.0), io::AudioWriteFormat::wav_float32);
    auto r = run_cli("render " + (dir / "in.wav").string() + " " + (dir / "out.wav").string() + " --fir " +
                     (dir / "fir.wav").string() + " --block 64");
    INFO(r.out);
    REQUIRE(r.exit_code == 0);
    const auto in = io::read_audio(dir / "in.wav");
    const auto out = io::read_audio(dir / "out.wav");
    for (std::size_t i = 2; i < 1000; ++i) REQUIRE(out.audio(1, i) == Approx(0.5f * in.audio(1, i - 2)).margin(1e-6));

    // A FIR with a NaN, a FIR at another rate, no source at all: each says what to do.
    fir(0, 5) = std::nanf("");
    io::write_audio(dir / "nan.wav", fir.view(), Hz(48000.0), io::AudioWriteFormat::wav_float32);
    r = run_cli("render " + (dir / "in.wav").string() + " " + (dir / "o1.wav").string() + " --fir " +
                (dir / "nan.wav").string());
    CHECK(r.exit_code != 0);
    CHECK(r.out.find("nan.wav") != std::string::npos);
    fir(0, 5) = 0.0f;
    io::write_audio(dir / "fir96.wav", fir.view(), Hz(96000.0), io::AudioWriteFormat::wav_float32);
    r = run_cli("render " + (dir / "in.wav").string() + " " + (dir / "o2.wav").string() + " --fir " +
                (dir / "fir96.wav").string());
    CHECK(r.exit_code == 1);
    CHECK(r.out.find("use a FIR made for the file's rate") != std::string::npos);
    r = run_cli("render " + (dir / "in.wav").string() + " " + (dir / "o3.wav").string());
    CHECK(r.exit_code == 2);
    CHECK(r.out.find("--no-correction") != std::string::npos);
    for (const char* f : {"o1.wav", "o2.wav", "o3.wav"}) CHECK_FALSE(std::filesystem::exists(dir / f));
}

TEST_CASE("render runs the mastering chain from chain.json", "[app][cli][render]") {
    test::TempDir dir;
    write_tone(dir / "in.wav", 48000.0, 2, 0.9);
    MasteringChain c;
    c.makeup_db = 6.0;  // a 0.9 sine pushed 6 dB into a -1 dBTP limiter
    io::write_chain(c, dir / "chain.json");
    auto r = run_cli("render " + (dir / "in.wav").string() + " " + (dir / "out.wav").string() +
                     " --no-correction --chain " + (dir / "chain.json").string());
    INFO(r.out);
    REQUIRE(r.exit_code == 0);
    CHECK(r.out.find("limiter at -1 dBTP") != std::string::npos);
    const auto out = io::read_audio(dir / "out.wav");
    REQUIRE(out.info.num_frames == 24000);
    float peak = 0.0f;
    for (std::size_t i = 0; i < out.info.num_frames; ++i) peak = std::max(peak, std::abs(out.audio(0, i)));
    CHECK(peak <= std::pow(10.0f, -1.0f / 20.0f) * 1.001f);
    CHECK(peak > 0.8f);

    // A typo in chain.json stops the render with the key named, and writes nothing.
    std::ofstream(dir / "bad.json") << R"({"limiter": {"celing_dbtp": -1}})";
    r = run_cli("render " + (dir / "in.wav").string() + " " + (dir / "o.wav").string() + " --no-correction --chain " +
                (dir / "bad.json").string());
    CHECK(r.exit_code == 1);
    CHECK(r.out.find("unknown key \"celing_dbtp\"") != std::string::npos);
    CHECK_FALSE(std::filesystem::exists(dir / "o.wav"));
}
