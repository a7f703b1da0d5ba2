#include <catch2/catch.hpp>

#include <fstream>
#include <nlohmann/json.hpp>

#include "roomcal/core/error.hpp"
#include "roomcal/io/room_profile.hpp"
#include "support/test_support.hpp"

using namespace roomcal;

namespace {

std::vector<double> float_exact_noise(std::size_t n, unsigned seed) {
    auto x = test::white_noise(n, 0.1, seed);
    for (auto& v : x) v = static_cast<float>(v);  // what a float32 WAV stores exactly
    return x;
}

Room sample_room() {
    Room room;
    room.name = "Bedroom";
    room.metadata = {{"mic", "UMIK-1 #700-1234"}, {"notes", "desk pulled 20 cm from the wall"}};
    for (const char* ch : {"L", "R"})
        for (int p = 1; p <= 2; ++p) {
            Measurement m;
            m.position = p;
            m.label = p == 1 ? "listening position" : "30 cm left";
            m.impulse_response.samples = float_exact_noise(4800, static_cast<unsigned>(p + (ch[0] == 'R') * 10));
            m.impulse_response.sample_rate = 48_kHz;
            m.impulse_response.reference_sample = 123.25;
            room.channel(ch).measurements.push_back(m);
        }
    Measurement imported;  // a REW export: a frequency response and no impulse response
    imported.position = 3;
    imported.timing = "imported";
    imported.frequency_response = {{20.0, 200.0, 2000.0}, {75.5, 80.25, 79.0}, {0.1, -1.5, -3.25}};
    room.channel("L").measurements.push_back(imported);
    room.channel("L").measurements[0].delay_samples = 171.5;
    room.channel("L").measurements[0].timing = "loopback";
    room.mic_calibration.source = "umik-7001234.txt";
    room.mic_calibration.spl_offset_db = 94.0;
    room.mic_calibration.deviation = {{20.0, 1000.0, 20000.0}, {-1.5, 0.0, 2.25}, {}};
    FilterSet fs;
    fs.sample_rate = 48_kHz;
    fs.channels.push_back({"L",
                           -3.5,
                           12.0,
                           {Biquad{0.9, -1.7, 0.8, -1.75, 0.79}},
                           float_exact_noise(512, 99),
                           {{FilterType::low_shelf, 80.0, 0.7, -4.25}}});
    fs.channels.push_back({"R", -3.0, 0.0, {}, {}, {}});
    fs.preamp_db = -3.0;
    fs.needs_limiter = true;
    fs.latency_samples = 2048;
    fs.description = "fir mixed-phase, target flat";
    room.targets["*"] = {"house:+4@100", {}};
    room.targets["R"] = {"file", {{20.0, 200.0, 2000.0}, {3.0, 0.5, -1.0}, {}}};
    room.corrections.push_back(fs);
    return room;
}

}  // namespace

TEST_CASE("room profile round-trips through room.json and WAV files", "[io][room_profile]") {
    test::TempDir dir;
    const Room room = sample_room();
    io::save_room(room, dir / "bedroom");
    REQUIRE(io::room_exists(dir / "bedroom"));
    const Room back = io::load_room(dir / "bedroom");

    CHECK(back.name == room.name);
    CHECK(back.metadata == room.metadata);
    REQUIRE(back.channels.size() == 2);
    for (const auto& ch : room.channels) {
        const auto* bc = back.find_channel(ch.name);
        REQUIRE(bc != nullptr);
        REQUIRE(bc->measurements.size() == ch.measurements.size());
        for (const auto& m : ch.measurements) {
            const auto* bm = bc->find_position(m.position);
            REQUIRE(bm != nullptr);
            CHECK(bm->label == m.label);
            CHECK(bm->timing == m.timing);
            CHECK(bm->delay_samples == m.delay_samples);
            CHECK(bm->impulse_response.samples == m.impulse_response.samples);
            CHECK(bm->frequency_response.magnitude_db == m.frequency_response.magnitude_db);
            CHECK(bm->frequency_response.phase_rad == m.frequency_response.phase_rad);
            if (m.has_impulse_response()) {
                CHECK(bm->impulse_response.sample_rate.value == 48000.0);
                CHECK(bm->impulse_response.reference_sample == 123.25);
            }
        }
    }
    CHECK(back.mic_calibration.source == room.mic_calibration.source);
    CHECK(back.mic_calibration.spl_offset_db == 94.0);
    CHECK(back.mic_calibration.deviation.magnitude_db == room.mic_calibration.deviation.magnitude_db);
    REQUIRE(back.corrections.size() == 1);
    CHECK(back.corrections[0] == room.corrections[0]);  // biquads bit-exact through JSON
    CHECK(back.targets == room.targets);
    CHECK(back.target_for("R")->spec == "file");
    CHECK(back.target_for("L")->spec == "house:+4@100");

    SECTION("room.json is readable and versioned") {
        std::ifstream in(dir / "bedroom/room.json");
        const auto j = nlohmann::json::parse(in);
        CHECK(j["format"] == "roomcal-room");
        CHECK(j["schema_version"] == 1);
        CHECK(j["channels"][0]["measurements"][0]["label"] == "listening position");
    }
    SECTION("saving again replaces changed files and removes stale ones") {
        Room changed = back;
        changed.channels[0].measurements.erase(changed.channels[0].measurements.begin() + 1);
        changed.corrections[0].channels[0].fir.clear();
        io::save_room(changed, dir / "bedroom");
        const auto files = test::list_files(dir / "bedroom");
        CHECK(files.size() == 1 + 3);                                                // room.json + three IRs, no FIR
        CHECK(io::load_room(dir / "bedroom").channels[0].measurements.size() == 2);  // p1 and the imported p3
    }
}

