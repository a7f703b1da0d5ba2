// `roomcal compare` on files: the JSON it writes, and the messages for files it cannot use.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <cmath>
#include <fstream>
#include <iterator>
#include <random>

#include "roomcal/core/filter_set.hpp"
#include "roomcal/core/room.hpp"
#include "roomcal/dsp/biquad_design.hpp"
#include "roomcal/io/audio_file.hpp"
#include "roomcal/io/room_profile.hpp"
#include "support/test_support.hpp"

using namespace roomcal;
using test::run_cli;

namespace {

// Noise whose level changes every half second: enough like music to align and meter.
AudioBuffer<float> noise_music(std::size_t channels, double seconds, double fs, unsigned seed, double gain = 1.0) {
    const auto n = static_cast<std::size_t>(seconds * fs);
    AudioBuffer<float> x(channels, n);
    std::mt19937 rng(seed);
    std::normal_distribution<double> g(0.0, 0.05);
    std::uniform_real_distribution<double> level(0.2, 1.0);
    double env = level(rng);
    for (std::size_t i = 0; i < n; ++i) {
        if (i % static_cast<std::size_t>(fs / 2) == 0) env = level(rng);
        const double v = g(rng) * env * gain;
        for (std::size_t c = 0; c < channels; ++c) x(c, i) = static_cast<float>(v);
    }
    return x;
}

}  // namespace

TEST_CASE("compare writes the offset, level match and bands as JSON", "[app][cli][compare]") {
    test::TempDir dir;
    const double fs = 48000.0;
    const auto mix = noise_music(2, 12.0, fs, 5);
    // The master: 0.5 s of silence first, 6 dB louder, polarity flipped.
    const std::size_t lead = 24000;
    AudioBuffer<float> master(2, mix.num_frames() + lead);
    for (std::size_t c = 0; c < 2; ++c)
        for (std::size_t i = 0; i < mix.num_frames(); ++i) master(c, i + lead) = -2.0f * mix(c, i);
    io::write_audio(dir / "mix.wav", mix.view(), Hz(fs), io::AudioWriteFormat::wav_float32);
    io::write_audio(dir / "master.flac", master.view(), Hz(fs), io::AudioWriteFormat::flac_pcm24);
    const auto r = run_cli("compare " + (dir / "mix.wav").string() + " " + (dir / "master.flac").string() + " --json " +
                           (dir / "c.json").string() + " --report " + (dir / "c.html").string());
    INFO(r.out);
    REQUIRE(r.exit_code == 0);
    CHECK(r.out.find("6.0 LU louder") != std::string::npos);
    // The page: the section, the offset and level figures, a plot.
    std::ifstream page(dir / "c.html");
    const std::string html((std::istreambuf_iterator<char>(page)), std::istreambuf_iterator<char>());
    CHECK(html.find("What the master changed") != std::string::npos);
    CHECK(html.find("0.5000 s (24000 samples") != std::string::npos);
    CHECK(html.find("+6.0 dB") != std::string::npos);
    CHECK(html.find("inverted") != std::string::npos);
    CHECK(html.find("<svg") != std::string::npos);
    std::ifstream in(dir / "c.json");
    const auto j = nlohmann::json::parse(in);
    CHECK(j["offset_samples"] == 24000);
    CHECK(j["offset_seconds"].get<double>() == Approx(0.5));
    CHECK(j["sample_rate"] == 48000.0);
    CHECK(j["polarity_inverted"] == true);
    CHECK(j["alignment_confidence"].get<double>() > 0.9);
    CHECK(j["gain_match_db"].get<double>() == Approx(6.02).margin(0.02));
    CHECK(j["loudness_lufs"]["master"].get<double>() - j["loudness_lufs"]["mix"].get<double>() ==
          Approx(6.02).margin(0.02));
    REQUIRE(j["bands"].size() == 31);  // 20 Hz–20 kHz
    for (const auto& b : j["bands"]) CHECK(std::abs(b["diff_db"].get<double>()) < 0.05);
    for (const char* key : {"lra_lu", "true_peak_dbtp"}) {
        CHECK(j[key].contains("mix"));
        CHECK(j[key].contains("master"));
    }
    CHECK(j["warnings"].is_array());
}

