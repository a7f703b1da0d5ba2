#include <catch2/catch.hpp>

#include "roomcal/io/audio_file.hpp"
#include "roomcal/io/room_profile.hpp"
#include "support/test_support.hpp"

using namespace roomcal;
using test::run_cli;

TEST_CASE("version, help and exit codes", "[app][cli]") {
    CHECK(run_cli("--version").out.find("roomcal 0.") != std::string::npos);
    const auto help = run_cli("help");
    CHECK(help.exit_code == 0);
    for (const char* cmd : {"demo", "devices", "sweep", "measure", "analyze", "import", "fit", "export", "render",
                            "compare", "translate", "report", "monitor"})
        CHECK(help.out.find(cmd) != std::string::npos);

    const auto fit_help = run_cli("fit --help");
    CHECK(fit_help.exit_code == 0);
    CHECK(fit_help.out.find("--max-boost") != std::string::npos);
    CHECK(run_cli("help fit").out == fit_help.out);

    const auto unknown = run_cli("devices --bogus");
    CHECK(unknown.exit_code == 2);
    CHECK(unknown.out.find("--bogus") != std::string::npos);
    CHECK(run_cli("frobnicate").exit_code == 2);
    CHECK(run_cli("help frobnicate").exit_code == 2);
}

TEST_CASE("monitor hands its arguments to roomcal-monitor", "[app][cli]") {
    const auto help = run_cli("monitor --help");
    CHECK(help.exit_code == 0);
    CHECK(help.out.find("--simulate") != std::string::npos);
    CHECK(help.out.find("--screenshot") != std::string::npos);
    // A bad page is refused before any window opens, so no display is needed to see it.
    const auto bad = run_cli("monitor --page nowhere");
    CHECK(bad.exit_code == 2);
    CHECK(bad.out.find("no page named \"nowhere\"") != std::string::npos);
    CHECK(bad.out.find("rooms") != std::string::npos);
}

TEST_CASE("devices works without any sound card", "[app][cli]") {
    const auto r = run_cli("devices");
    CHECK(r.exit_code == 0);
    CHECK(r.out.find("Host APIs:") != std::string::npos);
    CHECK(r.out.find("ALSA lib") == std::string::npos);  // back-end noise stays off the terminal
}

TEST_CASE("sweep writes WAV and sidecar, bad values exit 2 and write nothing", "[app][cli]") {
    test::TempDir dir;
    const auto ok = run_cli("sweep --out " + (dir / "s.wav").string() + " --rate 96000 --length 65536 --level -30");
    CHECK(ok.exit_code == 0);
    const auto info = io::probe_audio(dir / "s.wav");
    CHECK(info.sample_rate.value == 96000.0);
    CHECK(std::filesystem::exists(dir / "s.json"));

    const auto bad = run_cli("sweep --out " + (dir / "b.wav").string() + " --end 30000");
    CHECK(bad.exit_code == 2);
    CHECK(bad.out.find("Nyquist") != std::string::npos);
    const auto bad_rate = run_cli("sweep --out " + (dir / "b.wav").string() + " --rate 12345");
    CHECK(bad_rate.exit_code == 2);
    CHECK_FALSE(std::filesystem::exists(dir / "b.wav"));
}

TEST_CASE("demo measures every virtual room into a room profile", "[app][cli][slow]") {
    test::TempDir dir;
    const auto r = run_cli("demo --positions 2 --out " + dir.path().string());
    INFO(r.out);
    REQUIRE(r.exit_code == 0);
    CHECK(std::filesystem::exists(dir / "sweep.wav"));
    for (const char* name : {"untreated-bedroom", "living-room", "treated-studio"}) {
        const auto room = io::load_room(dir / "rooms" / name);
        CHECK(room.channels.size() == 2);
        CHECK(room.channels[0].measurements.size() == 2);
        CHECK(room.channels[1].measurements[1].timing == "loopback");
    }
    // Then the mix/master comparison (the master starts 0.75 s later) and the translation
    // of the mix across the three rooms, in the terminal and on a page.
    CHECK(r.out.find("aligned: master starts 0.750 s later (36000 samples") != std::string::npos);
    CHECK(r.out.find("LU louder") != std::string::npos);
    for (const char* name : {"untreated-bedroom", "living-room", "treated-studio"})
        CHECK(r.out.find(std::string("\n") + name + "  ") != std::string::npos);  // a row of the score table
    CHECK(std::filesystem::exists(dir / "mix.wav"));
    CHECK(std::filesystem::exists(dir / "master.wav"));
    CHECK(std::filesystem::file_size(dir / "compare-report.html") > 10000);
}
