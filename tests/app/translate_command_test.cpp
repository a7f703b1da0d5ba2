// `roomcal translate` run as a user would: two measured (virtual) rooms, one of them
// fitted, a stereo mix; the table, the JSON against the library's own figures, and bad
// input.
#include <nlohmann/json.hpp>

#include <catch2/catch.hpp>
#include <cmath>
#include <fstream>
#include <iterator>
#include <random>

#include "roomcal/compare/translate.hpp"
#include "roomcal/io/audio_file.hpp"
#include "roomcal/io/room_profile.hpp"
#include "roomcal/measure/virtual_room.hpp"
#include "support/test_support.hpp"

using namespace roomcal;
using test::run_cli;

TEST_CASE("translate prints each room's score and writes the bands as JSON", "[app][cli][translate]") {
    test::TempDir dir;
    const auto specs = measure::builtin_rooms();
    std::vector<Room> rooms;
    for (std::size_t i = 0; i < 2; ++i) {
        rooms.push_back(measure::simulated_room_profile(specs.at(i), 2, Hz(48000.0), 32768));
        io::save_room(rooms.back(), dir / rooms.back().name);
    }
    const auto a = (dir / rooms[0].name).string(), b = (dir / rooms[1].name).string();
    // The first room gets a correction: its corrected score must come out lower.
    const auto fit = run_cli("fit --room " + a);
    INFO(fit.out);
    REQUIRE(fit.exit_code == 0);

    const double fs = 48000.0;
    const auto frames = static_cast<std::size_t>(12.0 * fs);
    AudioBuffer<float> mix(2, frames);
    std::mt19937 rng(3);
    std::normal_distribution<double> g(0.0, 0.05);
    for (std::size_t c = 0; c < 2; ++c) {
        double lp = 0.0;
        for (std::size_t i = 0; i < frames; ++i) mix(c, i) = static_cast<float>(lp = 0.6 * lp + g(rng));
    }
    io::write_audio(dir / "mix.wav", mix.view(), Hz(fs), io::AudioWriteFormat::wav_float32);

    const auto r = run_cli("translate " + (dir / "mix.wav").string() + " --rooms " + a + "," + b + " --json " +
                           (dir / "t.json").string() + " --report " + (dir / "t.html").string());
    INFO(r.out);
    REQUIRE(r.exit_code == 0);
    CHECK(r.out.find(rooms[0].name) != std::string::npos);
    CHECK(r.out.find(rooms[1].name) != std::string::npos);
    CHECK(r.out.find("no fit") != std::string::npos);  // the second room has no correction
    CHECK(r.out.find("deviation from target by octave") != std::string::npos);
    CHECK(r.out.find(" than in ") != std::string::npos);

    std::ifstream in(dir / "t.json");
    const auto j = nlohmann::json::parse(in);
    REQUIRE(j["rooms"].size() == 2);
    // The same figures as the library gives on the same inputs (rooms as saved and fitted).
    const auto expected =
        compare::translate(io::read_audio(dir / "mix.wav").audio.view(), Hz(fs), {io::load_room(a), io::load_room(b)});
    for (std::size_t k = 0; k < 2; ++k) {
        const auto& room = j["rooms"][k];
        CAPTURE(k);
        CHECK(room["score_db"].get<double>() == Approx(expected.rooms[k].score_db).margin(1e-9));
        REQUIRE(room["bands"].size() == expected.centres_hz.size());
        for (std::size_t band = 0; band < expected.centres_hz.size(); ++band)
            CHECK(room["bands"][band]["deviation_db"].get<double>() ==
                  Approx(expected.rooms[k].deviation[band].diff_db).margin(1e-9));
    }
    const double before = j["rooms"][0]["score_db"].get<double>(),
                 after = j["rooms"][0]["score_corrected_db"].get<double>();
    CAPTURE(before, after);
    CHECK(after < before - 0.5);  // the fitted room translates better corrected
    CHECK(j["rooms"][1]["score_corrected_db"].is_null());
    CHECK(j["rooms"][0]["bands"][10].contains("deviation_corrected_db"));
    CHECK(j["differences"].size() == 1);

    std::ifstream page(dir / "t.html");
    const std::string html((std::istreambuf_iterator<char>(page)), std::istreambuf_iterator<char>());
    CHECK(html.find("How the mix translates across rooms") != std::string::npos);
    CHECK(html.find(rooms[1].name) != std::string::npos);
    CHECK(html.find("no correction") != std::string::npos);
    CHECK(html.find("<svg") != std::string::npos);
}

TEST_CASE("translate refuses what it cannot use, and writes nothing", "[app][cli][translate]") {
    test::TempDir dir;
    AudioBuffer<float> mix(2, 48000);
    io::write_audio(dir / "mix.wav", mix.view(), Hz(48000.0), io::AudioWriteFormat::wav_float32);
    const auto mix_path = (dir / "mix.wav").string();
    const auto no_room = run_cli("translate " + mix_path + " --rooms " + (dir / "nowhere").string() + " --json " +
                                 (dir / "t.json").string());
    CHECK(no_room.exit_code == 1);
    CHECK(no_room.out.find("nowhere") != std::string::npos);
    const auto empty = run_cli("translate " + mix_path + " --rooms ,");
    CHECK(empty.exit_code == 2);
    CHECK(empty.out.find("--rooms") != std::string::npos);
    CHECK_FALSE(std::filesystem::exists(dir / "t.json"));
}