TEST_CASE("broken room profiles are reported with the file and the field", "[io][room_profile]") {
    test::TempDir dir;
    io::save_room(sample_room(), dir / "r");
    const auto json_path = dir / "r/room.json";
    std::ifstream in(json_path);
    const auto good = nlohmann::json::parse(in);
    in.close();

    auto write = [&](const nlohmann::json& j) { std::ofstream(json_path) << j.dump(2); };

    CHECK_THROWS_WITH(io::load_room(dir / "nothing"), Catch::Contains("does not exist"));

    std::ofstream(json_path) << "{ not json";
    CHECK_THROWS_WITH(io::load_room(dir / "r"), Catch::Contains("room.json") && Catch::Contains("not valid JSON"));

    auto j = good;
    j["schema_version"] = 7;
    write(j);
    CHECK_THROWS_WITH(io::load_room(dir / "r"), Catch::Contains("newer roomcal"));

    j = good;
    j["channels"][1].erase("name");
    write(j);
    CHECK_THROWS_WITH(io::load_room(dir / "r"), Catch::Contains("channels[1]") && Catch::Contains("\"name\""));

    j = good;
    j["channels"][0]["measurements"][0]["impulse_response"] = "ir/missing.wav";
    write(j);
    CHECK_THROWS_WITH(io::load_room(dir / "r"), Catch::Contains("missing.wav") && Catch::Contains("does not exist"));

    j = good;
    j["channels"][0]["measurements"][0]["impulse_response"] = "../../etc/passwd";
    write(j);
    CHECK_THROWS_WITH(io::load_room(dir / "r"), Catch::Contains("inside the room folder"));

    j = good;
    j["channels"][0]["measurements"][2]["frequency_response"]["magnitude_db"][1] = "loud";
    write(j);
    CHECK_THROWS_WITH(io::load_room(dir / "r"), Catch::Contains("magnitude_db[1]"));

    j = good;
    j["channels"][0]["measurements"][2].erase("frequency_response");
    write(j);
    CHECK_THROWS_WITH(io::load_room(dir / "r"), Catch::Contains("needs an impulse_response or a frequency_response"));

    j = good;
    j["corrections"][0]["channels"][0]["biquads"][0]["a1"] = "x";
    write(j);
    CHECK_THROWS_WITH(io::load_room(dir / "r"), Catch::Contains("biquads[0].a1") && Catch::Contains("number"));

    j = good;
    j["corrections"][0]["sample_rate"] = 44100;
    write(j);
    CHECK_THROWS_WITH(io::load_room(dir / "r"), Catch::Contains("48000 Hz but the correction is for 44100 Hz"));
}

TEST_CASE("an invalid room is not written at all", "[io][room_profile]") {
    test::TempDir dir;
    Room room = sample_room();
    room.channels[0].measurements[0].impulse_response.samples[5] = std::nan("");
    CHECK_THROWS_WITH(io::save_room(room, dir / "bad"), Catch::Contains("not a finite number"));
    CHECK_FALSE(std::filesystem::exists(dir / "bad"));
}

TEST_CASE("a measurement is stored at its position, replacing what was there", "[io][room_profile]") {
    test::TempDir dir;
    Room room = io::load_or_create_room(dir / "Studio B");
    CHECK(room.name == "Studio B");
    CHECK(room.channels.empty());
    Measurement m;
    m.position = 2;
    m.label = "first";
    CHECK_FALSE(room.channel("L").put(m));
    m.label = "again";
    CHECK(room.channel("L").put(m));
    REQUIRE(room.channel("L").measurements.size() == 1);
    CHECK(room.channel("L").measurements[0].label == "again");
}
