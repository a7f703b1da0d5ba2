// `roomcal export` and `roomcal import` of filter settings, run as a user would.
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>

#include "roomcal/dsp/biquad_design.hpp"
#include "roomcal/io/audio_file.hpp"
#include "roomcal/io/filter_text.hpp"
#include "roomcal/io/room_profile.hpp"
#include "support/test_support.hpp"

using namespace roomcal;
using test::run_cli;

namespace {

FilterSet correction_at(double rate) {
    FilterSet set;
    set.sample_rate = Hz(rate);
    set.preamp_db = -4.0;
    set.description = "peq, target flat";
    for (const char* name : {"L", "R"}) {
        ChannelFilter c;
        c.channel = name;
        c.gain_db = -4.0;
        c.delay_samples = name[0] == 'R' ? 24.0 : 0.0;
        c.parametric = {{FilterType::peaking, 52.0, 6.0, -8.0}, {FilterType::low_shelf, 150.0, 0.7, 2.0}};
        set.channels.push_back(c);
    }
    // R carries a short FIR as well; float-exact, as the profile stores it.
    set.channels[1].fir = {1.0, -0.25, 0.125, -0.0625};
    dsp::realise_parametric(set);
    return set;
}

std::string read(const std::filesystem::path& p) {
    std::ifstream in(p);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

}  // namespace

TEST_CASE("export of a room without a correction exits 1 and says how to make one", "[app][cli][export]") {
    test::TempDir dir;
    Room room;
    room.name = "den";
    io::save_room(room, dir / "den");
    const auto r =
        run_cli("export --room " + (dir / "den").string() + " --format camilladsp --out " + (dir / "den.yml").string());
    CHECK(r.exit_code == 1);
    CHECK(r.out.find("room den has no correction yet; run roomcal fit --room " + (dir / "den").string() + " first") !=
          std::string::npos);
    CHECK_FALSE(std::filesystem::exists(dir / "den.yml"));
    CHECK(run_cli("export --room " + (dir / "nowhere").string() + " --format rew --out x.txt").exit_code == 1);
}

TEST_CASE("export writes every format from a room with corrections", "[app][cli][export]") {
    test::TempDir dir;
    Room room;
    room.name = "studio";
    room.corrections = {correction_at(48000.0), correction_at(96000.0)};
    const auto room_dir = (dir / "studio").string();
    io::save_room(room, room_dir);
    std::filesystem::create_directories(dir / "out");

    auto r = run_cli("export --room " + room_dir + " --format camilladsp --out " + (dir / "out/studio.yml").string());
    INFO(r.out);
    REQUIRE(r.exit_code == 0);
    const auto yaml = read(dir / "out/studio.yml");
    CHECK(yaml.find("  samplerate: 48000\n") != std::string::npos);  // 48 kHz by default
    CHECK(yaml.find("filename: \"studio-R-fir.wav\"") != std::string::npos);
    const auto fir = io::read_audio_double(dir / "out/studio-R-fir.wav");
    CHECK(fir.info.num_frames == 4);

    r = run_cli("export --room " + room_dir + " --format equalizerapo --rate 96000 --out " +
                (dir / "out/apo.txt").string());
    REQUIRE(r.exit_code == 0);
    const auto apo = read(dir / "out/apo.txt");
    CHECK(apo.find("# Correction for 96000 Hz") != std::string::npos);
    CHECK(apo.find("Channel: R\nPreamp: -4.0000 dB\nDelay: 0.25 ms\n") != std::string::npos);
    CHECK(apo.find("Convolution: apo-R-fir.wav\n") != std::string::npos);
    CHECK(std::filesystem::exists(dir / "out/apo-R-fir.wav"));

    // REW cannot hold R's FIR: refused, and no file for L either.
    r = run_cli("export --room " + room_dir + " --format rew --out " + (dir / "out/rew.txt").string());
    CHECK(r.exit_code == 1);
    CHECK(r.out.find("channel R has an FIR") != std::string::npos);
    CHECK_FALSE(std::filesystem::exists(dir / "out/rew-L.txt"));

    r = run_cli("export --room " + room_dir + " --format wav --out " + (dir / "out/wav").string());
    REQUIRE(r.exit_code == 0);
    const auto w48 = io::probe_audio(dir / "out/wav/studio-48000.wav");
    const auto w96 = io::probe_audio(dir / "out/wav/studio-96000.wav");
    CHECK(w48.num_channels == 2);
    CHECK(w48.num_frames == 65536);
    CHECK(w96.sample_rate.value == 96000.0);
    CHECK(w96.num_frames == 131072);

    r = run_cli("export --room " + room_dir + " --format wav --taps 8192 --rate 48000 --out " +
                (dir / "out/short").string());
    REQUIRE(r.exit_code == 0);
    CHECK(io::probe_audio(dir / "out/short/studio-48000.wav").num_frames == 8192);
    CHECK_FALSE(std::filesystem::exists(dir / "out/short/studio-96000.wav"));

    r = run_cli("export --room " + room_dir + " --format rew --rate 44100 --out " + (dir / "out/x.txt").string());
    CHECK(r.exit_code == 2);
    CHECK(r.out.find("no correction at 44100 Hz; it has 48000, 96000 Hz") != std::string::npos);
}

TEST_CASE("export of REW settings writes one file per channel", "[app][cli][export]") {
    test::TempDir dir;
    Room room;
    room.name = "den";
    auto set = correction_at(48000.0);
    set.channels[1].fir.clear();
    room.corrections = {set};
    io::save_room(room, dir / "den");
    const auto r =
        run_cli("export --room " + (dir / "den").string() + " --format rew --out " + (dir / "den.txt").string());
    INFO(r.out);
    REQUIRE(r.exit_code == 0);
    for (const char* ch : {"L", "R"}) {
        const auto path = dir / (std::string("den-") + ch + ".txt");
        CHECK(r.out.find(path.string()) != std::string::npos);
        const auto filters = io::parse_rew_filter_text(read(path), path.string());
        CHECK(filters.size() == 2);
    }
}

TEST_CASE("import takes REW and Equalizer APO filter settings as a channel's correction", "[app][cli][import]") {
    test::TempDir dir;
    const auto room_dir = (dir / "room").string();
    {
        std::ofstream rew(dir / "left.txt");
        rew << "Filter Settings file\n\nRoom EQ V5.31.3\n\nNotes:\n\nEqualiser: Generic\nAverage 1\n"
               "Filter  1: ON  PK       Fc   46.50 Hz  Gain  -9.40 dB  Q  4.470\n"
               "Filter  2: ON  None\n"
               "Filter  3: ON  HSC      Fc   8000.0 Hz  Gain  -2.00 dB  Q  0.700\n";
        std::ofstream apo(dir / "right.txt");
        apo << "Preamp: -6 dB\nChannel: R\nDelay: 1 ms\nFilter 1: ON PK Fc 60 Hz Gain -5 dB Q 5\n";
    }
    auto r = run_cli("import " + (dir / "left.txt").string() + " --room " + room_dir + " --channel L");
    INFO(r.out);
    REQUIRE(r.exit_code == 0);
    r = run_cli("import " + (dir / "right.txt").string() + " --room " + room_dir + " --channel R");
    REQUIRE(r.exit_code == 0);

    const auto room = io::load_room(room_dir);
    REQUIRE(room.corrections.size() == 4);
    for (double rate : {44100.0, 48000.0, 88200.0, 96000.0}) {
        const auto* set = room.correction_for(Hz(rate));
        REQUIRE(set != nullptr);
        const auto* l = set->find("L");
        const auto* right = set->find("R");
        REQUIRE(l != nullptr);
        REQUIRE(right != nullptr);
        CHECK(l->parametric.size() == 2);
        CHECK(l->biquads == dsp::design_biquads(l->parametric, Hz(rate)));
        CHECK(right->gain_db == -6.0);
        CHECK(right->delay_samples == Approx(rate / 1000.0));
    }

    // A file that is not right leaves the room as it was and names the line.
    {
        std::ofstream bad(dir / "bad.txt");
        bad << "Preamp: -3 dB\nFilter 1: ON PK Fc 60 Hz Gain -5 dB Q 5\nInclude: more.txt\n";
    }
    const auto before = read(std::filesystem::path(room_dir) / "room.json");
    r = run_cli("import " + (dir / "bad.txt").string() + " --room " + room_dir + " --channel L");
    CHECK(r.exit_code == 1);
    CHECK(r.out.find("line 3") != std::string::npos);
    CHECK(read(std::filesystem::path(room_dir) / "room.json") == before);

    // A channel the config does not mention is refused.
    {
        std::ofstream only_r(dir / "only-r.txt");
        only_r << "Channel: R\nFilter 1: ON PK Fc 60 Hz Gain -5 dB Q 5\n";
    }
    r = run_cli("import " + (dir / "only-r.txt").string() + " --room " + room_dir + " --channel C");
    CHECK(r.exit_code == 2);
    CHECK(r.out.find("no settings for channel C; it has channel(s) R") != std::string::npos);
    CHECK(read(std::filesystem::path(room_dir) / "room.json") == before);
}
