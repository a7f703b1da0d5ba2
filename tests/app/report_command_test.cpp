// Tests for `roomcal report`: it writes a self-contained page for a stored room, and
// refuses cleanly (exit 1, a message, no file) what it cannot report.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "roomcal/io/room_profile.hpp"
#include "roomcal/measure/virtual_room.hpp"
#include "support/test_support.hpp"

using namespace roomcal;
using test::run_cli;

namespace {

void save_measured_room(const std::filesystem::path& dir) {
    const auto& spec = measure::find_builtin_room("treated-studio");
    Room room;
    room.name = "studio";
    for (int p = 0; p < 2; ++p) {
        Measurement m;
        m.position = p + 1;
        m.impulse_response =
            measure::simulate_impulse_response(spec, 0, spec.mic_positions[static_cast<std::size_t>(p)], 48_kHz, 16384);
        m.timing = "loopback";
        room.channel("L").put(m);
    }
    io::save_room(room, dir);
}

}  // namespace

TEST_CASE("report writes one self-contained HTML page", "[app][cli][report]") {
    test::TempDir dir;
    save_measured_room(dir / "studio");
    const auto out = dir / "studio.html";
    const auto r = run_cli("report --room " + (dir / "studio").string() + " --out " + out.string());
    INFO(r.out);
    REQUIRE(r.exit_code == 0);
    CHECK(r.out.find("report of room studio") != std::string::npos);
    CHECK(r.out.find("No mic calibration") != std::string::npos);
    std::ifstream in(out);
    std::stringstream page;
    page << in.rdbuf();
    CHECK(page.str().rfind("<!DOCTYPE html>", 0) == 0);
    CHECK(page.str().find("<svg") != std::string::npos);
    CHECK(page.str().find("</html>") != std::string::npos);
    CHECK(test::list_files(dir.path()).size() == test::list_files(dir / "studio").size() + 1);
}

TEST_CASE("report refuses a room without measurements a missing room and a missing folder", "[app][cli][report]") {
    test::TempDir dir;
    Room empty;
    empty.name = "bare";
    io::save_room(empty, dir / "bare");
    const auto before = test::list_files(dir.path());

    const auto none = run_cli("report --room " + (dir / "bare").string() + " --out " + (dir / "bare.html").string());
    CHECK(none.exit_code == 1);
    CHECK(none.out.find("room bare has no measurements; measure or import first") != std::string::npos);

    const auto missing =
        run_cli("report --room " + (dir / "nowhere").string() + " --out " + (dir / "nowhere.html").string());
    CHECK(missing.exit_code == 1);
    CHECK(missing.out.find("nowhere") != std::string::npos);

    save_measured_room(dir / "studio");
    const auto no_folder =
        run_cli("report --room " + (dir / "studio").string() + " --out " + (dir / "no-such" / "r.html").string());
    CHECK(no_folder.exit_code == 1);
    CHECK(no_folder.out.find("does not exist") != std::string::npos);

    const auto usage = run_cli("report --room " + (dir / "studio").string());
    CHECK(usage.exit_code == 2);

    for (const auto& f : test::list_files(dir.path())) CHECK(f.find(".html") == std::string::npos);
    CHECK(before.size() + test::list_files(dir / "studio").size() == test::list_files(dir.path()).size());
}