TEST_CASE("compare refuses what it cannot compare, naming the file", "[app][cli][compare]") {
    test::TempDir dir;
    const double fs = 44100.0;
    io::write_audio(dir / "a.wav", noise_music(2, 8.0, fs, 1).view(), Hz(fs), io::AudioWriteFormat::wav_float32);
    io::write_audio(dir / "b.wav", noise_music(2, 8.0, fs, 2).view(), Hz(fs), io::AudioWriteFormat::wav_float32);
    io::write_audio(dir / "silence.wav", AudioBuffer<float>(2, 44100).view(), Hz(fs),
                    io::AudioWriteFormat::wav_float32);
    {
        std::ofstream bad(dir / "corrupt.wav", std::ios::binary);
        bad << "RIFF\x10\x00\x00\x00WAVEfmt garbage";
    }
    const auto unrelated = run_cli("compare " + (dir / "a.wav").string() + " " + (dir / "b.wav").string() + " --json " +
                                   (dir / "u.json").string());
    CHECK(unrelated.exit_code == 1);
    CHECK(unrelated.out.find("not look like versions of the same music") != std::string::npos);
    CHECK_FALSE(std::filesystem::exists(dir / "u.json"));  // nothing half-written
    const auto silent = run_cli("compare " + (dir / "a.wav").string() + " " + (dir / "silence.wav").string());
    CHECK(silent.exit_code == 1);
    CHECK(silent.out.find("silent") != std::string::npos);
    const auto corrupt = run_cli("compare " + (dir / "a.wav").string() + " " + (dir / "corrupt.wav").string());
    CHECK(corrupt.exit_code == 1);
    CHECK(corrupt.out.find("corrupt.wav") != std::string::npos);
    // Identical files: a correct result, not a refusal.
    const auto same = run_cli("compare " + (dir / "a.wav").string() + " " + (dir / "a.wav").string());
    CHECK(same.exit_code == 0);
    CHECK(same.out.find("same tonal balance") != std::string::npos);
    CHECK(same.out.find("0.0 LU louder") != std::string::npos);
}

TEST_CASE("compare --pairs finds what every master changed and adjusts a room's target", "[app][cli][compare]") {
    test::TempDir dir;
    const double fs = 48000.0;
    std::ofstream list(dir / "pairs.txt");
    list << "# mix master\n";
    for (unsigned k = 0; k < 4; ++k) {
        const auto mix = noise_music(2, 8.0, fs, 30 + k);
        ChannelFilter shelf;
        shelf.biquads.push_back(dsp::design_biquad({FilterType::low_shelf, 150.0, 0.7071, 4.0 + 0.3 * k}, Hz(fs)));
        AudioBuffer<float> master(2, mix.num_frames());
        for (std::size_t c = 0; c < 2; ++c) {
            double x1 = 0, x2 = 0, y1 = 0, y2 = 0;
            const auto& b = shelf.biquads[0];
            for (std::size_t i = 0; i < mix.num_frames(); ++i) {
                const double x = mix(c, i), y = b.b0 * x + b.b1 * x1 + b.b2 * x2 - b.a1 * y1 - b.a2 * y2;
                x2 = x1, x1 = x, y2 = y1, y1 = y;
                master(c, i) = static_cast<float>(y);
            }
        }
        const std::string m = "mix " + std::to_string(k) + ".wav", n = "master" + std::to_string(k) + ".wav";
        io::write_audio(dir / m, mix.view(), Hz(fs), io::AudioWriteFormat::wav_float32);
        io::write_audio(dir / n, master.view(), Hz(fs), io::AudioWriteFormat::wav_float32);
        list << "\"" << m << "\" " << n << "\n";  // relative to the list, one with a space
    }
    list.close();
    Room room;
    room.name = "desk";
    io::save_room(room, dir / "desk");
    const std::string base = "compare --pairs " + (dir / "pairs.txt").string();
    const auto r = run_cli(base + " --json " + (dir / "p.json").string());
    INFO(r.out);
    REQUIRE(r.exit_code == 0);
    CHECK(r.out.find("4 pairs") != std::string::npos);
    CHECK(r.out.find("overstates") != std::string::npos);
    std::ifstream in(dir / "p.json");
    const auto j = nlohmann::json::parse(in);
    bool found = false;
    for (const auto& b : j["bands"])
        if (std::abs(b["center_hz"].get<double>() - 50.0) < 1.0) {
            found = true;
            CHECK(b["consistent"] == true);
            CHECK(b["target_change_db"].get<double>() < -2.0);
        }
    CHECK(found);
    // Changing a room's target asks first; without a terminal it needs --yes.
    const auto asked = run_cli(base + " --apply-to " + (dir / "desk").string() + " < /dev/null");
    CHECK(asked.exit_code == 2);
    CHECK(asked.out.find("--yes") != std::string::npos);
    CHECK(io::load_room(dir / "desk").targets.empty());
    const auto applied = run_cli(base + " --apply-to " + (dir / "desk").string() + " --yes");
    CHECK(applied.exit_code == 0);
    const Room after = io::load_room(dir / "desk");
    REQUIRE(after.targets.count("*") == 1);
    const auto& curve = after.targets.at("*").curve;
    CHECK(curve.magnitude_db_at(Hz(50.0)) - curve.magnitude_db_at(Hz(1000.0)) < -2.0);
}
